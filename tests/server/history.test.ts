/**
 * Run history persisted under the data folder: it survives a restart, unfinished runs come back failed,
 * and a reconnecting client gets a snapshot.
 */
import { afterEach, expect, test } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HelloMessage, RunRecord } from '../../server/index.js';
import { addGraph, slowGraph, removeDir, startTestServer, submit, tempDir, WsClient } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

type Listing = { runs: RunRecord[]; total: number; limit: number; offset: number };

test('history survives a restart, newest first, with limit and offset', async () => {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  const first = await startTestServer({ dataDir });
  const client = await WsClient.connect(`${first.url}/api/ws`);
  const older = await submit(first, addGraph(1, 2));
  await client.finished(older);
  const newer = await submit(first, addGraph(10, 20));
  await client.finished(newer);
  client.close();
  await first.close();

  const second = await startTestServer({ dataDir });
  try {
    const all = (await (await second.api('/api/runs')).json()) as Listing;
    expect(all.total).toBe(2);
    expect(all.runs.map((r) => r.id)).toEqual([newer, older]);
    expect(all.runs[0]).toMatchObject({ status: 'succeeded', outputs: { out: { value: 30 } } });
    expect(all.runs[0]).not.toHaveProperty('graph'); // listings stay light

    const page = (await (await second.api('/api/runs?limit=1&offset=1')).json()) as Listing;
    expect(page.runs.map((r) => r.id)).toEqual([older]);
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1 });

    const one = (await (await second.api(`/api/runs/${older}`)).json()) as RunRecord;
    expect(one).toMatchObject({ status: 'succeeded', outputs: { out: { value: 3 } } });
    expect(one.graph?.nodes.a).toEqual({ type: 'test/number', inputs: { value: 1 } });

    // A run submitted after the restart lists first.
    const reconnected = await WsClient.connect(`${second.url}/api/ws`);
    const hello = reconnected.messages[0] as HelloMessage;
    expect(hello.recent.map((r) => r.id)).toEqual([newer, older]);
    const latest = await submit(second, addGraph(0, 0));
    await reconnected.finished(latest);
    reconnected.close();
    const after = (await (await second.api('/api/runs?limit=1')).json()) as Listing;
    expect(after.runs[0]!.id).toBe(latest);
  } finally {
    await second.close();
  }
});

test('runs that were queued or running when the server died come back failed', async () => {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  const first = await startTestServer({ dataDir });
  const client = await WsClient.connect(`${first.url}/api/ws`);
  const done = await submit(first, addGraph(1, 1));
  await client.finished(done);
  client.close();
  await first.close();

  // What a killed server leaves behind: records still marked running and queued, and a half-written temp file.
  const historyDir = join(dataDir, 'history');
  const base = JSON.parse(await readFile(join(historyDir, `${done}.json`), 'utf8')) as RunRecord;
  const crashed = { ...base, id: 'crashed-running', seq: base.seq + 1, status: 'running', endedAt: null, outputs: null };
  const waiting = { ...base, id: 'crashed-queued', seq: base.seq + 2, status: 'queued', startedAt: null, endedAt: null, outputs: null };
  await writeFile(join(historyDir, 'crashed-running.json'), JSON.stringify(crashed));
  await writeFile(join(historyDir, 'crashed-queued.json'), JSON.stringify(waiting));
  await writeFile(join(historyDir, 'crashed-queued.json.123.abc.tmp'), '{"trunc');

  const second = await startTestServer({ dataDir });
  try {
    for (const id of ['crashed-running', 'crashed-queued']) {
      const run = (await (await second.api(`/api/runs/${id}`)).json()) as RunRecord;
      expect(run.status).toBe('failed');
      expect(run.error?.message).toBe('interrupted by a server restart');
    }
    expect(((await (await second.api(`/api/runs/${done}`)).json()) as RunRecord).status).toBe('succeeded');
    expect((await (await second.api('/api/queue')).json()) as unknown).toEqual({ running: [], pending: [] });
  } finally {
    await second.close();
  }
  // The correction is on disk too, and the temp file is gone.
  const onDisk = JSON.parse(await readFile(join(historyDir, 'crashed-running.json'), 'utf8')) as RunRecord;
  expect(onDisk.status).toBe('failed');
  expect((await readdir(historyDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('closing the server stops running and waiting runs and records why', async () => {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  const first = await startTestServer({ dataDir });
  const client = await WsClient.connect(`${first.url}/api/ws`);
  const running = await submit(first, slowGraph(60_000, 1));
  const waiting = await submit(first, slowGraph(60_000, 2));
  await client.waitFor((e) => e.type === 'node-started' && e.runId === running);
  await first.close();
  client.close();

  const second = await startTestServer({ dataDir });
  try {
    for (const id of [running, waiting]) {
      const run = (await (await second.api(`/api/runs/${id}`)).json()) as RunRecord;
      expect(run).toMatchObject({ status: 'cancelled', error: { message: 'the server shut down' } });
    }
  } finally {
    await second.close();
  }
});

test('a bad ?limit is a 400', async () => {
  const t = await startTestServer();
  dirs.push(t.dataDir);
  try {
    for (const q of ['limit=abc', 'limit=0', 'offset=-1', 'limit=100000']) {
      const res = await t.api(`/api/runs?${q}`);
      expect(res.status).toBe(400);
    }
  } finally {
    await t.close();
  }
});

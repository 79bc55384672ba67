/**
 * Runs over real HTTP and WebSocket: submit, events, outputs, the cache, cancel, queue order, invalid
 * graphs, failing nodes.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { defineNode, T, type NodePack } from '../../engine/index.js';
import type { RunRecord } from '../../server/index.js';
import { addGraph, removeDir, slowGraph, startTestServer, submit, testRegistry, WsClient, type TestServer } from './helpers.js';

/** A node running a child process (`sleep 60`) that reports the child's pid and waits for it to exit. */
const procPack: NodePack = {
  name: 'testproc',
  nodes: [
    defineNode({
      type: 'testproc/sleep',
      description: 'Runs `sleep 60`, killed through ctx.signal',
      inputs: {},
      outputs: { code: T.INT },
      output: true,
      notIdempotent: true,
      run: (_inputs, ctx) =>
        new Promise((resolve, reject) => {
          const child = spawn('sleep', ['60'], { signal: ctx.signal, stdio: 'ignore' });
          ctx.metric('pid', 0, child.pid ?? -1);
          let failure: Error | undefined;
          child.once('error', (error) => (failure = error));
          child.once('close', (code) => (failure ? reject(failure) : code === 0 ? resolve({ code }) : reject(new Error(`sleep exited with ${code}`))));
        }),
    }),
  ],
};

let t: TestServer;
let client: WsClient;

beforeEach(async () => {
  t = await startTestServer({ registry: testRegistry(procPack) });
  client = await WsClient.connect(`${t.url}/api/ws`);
});

afterEach(async () => {
  client.close();
  await t.close();
  await removeDir(t.dataDir);
});

const getRun = async (id: string) => (await (await t.api(`/api/runs/${id}`)).json()) as RunRecord;

describe('a run', () => {
  test('is accepted, streams its events in order over ws, and reports its outputs', async () => {
    const id = await submit(t, addGraph(2, 3));
    const end = await client.finished(id);
    expect(end).toMatchObject({ status: 'succeeded', executed: 3, cached: 0 });

    const types = client.eventsOf(id).map((e) => e.type);
    expect(types[0]).toBe('run-queued');
    expect(types[1]).toBe('run-started');
    expect(types.at(-1)).toBe('run-finished');
    // Every node starts before it outputs, and upstream nodes output before downstream ones start.
    const at = (type: string, node: string) => client.eventsOf(id).findIndex((e) => e.type === type && 'node' in e && e.node === node);
    expect(at('node-output', 'a')).toBeLessThan(at('node-started', 'sum'));
    expect(at('node-output', 'sum')).toBeLessThan(at('node-started', 'out'));
    expect(client.eventsOf(id).find((e) => e.type === 'node-output' && e.node === 'out')).toMatchObject({ outputs: { value: 5 } });

    const run = await getRun(id);
    expect(run).toMatchObject({ id, status: 'succeeded', outputs: { out: { value: 5 } }, error: null, name: 'add' });
    expect(run.startedAt!).toBeGreaterThanOrEqual(run.queuedAt);
    expect(run.endedAt!).toBeGreaterThanOrEqual(run.startedAt!);
  });

  test('fills graph params from inputs', async () => {
    const id = await submit(t, addGraph(2, 3), { b: 40 });
    await client.finished(id);
    expect((await getRun(id)).outputs).toEqual({ out: { value: 42 } });
  });

  test('re-running an unchanged graph executes nothing; changing a widget re-runs downstream only', async () => {
    const first = await submit(t, addGraph(1, 1));
    await client.finished(first);
    const again = await submit(t, addGraph(1, 1));
    expect(await client.finished(again)).toMatchObject({ status: 'succeeded', executed: 0 });
    expect(client.eventsOf(again).some((e) => e.type === 'node-started')).toBe(false);
    expect((await getRun(again)).outputs).toEqual({ out: { value: 2 } });

    const changed = await submit(t, addGraph(1, 5));
    expect(await client.finished(changed)).toMatchObject({ executed: 2 }); // sum and out; "a" comes from the cache
  });

  test('a running run is cancelled by DELETE and ends cancelled', async () => {
    const id = await submit(t, slowGraph(60_000, 1));
    await client.waitFor((e) => e.type === 'node-started' && e.runId === id && e.node === 'slow');
    const res = await t.api(`/api/runs/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect(await client.finished(id)).toMatchObject({ status: 'cancelled' });
    expect(await getRun(id)).toMatchObject({ status: 'cancelled' });
    // Cancelling it again is a conflict, not a crash.
    expect((await t.api(`/api/runs/${id}`, { method: 'DELETE' })).status).toBe(409);
  });

  test('cancelling a run kills the child processes of its nodes', async () => {
    const id = await submit(t, { format: 'cinegraph.graph', version: 1, nodes: { p: { type: 'testproc/sleep' } } });
    const metric = await client.waitFor((e) => e.type === 'node-metric' && e.runId === id);
    const pid = (metric as { value: number }).value;
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).not.toThrow(); // alive while the run runs
    expect((await t.api(`/api/runs/${id}`, { method: 'DELETE' })).status).toBe(202);
    expect(await client.finished(id)).toMatchObject({ status: 'cancelled' });
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  test('with concurrency 1 runs start in submission order, one at a time; a queued run can be cancelled', async () => {
    const first = await submit(t, slowGraph(60_000, 1));
    const second = await submit(t, slowGraph(10, 2));
    const doomed = await submit(t, slowGraph(10, 3));
    const third = await submit(t, slowGraph(10, 4));
    await client.waitFor((e) => e.type === 'run-started' && e.runId === first);

    const queue = (await (await t.api('/api/queue')).json()) as { running: RunRecord[]; pending: RunRecord[] };
    expect(queue.running.map((r) => r.id)).toEqual([first]);
    expect(queue.pending.map((r) => r.id)).toEqual([second, doomed, third]);

    const cancelQueued = await t.api(`/api/runs/${doomed}`, { method: 'DELETE' });
    expect(cancelQueued.status).toBe(200);
    expect(await client.finished(doomed)).toMatchObject({ status: 'cancelled', executed: 0 });

    await t.api(`/api/runs/${first}`, { method: 'DELETE' });
    await client.finished(third);
    const order = client.messages.filter((m) => m.type === 'run-started' || m.type === 'run-finished').map((m) => `${m.type}:${'runId' in m ? m.runId : ''}`);
    expect(order).toEqual([
      `run-started:${first}`,
      `run-finished:${doomed}`,
      `run-finished:${first}`,
      `run-started:${second}`,
      `run-finished:${second}`,
      `run-started:${third}`,
      `run-finished:${third}`,
    ]);
    expect(client.eventsOf(doomed).some((e) => e.type === 'run-started')).toBe(false);
  });

  test('a node that throws fails its run with the node named, and the server keeps serving', async () => {
    const failing = {
      format: 'cinegraph.graph',
      version: 1,
      nodes: {
        n: { type: 'test/number', inputs: { value: 7 } },
        f: { type: 'test/fail', inputs: { value: { from: 'n', output: 'value' }, failOn: 7 } },
        out: { type: 'test/sink', inputs: { value: { from: 'f', output: 'value' } } },
      },
    };
    const id = await submit(t, failing);
    expect(await client.finished(id)).toMatchObject({ status: 'failed', error: { node: 'f' } });
    expect(client.eventsOf(id).find((e) => e.type === 'node-error')).toMatchObject({ node: 'f', message: 'bad value 7' });
    const run = await getRun(id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ node: 'f', nodeType: 'test/fail' });
    expect(run.error!.message).toContain('bad value 7');

    expect((await t.api('/health')).status).toBe(200);
    const next = await submit(t, addGraph(4, 4));
    expect(await client.finished(next)).toMatchObject({ status: 'succeeded' });
  });
});

describe('an invalid submission', () => {
  test('is refused with 400 listing every issue of the graph and its inputs', async () => {
    const graph = {
      format: 'cinegraph.graph',
      version: 1,
      params: { delay: { node: 'sum', input: 'delay' } },
      nodes: {
        a: { type: 'test/nope' },
        sum: { type: 'test/add', inputs: { a: { from: 'ghost', output: 'value' }, delay: -5, typo: 1 } },
        out: { type: 'test/sink', inputs: { value: { from: 'sum', output: 'total' } } },
      },
    };
    const res = await t.api('/api/runs', { method: 'POST', json: { graph, inputs: { speed: 3 } } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string; issues: Array<{ type: string; node?: string; input?: string; message: string }> } };
    expect(body.error.type).toBe('invalid_graph');
    const got = body.error.issues.map((i) => `${i.type}:${i.node ?? ''}.${i.input ?? ''}`).sort();
    expect(got).toEqual(
      [
        'invalid_param:.', // unknown param "speed"
        'unknown_node_type:a.',
        'missing_node:sum.a',
        'out_of_range:sum.delay',
        'unknown_input:sum.typo',
        'missing_output:out.value',
      ].sort(),
    );
    expect(body.error.issues.every((i) => typeof i.message === 'string' && i.message.length > 0)).toBe(true);
    // Nothing was queued.
    expect(((await (await t.api('/api/runs')).json()) as { total: number }).total).toBe(0);
  });

  test('a document that is not a graph gets 400 invalid_document; a body without graph 400', async () => {
    const res = await t.api('/api/runs', { method: 'POST', json: { graph: { format: 'cinegraph.graph', version: 1 } } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_document');

    const none = await t.api('/api/runs', { method: 'POST', json: { inputs: {} } });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain('graph');
  });

  test('unknown runs are 404', async () => {
    expect((await t.api('/api/runs/not-a-run')).status).toBe(404);
    expect((await t.api('/api/runs/not-a-run', { method: 'DELETE' })).status).toBe(404);
  });
});

test('GET /api/nodes gives the registry catalog', async () => {
  const catalog = (await (await t.api('/api/nodes')).json()) as { nodes: Array<{ type: string; inputs: Record<string, { type: string }> }>; types: unknown[] };
  const add = catalog.nodes.find((n) => n.type === 'test/add');
  expect(add?.inputs.delay).toMatchObject({ type: 'INT', min: 0 });
  expect(catalog.types.length).toBeGreaterThan(0);
});

test('with concurrency 2 two runs run at once and a third waits', async () => {
  const wide = await startTestServer({ concurrency: 2 });
  const watch = await WsClient.connect(`${wide.url}/api/ws`);
  try {
    const ids = [await submit(wide, slowGraph(60_000, 1)), await submit(wide, slowGraph(60_000, 2)), await submit(wide, slowGraph(60_000, 3))];
    await watch.waitFor((e) => e.type === 'run-started' && e.runId === ids[1]);
    const queue = (await (await wide.api('/api/queue')).json()) as { running: RunRecord[]; pending: RunRecord[] };
    expect(queue.running.map((r) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(queue.pending.map((r) => r.id)).toEqual([ids[2]]);
  } finally {
    watch.close();
    await wide.close(); // cancels all three
    await removeDir(wide.dataDir);
  }
});

/**
 * Files: uploads (size-limited, safely named), downloads of uploads and run outputs, and every way of
 * reaching outside the data folders refused.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { defineNode, T, type NodePack } from '../../engine/index.js';
import type { RunRecord } from '../../server/index.js';
import { rawRequest, removeDir, startTestServer, submit, tempDir, testRegistry, WsClient, type TestServer } from './helpers.js';

/** An output node that writes a text file into the run's output folder. */
const writePack: NodePack = {
  name: 'testfs',
  nodes: [
    defineNode({
      type: 'testfs/write-text',
      description: 'Writes `text` to <outputDir>/notes/<name>',
      inputs: { text: { type: T.STRING }, name: { type: T.STRING, default: 'note.txt' } },
      outputs: { path: T.STRING },
      output: true,
      async run({ text, name }, ctx) {
        await mkdir(join(ctx.outputDir, 'notes'), { recursive: true });
        const path = join(ctx.outputDir, 'notes', name);
        await writeFile(path, text);
        return { path };
      },
    }),
  ],
};

type Upload = { name: string; path: string; url: string; bytes: number };

let t: TestServer;
let outside: string;

beforeAll(async () => {
  t = await startTestServer({ registry: testRegistry(writePack), maxUploadBytes: 1024 });
  outside = await tempDir('cinegraph-outside-');
  await writeFile(join(outside, 'secret.txt'), 'do not serve me');
});
afterAll(async () => {
  await t.close();
  await removeDir(t.dataDir);
  await removeDir(outside);
});

const upload = async (body: string | Uint8Array, query = '', headers: Record<string, string> = {}) =>
  t.api(`/api/files${query}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream', ...headers } });

describe('upload', () => {
  test('stores the raw body under a safe unique name and serves it back', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const res = await upload(bytes, `?name=${encodeURIComponent('../../My Clip (1).bin')}`);
    expect(res.status).toBe(201);
    const up = (await res.json()) as Upload;
    expect(up.name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(up.name).toMatch(/My_Clip_1_\.bin$/);
    expect(up.bytes).toBe(5);
    expect(up.path).toBe(join(t.dataDir, 'uploads', up.name));
    expect(new Uint8Array(await readFile(up.path))).toEqual(bytes);

    const back = await t.api(up.url);
    expect(back.status).toBe(200);
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
    expect(back.headers.get('content-security-policy')).toBe('sandbox');

    // The same name twice gives two files.
    const again = (await (await upload(bytes, '?name=My%20Clip%20(1).bin')).json()) as Upload;
    expect(again.name).not.toBe(up.name);
  });

  test('takes the name from X-Filename too', async () => {
    const up = (await (await upload('hello', '', { 'x-filename': encodeURIComponent('café.txt') })).json()) as Upload;
    expect(up.name).toMatch(/caf_\.txt$/);
    expect(await (await t.api(up.url)).text()).toBe('hello');
  });

  test('a body over the limit is a 413 and leaves no file behind', async () => {
    const before = await readdir(join(t.dataDir, 'uploads'));
    const res = await upload(new Uint8Array(4096), '?name=big.bin');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('payload_too_large');
    expect(await readdir(join(t.dataDir, 'uploads'))).toEqual(before);
    // The server still takes uploads afterwards.
    expect((await upload('small', '?name=s.txt')).status).toBe(201);
  });

  test('a streamed body without Content-Length is cut off at the limit with a 413', async () => {
    const { hostname, port } = new URL(t.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: hostname, port, path: '/api/files?name=stream.bin', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(Buffer.alloc(600, i));
      req.end();
    });
    expect(status).toBe(413);
    expect((await readdir(join(t.dataDir, 'uploads'))).filter((f) => f.includes('stream'))).toEqual([]);
  });

  test('an empty body or a multipart form is refused with a message saying how to upload', async () => {
    expect((await upload('', '?name=e.txt')).status).toBe(400);
    const multipart = await upload('--x--', '?name=m.txt', { 'content-type': 'multipart/form-data; boundary=x' });
    expect(multipart.status).toBe(415);
    expect(((await multipart.json()) as { error: { message: string } }).error.message).toContain('raw request body');
  });
});

describe('download', () => {
  test('serves the files a run wrote and lists them on the run', async () => {
    const client = await WsClient.connect(`${t.url}/api/ws`);
    const graph = { format: 'cinegraph.graph', version: 1, nodes: { w: { type: 'testfs/write-text', inputs: { text: 'frame notes', name: 'a b.txt' } } } };
    const id = await submit(t, graph);
    await client.finished(id);
    client.close();
    const run = (await (await t.api(`/api/runs/${id}`)).json()) as RunRecord;
    expect(run.status).toBe('succeeded');
    expect(run.files).toEqual(['notes/a b.txt']);
    const res = await t.api(`/api/files/outputs/${id}/notes/${encodeURIComponent('a b.txt')}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('frame notes');
  });

  test('refuses .., encoded traversal, absolute paths and other folders', async () => {
    await writeFile(join(t.dataDir, 'history', 'private.json'), '{}');
    const refused = [
      '/api/files/uploads/../history/private.json',
      '/api/files/uploads/%2e%2e/history/private.json',
      '/api/files/uploads/%2E%2E%2Fhistory%2Fprivate.json',
      '/api/files/uploads/..%2f..%2f..%2fetc%2fpasswd',
      '/api/files/uploads/..%5c..%5cetc%5cpasswd',
      '/api/files//etc/passwd',
      '/api/files/uploads//etc/passwd',
      '/api/files/uploads/%2Fetc%2Fpasswd',
      `/api/files/uploads/${encodeURIComponent(join(outside, 'secret.txt'))}`,
    ];
    for (const path of refused) {
      const res = await rawRequest(t.url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body).not.toContain('do not serve me');
    }
    // Folders other than uploads/ and outputs/ do not exist for this route.
    expect((await rawRequest(t.url, '/api/files/history/private.json')).status).toBe(404);
    expect((await rawRequest(t.url, '/api/files/uploads/no-such-file')).status).toBe(404);
    expect((await rawRequest(t.url, '/api/files/uploads')).status).toBe(404);
  });

  test('refuses symbolic links that lead out of the data folders', async () => {
    await symlink(join(outside, 'secret.txt'), join(t.dataDir, 'uploads', 'link.txt'));
    await symlink(outside, join(t.dataDir, 'uploads', 'linkdir'));
    for (const path of ['/api/files/uploads/link.txt', '/api/files/uploads/linkdir/secret.txt']) {
      const res = await rawRequest(t.url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body).not.toContain('do not serve me');
    }
  });
});

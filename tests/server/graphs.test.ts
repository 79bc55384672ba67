/**
 * Saved templates: shipped ones (read-only) and the user's, which shadow shipped ones of the same name.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TemplateInfo } from '../../server/index.js';
import { addGraph, rawRequest, removeDir, startTestServer, tempDir, type TestServer } from './helpers.js';

let t: TestServer;
let shipped: string;

beforeAll(async () => {
  shipped = await tempDir('cinegraph-shipped-');
  await writeFile(join(shipped, 'demo.json'), JSON.stringify({ ...addGraph(1, 2), name: 'Demo', description: 'adds two numbers' }));
  await writeFile(join(shipped, 'broken.json'), '{"format": "cinegraph.graph"');
  t = await startTestServer({ graphsDir: shipped });
});
afterAll(async () => {
  await t.close();
  await removeDir(t.dataDir);
  await removeDir(shipped);
});

const list = async () => ((await (await t.api('/api/graphs')).json()) as { graphs: TemplateInfo[] }).graphs;
const put = (name: string, doc: unknown) => t.api(`/api/graphs/${name}`, { method: 'PUT', json: doc });

test('lists shipped templates, reporting a broken one instead of hiding it', async () => {
  const graphs = await list();
  expect(graphs.find((g) => g.name === 'demo')).toEqual({ name: 'demo', description: 'adds two numbers', source: 'shipped', title: 'Demo' });
  expect(graphs.find((g) => g.name === 'broken')?.error).toMatch(/not valid JSON/);
  const demo = await t.api('/api/graphs/demo');
  expect(demo.headers.get('x-cinegraph-source')).toBe('shipped');
  expect(await demo.json()).toMatchObject({ format: 'cinegraph.graph', nodes: { a: { type: 'test/number' } } });
});

test('save, replace, shadow, delete', async () => {
  const created = await put('mine', addGraph(5, 5));
  expect(created.status).toBe(201);
  expect(await created.json()).toEqual({ name: 'mine', source: 'user', created: true });
  expect(JSON.parse(await readFile(join(t.dataDir, 'graphs', 'mine.json'), 'utf8'))).toMatchObject({ nodes: { a: { inputs: { value: 5 } } } });
  expect((await put('mine', addGraph(6, 6))).status).toBe(200);
  expect(await (await t.api('/api/graphs/mine')).json()).toMatchObject({ nodes: { a: { inputs: { value: 6 } } } });

  // A user template of a shipped name shadows it; deleting it shows the shipped one again.
  expect((await put('demo', { ...addGraph(9, 9), description: 'my demo' })).status).toBe(201);
  expect((await list()).filter((g) => g.name === 'demo')).toEqual([{ name: 'demo', description: 'my demo', source: 'user', title: 'add' }]);
  expect((await t.api('/api/graphs/demo')).headers.get('x-cinegraph-source')).toBe('user');
  const removed = await t.api('/api/graphs/demo', { method: 'DELETE' });
  expect(await removed.json()).toEqual({ name: 'demo', shadowed: true, deleted: true });
  expect((await t.api('/api/graphs/demo')).headers.get('x-cinegraph-source')).toBe('shipped');

  // A shipped template cannot be deleted.
  const refused = await t.api('/api/graphs/demo', { method: 'DELETE' });
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('shipped');

  expect((await t.api('/api/graphs/mine', { method: 'DELETE' })).status).toBe(200);
  expect((await t.api('/api/graphs/mine')).status).toBe(404);
  expect((await t.api('/api/graphs/mine', { method: 'DELETE' })).status).toBe(404);
});

test('saving something that is not a graph document is a 400 with its issues', async () => {
  const res = await put('bad', { format: 'cinegraph.graph', version: 1, nodes: { x: { inputs: {} } } });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { type: string; issues: Array<{ node?: string }> } };
  expect(body.error.type).toBe('invalid_document');
  expect(body.error.issues.some((i) => i.node === 'x')).toBe(true);
  const notJson = await t.api('/api/graphs/bad', { method: 'PUT', body: '{', headers: { 'content-type': 'application/json' } });
  expect(notJson.status).toBe(400);
  expect((await list()).some((g) => g.name === 'bad')).toBe(false);
});

test('names that could leave the templates folder are refused', async () => {
  for (const name of ['..%2Fescape', '.hidden', 'a%2Fb', 'x%00y', 'sp%20ace']) {
    const res = await put(name, addGraph(1, 1));
    expect({ name, status: res.status }).toEqual({ name, status: 400 });
  }
  // fetch would resolve these before sending; a raw client does not.
  expect((await rawRequest(t.url, '/api/graphs/..%2F..%2Fhistory')).status).toBe(400);
  expect((await rawRequest(t.url, '/api/graphs/%2E%2E', {}, 'PUT')).status).toBe(400);
  expect((await rawRequest(t.url, '/api/graphs/%2E%2E', {}, 'DELETE')).status).toBe(400);
  expect((await list()).map((g) => g.name).sort()).toEqual(['broken', 'demo']);
});

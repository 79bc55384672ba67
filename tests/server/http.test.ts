/**
 * The HTTP edge: error bodies, the token when bound beyond loopback, and refusal of foreign pages on a
 * loopback server (cross-origin requests, DNS rebinding).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServer } from '../../server/index.js';
import { memoryLogger, rawRequest, removeDir, startTestServer, tempDir, testRegistry, WsClient, type TestServer } from './helpers.js';

type ErrorJson = { error: { type: string; message: string } };

describe('errors', () => {
  let t: TestServer;
  beforeAll(async () => {
    const dataDir = await tempDir();
    t = await startTestServer({ dataDir, uiDir: join(dataDir, 'no-editor-here') });
  });
  afterAll(async () => {
    await t.close();
    await removeDir(t.dataDir);
  });

  test('malformed JSON is a 400 invalid_json', async () => {
    const res = await t.api('/api/runs', { method: 'POST', body: '{"graph": {', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.type).toBe('invalid_json');
    expect(JSON.stringify(body)).not.toMatch(/\.ts:\d|\n\s+at /); // no stack
  });

  test('a submission that is not JSON is a 400 saying what is expected', async () => {
    const res = await t.api('/api/runs', { method: 'POST', body: 'graph=1', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorJson).error.message).toContain('application/json');
  });

  test('an unknown /api route is a JSON 404', async () => {
    const res = await t.api('/api/nope?x=1');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { type: 'not_found', message: 'no route GET /api/nope' } });
    expect((await t.api('/api/runs', { method: 'PATCH' })).status).toBe(404);
  });

  test('/health answers, and / explains that the editor is not built', async () => {
    expect(await (await t.api('/health')).json()).toMatchObject({ ok: true });
    const page = await t.api('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('not built');
    expect(html).toContain('/api/nodes');
  });
});

test('a built editor folder is served at /', async () => {
  const ui = await tempDir('cinegraph-ui-');
  await mkdir(ui, { recursive: true });
  await writeFile(join(ui, 'index.html'), '<!doctype html><title>editor</title>');
  await writeFile(join(ui, 'app.js'), 'console.log(1)');
  const t = await startTestServer({ uiDir: ui });
  try {
    expect(await (await t.api('/')).text()).toContain('<title>editor</title>');
    expect(await (await t.api('/app.js')).text()).toBe('console.log(1)');
  } finally {
    await t.close();
    await removeDir(t.dataDir);
    await removeDir(ui);
  }
});

describe('bound beyond loopback', () => {
  const token = 'tok-3f9a1c5e-secret';
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ host: '0.0.0.0', token });
  });
  afterAll(async () => {
    await t.close();
    await removeDir(t.dataDir);
  });

  test('starting without a token throws', async () => {
    const saved = process.env.CINEGRAPH_TOKEN;
    delete process.env.CINEGRAPH_TOKEN;
    const dataDir = await tempDir();
    try {
      await expect(startServer({ host: '0.0.0.0', port: 0, dataDir, registry: testRegistry(), logger: memoryLogger() })).rejects.toThrow(/without a token/);
    } finally {
      if (saved !== undefined) process.env.CINEGRAPH_TOKEN = saved;
      await removeDir(dataDir);
    }
  });

  test('HTTP needs the token on every route but /health', async () => {
    expect(t.server.host).toBe('0.0.0.0');
    for (const path of ['/api/nodes', '/api/runs', '/api/graphs', '/api/files/uploads/x', '/', '/api/nope']) {
      const res = await t.api(path);
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorJson).error.type).toBe('unauthorized');
    }
    expect((await t.api('/api/runs', { method: 'POST', json: { graph: {} } })).status).toBe(401);
    expect((await t.api('/api/nodes', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await t.api('/health')).status).toBe(200);

    expect((await t.api('/api/nodes', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const viaQuery = await t.api(`/?token=${token}`);
    expect(viaQuery.status).toBe(200);
    // The browser keeps the token in an HttpOnly cookie for the editor's assets and WebSocket.
    const cookie = viaQuery.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await t.api('/api/runs', { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
  });

  test('the WebSocket upgrade needs the token', async () => {
    const refused = new WebSocket(`${t.url.replace('http', 'ws')}/api/ws`);
    const status = await new Promise<number>((resolve, reject) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.once('open', () => reject(new Error('the upgrade was accepted without a token')));
      refused.once('error', () => resolve(-1));
    });
    expect(status).toBe(401);

    const client = await WsClient.connect(`${t.url}/api/ws?token=${token}`);
    expect(client.messages[0]).toMatchObject({ type: 'hello', queue: { running: [], pending: [] } });
    client.close();
    const withHeader = await WsClient.connect(`${t.url}/api/ws`, { authorization: `Bearer ${token}` });
    withHeader.close();
  });

  test('the token never reaches the log', () => {
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.some((line) => line.includes(token))).toBe(false);
  });
});

describe('a loopback server without a token', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
    await removeDir(t.dataDir);
  });

  test('refuses requests for a non-loopback Host name (DNS rebinding)', async () => {
    const res = await rawRequest(t.url, '/api/runs', { host: `evil.example:${t.server.port}` });
    expect(res.status).toBe(403);
    expect((await rawRequest(t.url, '/api/runs', { host: `localhost:${t.server.port}` })).status).toBe(200);
  });

  test('refuses a foreign Origin on HTTP and on the WebSocket, accepts its own', async () => {
    const foreign = await t.api('/api/runs', { method: 'POST', json: { graph: {} }, headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const own = await t.api('/api/runs', { headers: { origin: t.url } });
    expect(own.status).toBe(200);

    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/ws`, { headers: { origin: 'https://evil.example' } });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(-1));
    });
    ws.terminate();
    expect(status).toBe(403);
  });
});

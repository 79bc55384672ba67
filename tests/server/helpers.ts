/**
 * Helpers for server tests: a server on an ephemeral loopback port over a temp data folder with the
 * test-only node pack, a WebSocket client that keeps every message, and small graph builders.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { NodeRegistry, type EventOf, type GraphDocument, type NodePack } from '../../engine/index.js';
import { startServer, type HubMessage, type RunningServer, type ServerOptions } from '../../server/index.js';
import { testPack } from '../support/test-nodes.js';

/** A logger that keeps lines (to assert on) and prints nothing. */
export function memoryLogger() {
  const lines: string[] = [];
  return { lines, info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) };
}

export async function tempDir(prefix = 'cinegraph-server-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function testRegistry(...extra: NodePack[]): NodeRegistry {
  const registry = new NodeRegistry().addPack(testPack);
  for (const pack of extra) registry.addPack(pack);
  return registry;
}

/** A started server plus what tests need around it. */
export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  logs: string[];
  /** fetch against the server, JSON bodies sent as JSON. */
  api(path: string, init?: { method?: string; json?: unknown; body?: string | Uint8Array; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 with a fresh data folder (or the one given) and the test pack. */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const logger = memoryLogger();
  const emptyGraphs = options.graphsDir ?? join(dataDir, 'no-shipped-graphs');
  const server = await startServer({ port: 0, registry: testRegistry(), logger, graphsDir: emptyGraphs, ...options, dataDir });
  const api: TestServer['api'] = (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    let body: string | Uint8Array | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(server.url + path, { method: init.method ?? 'GET', headers, body });
  };
  return { server, url: server.url, dataDir, logs: logger.lines, api, close: () => server.close() };
}

/** Removes a data folder made by `tempDir`. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A WebSocket client that records every message and lets tests wait for one. */
export class WsClient {
  readonly messages: HubMessage[] = [];
  private waiters: Array<{ match: (m: HubMessage) => boolean; resolve: (m: HubMessage) => void }> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as HubMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
  }

  /** Connects and resolves once the `hello` snapshot arrived. */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    await client.waitFor((m) => m.type === 'hello');
    return client;
  }

  /** The first message (already received or coming) that matches. */
  waitFor<M extends HubMessage = HubMessage>(match: (m: HubMessage) => boolean): Promise<M> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as M);
    return new Promise((resolve) => this.waiters.push({ match, resolve: resolve as (m: HubMessage) => void }));
  }

  /** Waits for the run's `run-finished` event. */
  finished(runId: string): Promise<EventOf<'run-finished'>> {
    return this.waitFor<EventOf<'run-finished'>>((m) => m.type === 'run-finished' && m.runId === runId);
  }

  /** The events of one run, in arrival order. */
  eventsOf(runId: string): HubMessage[] {
    return this.messages.filter((m) => 'runId' in m && m.runId === runId);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Submits a run and returns its id (asserting the 202). */
export async function submit(t: TestServer, graph: unknown, inputs?: Record<string, unknown>): Promise<string> {
  const res = await t.api('/api/runs', { method: 'POST', json: inputs ? { graph, inputs } : { graph } });
  const body = (await res.json()) as { id: string };
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${JSON.stringify(body)}`);
  return body.id;
}

/** A raw HTTP request (fetch would normalise `..` and refuses a Host header). */
export function rawRequest(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const doc = (nodes: GraphDocument['nodes'], extra: Partial<GraphDocument> = {}): GraphDocument => ({ format: 'cinegraph.graph', version: 1, nodes, ...extra });

/** number(a) -> add(+b) -> sink "out": the output is a + b. */
export function addGraph(a: number, b: number): GraphDocument {
  return doc(
    {
      a: { type: 'test/number', inputs: { value: a } },
      sum: { type: 'test/add', inputs: { a: { from: 'a', output: 'value' }, b } },
      out: { type: 'test/sink', inputs: { value: { from: 'sum', output: 'sum' } } },
    },
    { name: 'add', params: { b: { node: 'sum', input: 'b' } } },
  );
}

/** number(tag) -> slow(ms) -> sink "out": runs about `ms`, cancellable. `tag` makes runs distinct for the cache. */
export function slowGraph(ms: number, tag: number): GraphDocument {
  return doc({
    n: { type: 'test/number', inputs: { value: tag } },
    slow: { type: 'test/slow', inputs: { value: { from: 'n', output: 'value' }, ms } },
    out: { type: 'test/sink', inputs: { value: { from: 'slow', output: 'value' } } },
  });
}

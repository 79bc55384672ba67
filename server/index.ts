/**
 * The Cinegraph server: the HTTP API and WebSocket of DESIGN section 6 over the engine.
 *
 * @example
 * import { startServer } from './server/index.js';
 * const server = await startServer({ port: 0 });
 * console.log(server.url); // http://127.0.0.1:43127
 * await server.close();
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LruCacheStore, type NodeRegistry } from '../engine/index.js';
import { builtinRegistry } from '../nodes/index.js';
import { createApp } from './app.js';
import type { DataDirs, ServerContext, ServerLogger } from './context.js';
import { RunHistory } from './history.js';
import { RunQueue } from './run-queue.js';
import { checkAccess, isLoopbackHost, type AccessPolicy } from './security.js';
import { TemplateStore } from './templates.js';
import { WsHub } from './ws-hub.js';

/** How to start a server. Every field is optional. */
export interface ServerOptions {
  /** Interface to bind; default '127.0.0.1'. Anything but loopback requires `token`. */
  host?: string;
  /** Port; default 8188, 0 picks a free one. */
  port?: number;
  /** Default `process.env.CINEGRAPH_TOKEN`. When set, every route but /health and the WebSocket require it. */
  token?: string;
  /** Default `process.env.CINEGRAPH_DATA ?? './data'`: holds history/, uploads/, outputs/, graphs/ (user templates). */
  dataDir?: string;
  /** Shipped templates; default the repository's graphs/ folder. */
  graphsDir?: string;
  /** The built editor served at '/'; default the repository's ui/dist when it exists. */
  uiDir?: string;
  /** Default: every built-in pack. */
  registry?: NodeRegistry;
  /** Runs at once; default 1. */
  concurrency?: number;
  /** Largest upload; default 64 MiB. */
  maxUploadBytes?: number;
  /** Default: the console. */
  logger?: ServerLogger;
}

/** A listening server. */
export interface RunningServer {
  /** Where to reach it, e.g. `http://127.0.0.1:8188` (a wildcard bind is reported as loopback). */
  url: string;
  port: number;
  /** The interface it is bound to, as given. */
  host: string;
  /** Cancels queued and running runs, closes every connection, and waits for history to be written. */
  close(): Promise<void>;
}

export { createApp } from './app.js';
export type { ServerContext, ServerLogger, DataDirs } from './context.js';
export type { RunRecord, RunSummary, RunState, RunError } from './history.js';
export type { HelloMessage, HubMessage } from './ws-hub.js';
export type { TemplateInfo, TemplateSource } from './templates.js';
export { isLoopbackHost } from './security.js';

const consoleLogger: ServerLogger = {
  info: (m) => console.log(`cinegraph: ${m}`),
  warn: (m) => console.warn(`cinegraph: ${m}`),
  error: (m) => console.error(`cinegraph: ${m}`),
};

/** The repository root: the first folder above this module holding package.json (works from dist/ too). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** The editor folder when it holds a built editor (an index.html). */
function editorDir(dir: string): string | undefined {
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * Starts the server: loads history, listens, and resolves once it accepts connections.
 * Throws when asked to bind beyond loopback without a token.
 * @example const server = await startServer({ host: '0.0.0.0', port: 8188, token: process.env.CINEGRAPH_TOKEN });
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8188;
  const rawToken = options.token ?? process.env.CINEGRAPH_TOKEN;
  const token = rawToken ? rawToken : undefined;
  const loopback = isLoopbackHost(host);
  if (!loopback && token === undefined) {
    throw new Error(
      `refusing to listen on ${host} without a token: anyone who can reach it could run graphs and read files. ` +
        'Set a token (--token or CINEGRAPH_TOKEN) or bind 127.0.0.1.',
    );
  }
  const logger = options.logger ?? consoleLogger;
  const root = repoRoot();
  const data = resolve(options.dataDir ?? process.env.CINEGRAPH_DATA ?? './data');
  const dirs: DataDirs = {
    data,
    history: join(data, 'history'),
    uploads: join(data, 'uploads'),
    outputs: join(data, 'outputs'),
    userGraphs: join(data, 'graphs'),
    shippedGraphs: resolve(options.graphsDir ?? join(root, 'graphs')),
    ui: editorDir(options.uiDir !== undefined ? resolve(options.uiDir) : join(root, 'ui', 'dist')),
  };
  if (options.uiDir !== undefined && !dirs.ui) logger.warn(`no index.html in ${resolve(options.uiDir)}; serving the "editor not built" page`);
  for (const dir of [dirs.uploads, dirs.outputs, dirs.userGraphs]) await mkdir(dir, { recursive: true });

  const registry = options.registry ?? builtinRegistry();
  const history = await RunHistory.open(dirs.history, logger);
  const queue = new RunQueue({
    registry,
    history,
    outputsDir: dirs.outputs,
    concurrency: options.concurrency ?? 1,
    cache: new LruCacheStore(),
    logger,
    services: { dataDir: dirs.data, uploadsDir: dirs.uploads },
  });
  const access: AccessPolicy = { token, loopback };
  const ctx: ServerContext = {
    registry,
    queue,
    history,
    templates: new TemplateStore(dirs.shippedGraphs, dirs.userGraphs),
    dirs,
    access,
    maxUploadBytes: options.maxUploadBytes ?? 64 * 1024 * 1024,
    logger,
  };

  const server = createServer(createApp(ctx));
  server.on('clientError', (_error, socket) => socket.destroy());
  const hub = new WsHub(server, {
    path: '/api/ws',
    authorize: (req) => checkAccess(req, access),
    hello: () => ({ type: 'hello', queue: queue.snapshot(), recent: history.list({ limit: 20 }).runs }),
    logger,
  });
  const subscription = queue.events.subscribe((event) => hub.broadcast(event));

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use; pick another with --port`) : error),
    );
    server.listen(port, host, () => resolveListen());
  }).catch(async (error) => {
    await hub.close();
    throw error;
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${bound}`;
  logger.info(`listening on ${url}${loopback ? '' : ` (bound to ${host}, token required)`}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await queue.close();
      subscription.unsubscribe();
      await hub.close();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await history.flush();
    })());
  return { url, port: bound, host, close };
}

/**
 * Logs errors that escape every handler (a node's stray timer or promise) instead of letting them end the
 * process. Meant for the long-running `cinegraph serve`, not for libraries embedding the server.
 * @example installProcessGuards(logger);
 */
export function installProcessGuards(logger: ServerLogger = consoleLogger): void {
  process.on('uncaughtException', (error) => logger.error(`uncaught exception (the server keeps running): ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) =>
    logger.error(`unhandled rejection (the server keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`),
  );
}

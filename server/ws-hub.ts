/**
 * The WebSocket hub at `/api/ws`, on the same HTTP server: it greets each client with a snapshot
 * (`{type: 'hello', queue, recent}`, so a reconnecting editor resynchronises) and then broadcasts every
 * run event, as is, as JSON.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RunEvent } from '../engine/index.js';
import type { ServerLogger } from './context.js';
import type { RunSummary } from './history.js';
import type { Refusal } from './security.js';

/** The first message a client receives. */
export interface HelloMessage {
  type: 'hello';
  queue: { running: RunSummary[]; pending: RunSummary[] };
  /** The latest runs, newest first. */
  recent: RunSummary[];
}

/** What clients receive. */
export type HubMessage = HelloMessage | RunEvent;

/** How the hub decides and greets. */
export interface WsHubOptions {
  path: string;
  /** Undefined to accept the upgrade, or why it is refused. */
  authorize(req: IncomingMessage): Refusal | undefined;
  hello(): HelloMessage;
  logger: ServerLogger;
}

/** Events a slow client may miss rather than queue up (the next one supersedes them). */
const DROPPABLE = new Set<RunEvent['type']>(['node-progress', 'node-preview', 'node-items', 'node-metric']);
/** Bytes queued for one client before droppable events are skipped, and before it is cut off. */
const SOFT_BUFFER = 4 * 1024 * 1024;
const HARD_BUFFER = 64 * 1024 * 1024;
const PING_MS = 30_000;

/**
 * @example const hub = new WsHub(httpServer, { path: '/api/ws', authorize, hello, logger }); hub.broadcast(event);
 */
export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly alive = new WeakSet<WebSocket>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly server: Server,
    private readonly options: WsHubOptions,
  ) {
    server.on('upgrade', this.onUpgrade);
    this.wss.on('connection', (ws) => this.onConnection(ws));
    // Drop clients that stopped answering pings (a laptop that slept, a dead proxy).
    this.timer = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, PING_MS);
    this.timer.unref();
  }

  /** Clients connected now. */
  get size(): number {
    return this.wss.clients.size;
  }

  /** Sends one message to every client. */
  broadcast(message: HubMessage): void {
    if (this.wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    const droppable = DROPPABLE.has(message.type as RunEvent['type']);
    for (const ws of this.wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > HARD_BUFFER) {
        this.options.logger.warn('ws: a client fell too far behind and was disconnected');
        ws.terminate();
        continue;
      }
      if (droppable && ws.bufferedAmount > SOFT_BUFFER) continue;
      ws.send(text);
    }
  }

  /** Closes every connection and stops listening for upgrades. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.server.off('upgrade', this.onUpgrade);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.options.path) return reject(socket, 404, 'Not Found');
    const refusal = this.options.authorize(req);
    if (refusal) return reject(socket, refusal.status, refusal.status === 401 ? 'Unauthorized' : 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  };

  private onConnection(ws: WebSocket): void {
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('error', (error) => this.options.logger.warn(`ws: ${error.message}`));
    ws.on('message', () => {}); // clients have nothing to say yet; messages are ignored
    try {
      ws.send(JSON.stringify(this.options.hello()));
    } catch (error) {
      this.options.logger.error(`ws: cannot greet a client: ${(error as Error).message}`);
      ws.terminate();
    }
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) return void socket.destroy();
  // End, then destroy once flushed: destroying at once may drop the response.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The WebSocket to `/api/ws`: delivers every server message, and reconnects with exponential backoff
 * (0.5 s doubling to 10 s, reset once connected). Each (re)connection starts with the server's `hello`
 * snapshot, which the editor uses to resynchronise after a server restart.
 */
import { pageToken } from './api.js';
import type { ServerMessage } from './protocol.js';

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface SocketOptions {
  onMessage(message: ServerMessage): void;
  onStatus(status: SocketStatus, retryInMs?: number): void;
}

const FIRST_DELAY = 500;
const MAX_DELAY = 10_000;

/**
 * @example const socket = connectSocket({ onMessage: (m) => console.log(m), onStatus: (s) => console.log(s) });
 */
export function connectSocket(options: SocketOptions): { close(): void } {
  let delay = FIRST_DELAY;
  let ws: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const url = () => {
    const token = pageToken();
    const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
    return token ? `${base}?token=${encodeURIComponent(token)}` : base;
  };

  const open = () => {
    options.onStatus('connecting');
    ws = new WebSocket(url());
    ws.onopen = () => {
      delay = FIRST_DELAY;
      options.onStatus('open');
    };
    ws.onmessage = (e) => {
      try {
        options.onMessage(JSON.parse(String(e.data)) as ServerMessage);
      } catch (error) {
        console.error('cinegraph: bad message from the server', error);
      }
    };
    ws.onclose = () => {
      ws = undefined;
      if (stopped) return;
      options.onStatus('closed', delay);
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    };
  };
  open();
  return {
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.close();
    },
  };
}

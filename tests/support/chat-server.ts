/**
 * A real chat-completions server on loopback for tests: node:http on an ephemeral port, answering each
 * POST /v1/chat/completions from a script (a list of replies in order, or a function of the request), and
 * recording every request and how many were in flight at once.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer. */
export interface Reply {
  /** HTTP status (default 200). */
  status?: number;
  /** A JSON body (sent with content-type application/json). */
  json?: unknown;
  /** A raw body (sent as text/plain unless headers say otherwise). */
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (until the client gives up or the server closes). */
  hang?: boolean;
}

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: any;
  /** When it arrived (Date.now()). */
  at: number;
}

export type Script = Reply[] | ((request: RecordedRequest, index: number) => Reply | Promise<Reply>);

/** A running server. */
export interface ChatServer {
  /** The API root to give a backend, e.g. `http://127.0.0.1:41234/v1`. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** The most requests that were in flight at the same time. */
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A 200 chat-completions answer whose message content is `content`.
 * @example chatReply('{"instruction": "Open the door"}')
 */
export function chatReply(content: string, finishReason = 'stop'): Reply {
  return {
    json: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 0,
      model: 'test-model',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    },
  };
}

/**
 * An OpenAI-style error body.
 * @example errorReply(400, 'model not found')
 */
export function errorReply(status: number, message: string, headers?: Record<string, string>): Reply {
  return { status, json: { error: { message, type: 'invalid_request_error', code: null } }, headers };
}

/**
 * Starts a server on 127.0.0.1:0. A list script answers requests in arrival order; a request past its end
 * gets a 500 naming the overrun.
 *
 * @example
 * const server = await startChatServer([chatReply('{"a": 1}')]);
 * ... createEndpointVlm({ baseUrl: server.baseUrl, model: 'm' }) ...
 * await server.close();
 */
export async function startChatServer(script: Script): Promise<ChatServer> {
  let inFlight = 0;
  const state = { requests: [] as RecordedRequest[], maxInFlight: 0 };
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
    const index = state.requests.push(record) - 1;
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    let finished = false;
    const finish = () => {
      if (!finished) (finished = true), inFlight--;
    };
    res.on('close', finish);

    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const reply: Reply = Array.isArray(script)
      ? (script[index] ?? { status: 500, body: `test script has no reply for request ${index + 1}` })
      : await script(record, index);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.hang) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const isJson = reply.json !== undefined;
    const payload = isJson ? JSON.stringify(reply.json) : (reply.body ?? '');
    res.writeHead(reply.status ?? 200, { 'content-type': isJson ? 'application/json' : 'text/plain', ...reply.headers });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

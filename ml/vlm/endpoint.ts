/**
 * A VlmBackend over any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp server,
 * GPT-4o): images as `image_url` data URLs, a per-attempt timeout tied to the run's signal, retries with
 * backoff on 429, 5xx and network errors, and a concurrency limit shared per endpoint. The API key is
 * read from an environment variable named by the caller and never appears in an error or a log line.
 */
import type { RawImage } from '../../engine/index.js';
import type { VlmBackend, VlmRequest } from './backend.js';
import { imageDataUrl, type ImageEncoding } from './images.js';
import { endpointLimit } from './limit.js';
import { backoffDelay, retryAfterMs, sleep, type BackoffOptions } from './retry.js';

/** How to reach an endpoint. */
export interface EndpointOptions {
  /** The API root, e.g. `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:11434/v1` (Ollama), `https://api.openai.com/v1`. */
  baseUrl: string;
  model: string;
  /** The NAME of the environment variable holding the key (default `OPENAI_API_KEY`); '' for none. Unset: no Authorization header. */
  apiKeyEnv?: string;
  /** Where `apiKeyEnv` is looked up (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per attempt, in ms (default 120 000). A timed-out attempt is not retried. */
  timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx and network errors (default 3). */
  retries?: number;
  /** Requests in flight at once to this endpoint, across every backend in the process (default 4). */
  concurrency?: number;
  backoff?: BackoffOptions;
  images?: ImageEncoding;
  log?: { warn(message: string): void; debug(message: string): void };
}

/**
 * The endpoint failed. `status` is the HTTP status when there was one; the message never holds the key.
 *
 * @example if (error instanceof EndpointError && error.status === 401) console.log('check the key');
 */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string | ContentPart[] };

type Answer = { content: string; finishReason?: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Creates the backend. Nothing is sent until `generate`.
 *
 * @example
 * const vlm = createEndpointVlm({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen2-VL-7B-Instruct', apiKeyEnv: 'VLLM_KEY' });
 * const text = await vlm.generate({ prompt: 'What changed?', images: [a, b], maxTokens: 256 });
 */
export function createEndpointVlm(options: EndpointOptions): VlmBackend {
  const base = options.baseUrl.trim().replace(/\/+$/, '');
  // fetch refuses credentials in URLs, and they would show in errors and logs: keys go in the environment.
  if (/^[\w+.-]+:\/\/[^/]*@/.test(base)) throw new Error('baseUrl must not hold credentials (user:password@host); put the key in the environment variable named by apiKeyEnv');
  if (!/^https?:\/\/[^/]/.test(base) || !URL.canParse(base)) {
    throw new Error(`baseUrl must be an http(s) URL such as http://127.0.0.1:8000/v1, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (!options.model.trim()) throw new Error('model is empty: give the model name the endpoint serves (e.g. "gpt-4o" or "Qwen/Qwen2-VL-7B-Instruct")');
  const keyEnv = (options.apiKeyEnv ?? 'OPENAI_API_KEY').trim();
  // The widget takes a variable's name; a key pasted into it would end up in graphs and history.
  if (keyEnv !== '' && !ENV_NAME.test(keyEnv)) {
    throw new Error('apiKeyEnv must be the NAME of an environment variable (letters, digits, _), not the key itself; the value given is not shown');
  }
  const url = /\/chat\/completions$/.test(base) ? base : `${base}/chat/completions`;
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const retries = Math.max(0, Math.floor(options.retries ?? 3));
  const limit = endpointLimit(url, options.concurrency ?? 4);

  async function generate(request: VlmRequest): Promise<string> {
    const key = keyEnv ? env[keyEnv]?.trim() || undefined : undefined;
    const redact = (text: string) => (key ? text.split(key).join('[redacted]') : text);
    const body = JSON.stringify({
      model: options.model,
      messages: await messages(request, options.images),
      max_tokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.json ? { response_format: { type: 'json_object' } } : {}),
      stream: false,
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;

    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await limit.run(() => post(url, headers, body, timeoutMs, request.signal), request.signal);
        if (answer.finishReason === 'length') options.log?.warn(`POST ${url}: the answer was cut at max_tokens ${request.maxTokens}; raise maxTokens if its JSON is incomplete`);
        return answer.content;
      } catch (error) {
        request.signal?.throwIfAborted();
        if (!(error instanceof EndpointError)) throw error;
        const hint = (error.status === 401 || error.status === 403) && !key && keyEnv ? ` (environment variable ${keyEnv} is not set)` : '';
        const where = `POST ${url} (model ${options.model})`;
        if (!error.retryable || attempt >= retries) {
          const tries = attempt === 0 ? '' : ` after ${attempt + 1} attempts`;
          throw new EndpointError(redact(`${where} failed${tries}: ${error.message}${hint}`), error.status, false);
        }
        const delay = Math.min(error.retryAfterMs ?? backoffDelay(attempt, options.backoff), options.backoff?.maxMs ?? 30_000);
        options.log?.warn(redact(`${where}: ${error.message}; retry ${attempt + 1}/${retries} in ${(delay / 1000).toFixed(1)} s`));
        await sleep(delay, request.signal);
      }
    }
  }

  return { name: `endpoint ${base} (${options.model})`, generate };
}

/** The chat messages of a request: system, history, then this turn (images before text). */
async function messages(request: VlmRequest, encoding: ImageEncoding | undefined): Promise<ChatMessage[]> {
  const user = async (text: string, images: readonly RawImage[] = []): Promise<ChatMessage> => {
    if (images.length === 0) return { role: 'user', content: text };
    const urls = await Promise.all(images.map((img) => imageDataUrl(img, encoding)));
    return { role: 'user', content: [...urls.map((url): ContentPart => ({ type: 'image_url', image_url: { url } })), { type: 'text', text }] };
  };
  const out: ChatMessage[] = request.system ? [{ role: 'system', content: request.system }] : [];
  for (const turn of request.history ?? []) {
    out.push(turn.role === 'user' ? await user(turn.text, turn.images) : { role: 'assistant', content: turn.text });
  }
  out.push(await user(request.prompt, request.images));
  return out;
}

/** One attempt: POST, read, classify. Throws EndpointError (retryable or not) or the run's abort. */
async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, runSignal?: AbortSignal): Promise<Answer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = runSignal ? AbortSignal.any([runSignal, timeout]) : timeout;
  let status: number;
  let text: string;
  let responseHeaders: Headers;
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal });
    status = response.status;
    responseHeaders = response.headers;
    text = await response.text();
  } catch (error) {
    runSignal?.throwIfAborted();
    if (timeout.aborted) throw new EndpointError(`no answer within ${(timeoutMs / 1000).toFixed(1)} s (timeoutSeconds)`, undefined, false);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new EndpointError(`network error: ${cause?.code ?? cause?.message ?? (error as Error).message}`, undefined, true);
  }
  if (status === 429 || status >= 500) {
    throw new EndpointError(`HTTP ${status}: ${serverMessage(text)}`, status, true, retryAfterMs(responseHeaders));
  }
  if (status < 200 || status >= 300) throw new EndpointError(`HTTP ${status}: ${serverMessage(text)}`, status, false);
  return contentOf(text, status);
}

/** The server's own error message, or the start of its body. */
function serverMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = json.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
  } catch {
    // not JSON: quote the body
  }
  const snippet = text.trim().slice(0, 300);
  return snippet ? JSON.stringify(snippet) : '(empty body)';
}

/** The model's text from a chat-completions body, and why it stopped. */
function contentOf(text: string, status: number): Answer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EndpointError(`HTTP ${status} with a body that is not JSON (is baseUrl a chat-completions API?): ${JSON.stringify(text.trim().slice(0, 200))}`, status, false);
  }
  const body = json as { error?: unknown; choices?: Array<{ finish_reason?: unknown; message?: { content?: unknown; refusal?: unknown } }> };
  if (body?.error) throw new EndpointError(`HTTP ${status} with an error: ${serverMessage(text)}`, status, false);
  const message = Array.isArray(body?.choices) ? body.choices[0]?.message : undefined;
  if (!message) throw new EndpointError(`HTTP ${status} without choices[0].message: ${JSON.stringify(text.trim().slice(0, 200))}`, status, false);
  if (typeof message.refusal === 'string' && message.refusal) throw new EndpointError(`the model refused: ${message.refusal}`, status, false);
  const finishReason = typeof body.choices![0]!.finish_reason === 'string' ? (body.choices![0]!.finish_reason as string) : undefined;
  const content = message.content;
  if (typeof content === 'string') return { content, finishReason };
  if (Array.isArray(content)) return { content: content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join(''), finishReason };
  if (content === null || content === undefined) return { content: '', finishReason };
  throw new EndpointError(`HTTP ${status} with choices[0].message.content of type ${typeof content}`, status, false);
}

/** Backoff delays for retried requests: exponential with jitter, or what the server asked for. */

/** How retries wait. */
export interface BackoffOptions {
  /** The first delay before jitter, in ms. Default 500. */
  baseMs?: number;
  /** The longest delay, in ms (also caps a server's Retry-After). Default 30 000. */
  maxMs?: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): `base * 2^attempt`, capped, with
 * "equal jitter" (between half and all of it) so that clients that failed together do not retry together.
 *
 * @example backoffDelay(2, { baseMs: 100 }) // between 200 and 400
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const exp = Math.min(options.maxMs ?? 30_000, (options.baseMs ?? 500) * 2 ** attempt);
  return Math.round(exp / 2 + (exp / 2) * random());
}

/**
 * The delay a response asks for, in ms: `retry-after-ms` (OpenAI), or `Retry-After` as seconds or an
 * HTTP date. Undefined when absent or unreadable.
 *
 * @example retryAfterMs(new Headers({ 'retry-after': '2' })) // 2000
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts.
 *
 * @example await sleep(250, ctx.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

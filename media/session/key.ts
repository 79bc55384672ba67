/**
 * Stable session keys: the same video and the same frame times give the same key on every run, so a rerun
 * finds the sessions it already wrote.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * The key of a session: 24 hex digits of SHA-256 over the source (an absolute path, or a URL as given) and
 * the frame times rounded to milliseconds. Keys hold no dots (WebDataset splits member names at the first).
 * @example sessionKey('clips/a.mp4', [0.5, 1.25]) // 'c0ffee...'
 */
export function sessionKey(source: string, times: readonly number[]): string {
  const where = /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : resolve(source);
  const when = times.map((t) => Math.round(t * 1000)).join(',');
  return createHash('sha256').update(`${where}\n${when}`).digest('hex').slice(0, 24);
}

/**
 * Streaming sessions back from shards: seeded shuffling (shard order plus a shuffle buffer) and worker
 * sharding, where worker `w` of `n` gets the sessions whose ordinal in the index is w modulo n, so every
 * session goes to exactly one worker.
 */
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tar from 'tar-stream';
import type { Session } from '../session/index.js';
import { listShards, type ShardEntry } from './listing.js';
import { sessionFromMembers, splitMember } from './members.js';

/** Options of readShards. */
export interface ReadShardsOptions {
  dir: string;
  /** Shuffle buffer size; 0 keeps the stored order (default 0). Shard order is shuffled too when > 0. */
  shuffle?: number;
  seed?: number;
  /** This worker's index, 0..workers-1 (default 0). */
  worker?: number;
  /** How many workers split the sessions (default 1). */
  workers?: number;
  /** Decode pictures (default true); false yields records only. */
  decode?: boolean;
  /** A shard that cannot be read: end with an error (default) or report it through `onSkip` and go on. */
  onBadShard?: 'fail' | 'skip';
  onSkip?: (shard: string, error: Error) => void;
  prefix?: string;
  signal?: AbortSignal;
}

/**
 * Yields sessions from a shard folder.
 * @example for await (const s of readShards({ dir: 'out/shards', shuffle: 64, seed: 1, worker: 0, workers: 2 })) ...
 */
export async function* readShards(options: ReadShardsOptions): AsyncGenerator<Session> {
  const dir = resolve(options.dir);
  const workers = options.workers ?? 1;
  const worker = options.worker ?? 0;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be an integer >= 1, got ${workers}`);
  if (!Number.isInteger(worker) || worker < 0 || worker >= workers) throw new Error(`worker must be in 0..${workers - 1}, got ${worker}`);
  let shards: ShardEntry[];
  try {
    shards = await listShards(dir, options.prefix);
  } catch (error) {
    throw new Error(`cannot list the shards in ${dir}: ${(error as Error).message}`);
  }
  // Each worker's keys, decided on the stored order before any shuffling.
  let ordinal = 0;
  const plan = shards
    .map((entry) => ({ entry, mine: new Set(entry.keys.filter(() => ordinal++ % workers === worker)) }))
    .filter((p) => p.mine.size > 0);
  const rng = mulberry(options.seed ?? 0);
  const bufferSize = Math.max(0, Math.floor(options.shuffle ?? 0));
  if (bufferSize > 0) shuffleInPlace(plan, rng);
  const buffer: Session[] = [];
  for (const { entry, mine } of plan) {
    try {
      for await (const session of shardSessions(join(dir, entry.shard), mine, options.decode ?? true, options.signal)) {
        if (bufferSize === 0) {
          yield session;
          continue;
        }
        if (buffer.length < bufferSize) {
          buffer.push(session);
          continue;
        }
        const k = Math.floor(rng() * buffer.length);
        const out = buffer[k]!;
        buffer[k] = session;
        yield out;
      }
    } catch (error) {
      if (options.onBadShard !== 'skip' || options.signal?.aborted) throw error;
      options.onSkip?.(entry.shard, error as Error);
    }
  }
  shuffleInPlace(buffer, rng);
  yield* buffer;
}

/** The sessions of one shard whose keys are in `keys`, in stored order. */
async function* shardSessions(path: string, keys: Set<string>, decode: boolean, signal?: AbortSignal): AsyncGenerator<Session> {
  const extract = tar.extract();
  const input = createReadStream(path);
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  let key: string | undefined;
  let members = new Map<string, Buffer>();
  const where = path;
  try {
    for await (const entry of extract) {
      signal?.throwIfAborted();
      const [k, suffix] = splitMember(entry.header.name);
      if (k !== key) {
        if (key !== undefined && keys.has(key)) yield await sessionFromMembers(members, where, decode);
        key = k;
        members = new Map();
      }
      if (keys.has(k)) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        members.set(suffix, Buffer.concat(chunks));
      } else entry.resume();
    }
    if (key !== undefined && keys.has(key)) yield await sessionFromMembers(members, where, decode);
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.includes(path) ? message : `${path} is not a readable shard: ${message}`);
  } finally {
    input.destroy();
    extract.destroy();
  }
}

function mulberry(seed: number): () => number {
  let state = (Math.trunc(seed) ^ 0x5bd1e995) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleInPlace<X>(items: X[], rng: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * The shard folder's listing: `index.jsonl` (one line per completed shard: name, keys, sizes) plus recovery
 * of completed shards whose line was lost (a kill between the rename and the index append).
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { splitMember } from './members.js';

/** The index file's name in a shard folder. */
export const INDEX_FILE = 'index.jsonl';
/** Suffix of a shard being written; such files are discarded when a writer opens the folder. */
export const TEMP_SUFFIX = '.tmp';

/** One line of index.jsonl: a completed shard. */
export interface ShardEntry {
  shard: string;
  /** Session keys, in the order they are stored. */
  keys: string[];
  /** Bytes each session takes in the shard (tar headers and padding included). */
  sizes: number[];
  /** Bytes of the whole shard file. */
  bytes: number;
}

/** Matches a completed shard's file name and captures its number. */
export function shardPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{6,})\\.tar$`);
}

/**
 * Reads index.jsonl. A torn last line (a kill mid-append) is dropped and reported in `torn`.
 * @example const { entries } = await readIndex('out/shards');
 */
export async function readIndex(dir: string): Promise<{ entries: ShardEntry[]; torn: boolean }> {
  let text: string;
  try {
    text = await readFile(join(dir, INDEX_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], torn: false };
    throw error;
  }
  const entries: ShardEntry[] = [];
  let torn = text.length > 0 && !text.endsWith('\n');
  const lines = text.split('\n').filter((l) => l.trim());
  lines.forEach((line, i) => {
    try {
      const e = JSON.parse(line) as ShardEntry;
      if (typeof e.shard !== 'string' || !Array.isArray(e.keys)) throw new Error('not a shard entry');
      entries.push(e);
    } catch (error) {
      if (i === lines.length - 1) torn = true;
      else throw new Error(`${join(dir, INDEX_FILE)} line ${i + 1} is not a shard entry: ${(error as Error).message}`);
    }
  });
  return { entries, torn };
}

/**
 * Lists the keys and sizes of a shard by reading it with a standard tar parser.
 * @example const entry = await scanShard('out/shards', 'shard-000003.tar');
 */
export async function scanShard(dir: string, shard: string): Promise<ShardEntry> {
  const path = join(dir, shard);
  const keys: string[] = [];
  const sizes: number[] = [];
  const extract = tar.extract();
  const input = createReadStream(path);
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  let bytes = 0;
  try {
    for await (const entry of extract) {
      const size = 512 + Math.ceil(entry.header.size! / 512) * 512;
      bytes += size;
      const [key] = splitMember(entry.header.name);
      if (keys[keys.length - 1] !== key) {
        keys.push(key);
        sizes.push(0);
      }
      sizes[sizes.length - 1]! += size;
      entry.resume();
    }
  } catch (error) {
    throw new Error(`${path} is not a readable tar shard: ${(error as Error).message}`);
  }
  return { shard, keys, sizes, bytes: bytes + 1024 };
}

/**
 * Every completed shard of a folder in order: the index's entries, then shards the index lacks (scanned).
 * Read-only: it neither repairs the index nor removes anything.
 * @example const shards = await listShards('out/shards');
 */
export async function listShards(dir: string, prefix = 'shard'): Promise<ShardEntry[]> {
  const { entries } = await readIndex(dir);
  const known = new Set(entries.map((e) => e.shard));
  const pattern = shardPattern(prefix);
  const files = (await readdir(dir)).filter((n) => pattern.test(n) && !known.has(n)).sort();
  for (const f of files) entries.push(await scanShard(dir, f));
  return entries;
}

/**
 * Rewrites index.jsonl with exactly these entries (temp file, fsync, rename).
 * @example await writeIndex(dir, entries);
 */
export async function writeIndex(dir: string, entries: ShardEntry[]): Promise<void> {
  const path = join(dir, INDEX_FILE);
  const temp = path + TEMP_SUFFIX;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(entries.map((e) => JSON.stringify(e) + '\n').join(''));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await syncDir(dir);
}

/**
 * Appends one entry to index.jsonl and fsyncs it.
 * @example await appendIndex(dir, entry);
 */
export async function appendIndex(dir: string, entry: ShardEntry): Promise<void> {
  const file = await open(join(dir, INDEX_FILE), 'a');
  try {
    await file.write(JSON.stringify(entry) + '\n');
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Flushes a folder's entries (a rename) to disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes leftover temporary files of a killed writer; returns their names. */
export async function removeTemps(dir: string): Promise<string[]> {
  const temps = (await readdir(dir)).filter((n) => n.endsWith(TEMP_SUFFIX));
  await Promise.all(temps.map((n) => rm(join(dir, n), { force: true })));
  return temps;
}

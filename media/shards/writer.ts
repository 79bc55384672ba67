/**
 * The shard writer: sessions into WebDataset tar shards with a size limit, each written under a temporary
 * name, fsynced and renamed when complete, then listed in index.jsonl. Opening a folder again resumes:
 * sessions already in completed shards are skipped, temporary shards of a killed run are discarded (their
 * sessions are written again), and completed shards missing from the index are scanned back into it.
 */
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Session } from '../session/index.js';
import { appendIndex, readIndex, removeTemps, scanShard, shardPattern, syncDir, TEMP_SUFFIX, writeIndex, type ShardEntry } from './listing.js';
import { sessionMembers } from './members.js';
import { TAR_TRAILER, TarWriter, tarMemberSize } from './tar.js';

/** Options of a shard writer. */
export interface ShardWriterOptions {
  dir: string;
  /** Largest shard in bytes (default 256 MiB); a single larger session gets a shard of its own. */
  maxBytes?: number;
  /** Most sessions per shard (default 0: no limit). */
  maxSessions?: number;
  /** Shard file name prefix (default "shard": shard-000000.tar, ...). */
  prefix?: string;
  /** JPEG quality for frames the record names .jpg (default 90). */
  jpegQuality?: number;
}

/** What a writer did. */
export interface ShardWriteSummary {
  dir: string;
  /** Sessions written by this writer. */
  written: number;
  /** Sessions skipped because a completed shard already holds them. */
  skipped: number;
  /** Shards completed by this writer. */
  shards: string[];
  /** Temporary shards of an earlier, killed run that were discarded. */
  discarded: string[];
  /** Completed shards that the index lacked and were scanned back into it. */
  recovered: string[];
  /** Sessions in the folder's completed shards now. */
  total: number;
}

interface OpenShard {
  name: string;
  file: FileHandle;
  tar: TarWriter;
  keys: string[];
  sizes: number[];
}

const LOCK_FILE = '.writer.lock';
/** Folders a writer of this process holds: the lock file's pid cannot tell two writers of one process apart. */
const lockedHere = new Set<string>();

/**
 * Writes sessions to shards in one folder. One writer per folder at a time (a lock file names the owner;
 * the lock of a dead process is taken over).
 * @example
 * const w = await ShardWriter.open({ dir: 'out/shards', maxBytes: 64 << 20 });
 * for await (const s of sessions) await w.write(s);
 * const summary = await w.close();
 */
export class ShardWriter {
  private current: OpenShard | undefined;
  private readonly done = new Set<string>();
  private next = 0;
  private closed = false;
  private readonly summary: ShardWriteSummary;
  private readonly maxBytes: number;
  private readonly prefix: string;

  private constructor(
    private readonly options: ShardWriterOptions,
    private readonly dir: string,
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.prefix = options.prefix ?? 'shard';
    if (!/^[\w-]+$/.test(this.prefix)) throw new Error(`shard prefix "${this.prefix}" may hold only letters, digits, _ and -`);
    this.summary = { dir, written: 0, skipped: 0, shards: [], discarded: [], recovered: [], total: 0 };
  }

  /** Opens (and creates) a shard folder, recovering from a killed earlier run. */
  static async open(options: ShardWriterOptions): Promise<ShardWriter> {
    const dir = resolve(options.dir);
    const writer = new ShardWriter(options, dir);
    await mkdir(dir, { recursive: true });
    await takeLock(dir);
    try {
      await writer.recover();
    } catch (error) {
      await releaseLock(dir);
      throw error;
    }
    return writer;
  }

  private async recover(): Promise<void> {
    const { dir } = this;
    this.summary.discarded = await removeTemps(dir);
    const { entries, torn } = await readIndex(dir);
    const pattern = shardPattern(this.prefix);
    const indexed = new Set(entries.map((e) => e.shard));
    const unindexed = (await readdir(dir)).filter((n) => pattern.test(n) && !indexed.has(n)).sort();
    const recovered: ShardEntry[] = [];
    for (const name of unindexed) recovered.push(await scanShard(dir, name));
    if (torn || recovered.length) await writeIndex(dir, [...entries, ...recovered]);
    this.summary.recovered = unindexed;
    for (const e of [...entries, ...recovered]) {
      for (const k of e.keys) this.done.add(k);
      const m = pattern.exec(e.shard);
      if (m) this.next = Math.max(this.next, Number(m[1]) + 1);
    }
    this.summary.total = this.done.size;
  }

  /** Whether a completed shard (or this writer) already holds the session key. */
  has(key: string): boolean {
    return this.done.has(key);
  }

  /**
   * Writes one session, or skips it when its key is already written. Returns what happened.
   * @example await writer.write(session) // 'written' | 'skipped'
   */
  async write(session: Session): Promise<'written' | 'skipped'> {
    if (this.closed) throw new Error(`the shard writer of ${this.dir} is closed`);
    const key = session.record.key;
    if (this.done.has(key)) {
      this.summary.skipped++;
      return 'skipped';
    }
    const members = await sessionMembers(session, this.options.jpegQuality);
    const size = members.reduce((n, m) => n + tarMemberSize(m.data.length), 0);
    if (this.current && this.current.keys.length && this.current.tar.bytes + size + TAR_TRAILER > this.maxBytes) await this.finishShard();
    const shard = this.current ?? (this.current = await this.startShard());
    for (const m of members) await shard.tar.add(m.name, m.data);
    shard.keys.push(key);
    shard.sizes.push(size);
    this.done.add(key);
    this.summary.written++;
    this.summary.total++;
    if (this.options.maxSessions && shard.keys.length >= this.options.maxSessions) await this.finishShard();
    return 'written';
  }

  private async startShard(): Promise<OpenShard> {
    const name = `${this.prefix}-${String(this.next++).padStart(6, '0')}.tar`;
    const file = await open(join(this.dir, name + TEMP_SUFFIX), 'wx');
    return { name, file, tar: new TarWriter(file), keys: [], sizes: [] };
  }

  /** Ends the open shard: trailer, fsync, close, rename, fsync the folder, then the index line. */
  private async finishShard(): Promise<void> {
    const shard = this.current;
    if (!shard) return;
    this.current = undefined;
    try {
      await shard.tar.finish();
    } finally {
      await shard.file.close();
    }
    await rename(join(this.dir, shard.name + TEMP_SUFFIX), join(this.dir, shard.name));
    await syncDir(this.dir);
    await appendIndex(this.dir, { shard: shard.name, keys: shard.keys, sizes: shard.sizes, bytes: shard.tar.bytes });
    this.summary.shards.push(shard.name);
  }

  /** Completes the open shard and releases the folder. */
  async close(): Promise<ShardWriteSummary> {
    if (!this.closed) {
      this.closed = true;
      try {
        await this.finishShard();
      } finally {
        await releaseLock(this.dir);
      }
    }
    return { ...this.summary };
  }

  /**
   * Stops without completing the open shard (a cancelled run): its temporary file is removed, its sessions
   * are not counted as written, and completed shards stay.
   */
  async abort(): Promise<ShardWriteSummary> {
    if (!this.closed) {
      this.closed = true;
      const shard = this.current;
      this.current = undefined;
      if (shard) {
        await shard.file.close().catch(() => undefined);
        await rm(join(this.dir, shard.name + TEMP_SUFFIX), { force: true });
        for (const k of shard.keys) this.done.delete(k);
        this.summary.written -= shard.keys.length;
        this.summary.total -= shard.keys.length;
      }
      await releaseLock(this.dir);
    }
    return { ...this.summary };
  }
}

/** Takes the folder's writer lock; a lock left by a dead process is taken over. */
async function takeLock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  if (lockedHere.has(dir)) throw new Error(`another writer in this process is writing shards to ${dir}; give each writer its own folder`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      lockedHere.add(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (pid && pid !== process.pid && alive(pid)) throw new Error(`another writer (process ${pid}) is writing shards to ${dir}; wait for it or remove ${path}`);
    await rm(path, { force: true });
  }
  throw new Error(`cannot take the writer lock ${path}`);
}

/**
 * Forgets this process's hold on a folder whose writer was abandoned without close() or abort(), as a crash
 * would leave it (the lock file stays; the next writer takes it over and discards the temporary shard).
 * @example forgetWriterLock('/data/shards'); // then ShardWriter.open recovers the folder
 */
export function forgetWriterLock(dir: string): void {
  lockedHere.delete(resolve(dir));
}

async function releaseLock(dir: string): Promise<void> {
  lockedHere.delete(dir);
  await rm(join(dir, LOCK_FILE), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that its parent has not reaped yet (a zombie) still answers kill(pid, 0).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill(pid, 0)
  }
}

/**
 * The session cache: loaded sessions by (model identity, device, options), kept while in use and released
 * least-recently-used first when their estimated size (the model's bytes) exceeds the budget.
 */
import os from 'node:os';
import type * as ort from 'onnxruntime-node';
import type { ConcreteDevice } from './devices.js';

/** A loaded session shared by every handle on the same key. */
export interface CacheEntry {
  readonly key: string;
  readonly session: ort.InferenceSession;
  /** The device it actually runs on (cpu after a provider fallback). */
  readonly device: ConcreteDevice;
  readonly providers: readonly string[];
  /** Estimated memory: the model's size in bytes. */
  readonly bytes: number;
  refs: number;
}

/** Default budget: CINEGRAPH_SESSION_BUDGET_MB, else a quarter of the machine's memory. */
function defaultBudget(): number {
  const mb = Number(process.env.CINEGRAPH_SESSION_BUDGET_MB);
  return Number.isFinite(mb) && mb > 0 ? mb * 2 ** 20 : Math.floor(os.totalmem() / 4);
}

/**
 * An LRU of sessions bounded by estimated bytes. Sessions in use are never released; idle ones go first.
 * @example const cache = new SessionCache(512 * 2 ** 20)
 */
export class SessionCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<CacheEntry>>();

  constructor(public budget: number = defaultBudget()) {}

  /** Takes a reference on the entry for `key`, loading it with `load` when absent. */
  async acquire(key: string, load: () => Promise<Omit<CacheEntry, 'refs' | 'key'>>): Promise<CacheEntry> {
    const hit = this.entries.get(key);
    if (hit) {
      hit.refs++;
      this.touch(hit);
      return hit;
    }
    let p = this.pending.get(key);
    if (!p) {
      p = load().then((loaded) => {
        const entry: CacheEntry = { ...loaded, key, refs: 0 };
        this.entries.set(key, entry);
        return entry;
      });
      this.pending.set(key, p);
      p.then(() => this.pending.delete(key), () => this.pending.delete(key));
    }
    const entry = await p;
    entry.refs++;
    this.touch(entry);
    await this.evict();
    return entry;
  }

  /** Drops a reference; idle sessions stay cached until the budget needs their room. */
  async unref(entry: CacheEntry): Promise<void> {
    entry.refs = Math.max(0, entry.refs - 1);
    await this.evict();
  }

  /** Bytes of all cached sessions. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /** Keys in least-recently-used order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Whether a key is loaded. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  private touch(e: CacheEntry): void {
    this.entries.delete(e.key);
    this.entries.set(e.key, e);
  }

  /** Releases idle sessions, oldest first, until the cache fits its budget. */
  async evict(): Promise<void> {
    let total = this.bytes;
    for (const e of [...this.entries.values()]) {
      if (total <= this.budget) break;
      if (e.refs > 0) continue;
      this.entries.delete(e.key);
      total -= e.bytes;
      await e.session.release();
    }
  }

  /** Releases every idle session (in-use ones are kept). */
  async clear(): Promise<void> {
    for (const e of [...this.entries.values()]) {
      if (e.refs > 0) continue;
      this.entries.delete(e.key);
      await e.session.release();
    }
  }

  /** Removes an entry now (used when its last handle asks for a private release). */
  async drop(entry: CacheEntry): Promise<void> {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    await entry.session.release();
  }
}

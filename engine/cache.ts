/**
 * The output cache. The key strategy (what a result depends on) is apart from the store (where results
 * live): an LRU bounded by bytes, or a null store for `--no-cache`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { GraphDocument } from './graph.js';
import { isLink } from './graph.js';
import type { NodeRegistry } from './registry.js';

/** Where cached node results live. */
export interface CacheStore {
  /** False for a store that keeps nothing, so the executor can skip measuring results. */
  readonly active: boolean;
  get(key: string): CacheEntry | undefined;
  set(key: string, entry: CacheEntry): void;
  delete(key: string): void;
  clear(): void;
  /** Entries, bytes held, hits and misses since creation. */
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

/** A cached result: one output record, or every item of a stream. */
export type CacheEntry = ({ kind: 'single'; values: Record<string, unknown> } | { kind: 'stream'; items: Record<string, unknown>[] }) & {
  bytes: number;
  /** The previews the node sent, re-sent on a hit so the editor shows them again. */
  previews?: Array<{ url: string; width?: number; height?: number }>;
};

/**
 * A least-recently-used store bounded by bytes. An entry larger than the budget is not kept.
 * @example const cache = new LruCacheStore(512 * 1024 * 1024);
 */
export class LruCacheStore implements CacheStore {
  readonly active = true;
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(readonly maxBytes = 1024 * 1024 * 1024) {}

  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    this.delete(key);
    if (entry.bytes > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats() {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }
}

/**
 * A store that keeps nothing: every node runs (`--no-cache`).
 * @example runGraph(doc, { cache: new NullCacheStore() })
 */
export class NullCacheStore implements CacheStore {
  readonly active = false;
  get(): undefined {
    return undefined;
  }
  set(): void {}
  delete(): void {}
  clear(): void {}
  stats() {
    return { entries: 0, bytes: 0, hits: 0, misses: 0 };
  }
}

/** JSON with sorted object keys, so equal values give equal keys. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

/**
 * The cache key of every node, in topological order: a hash of (type, node version, literal inputs,
 * item-error policy, and the keys of the upstream outputs it links from). `notIdempotent` nodes get a fresh
 * random key each run, and so do their dependants.
 * @example const keys = cacheKeys(doc, order, registry);
 */
export function cacheKeys(doc: GraphDocument, order: string[], registry: NodeRegistry): Map<string, string> {
  const keys = new Map<string, string>();
  for (const id of order) {
    const node = doc.nodes[id]!;
    const def = registry.get(node.type);
    if (!def) continue;
    if (def.notIdempotent) {
      keys.set(id, `volatile:${randomUUID()}`);
      continue;
    }
    // Sorted input names, each with its literal (JSON) or its upstream key and output: equal inputs, equal keys.
    const given = node.inputs ?? {};
    let material = `${node.type}\u0000${def.version ?? 1}\u0000${node.onItemError ?? 'fail'}`;
    for (const name of Object.keys(given).sort()) {
      const value = given[name];
      material += isLink(value) ? `\u0000${name}\u0001${keys.get(value.from)}\u0001${value.output}` : `\u0000${name}\u0002${stableStringify(value)}`;
    }
    keys.set(id, createHash('sha1').update(material).digest('base64url'));
  }
  return keys;
}

/**
 * An estimate of the bytes a value holds, for the cache's budget.
 * @example estimateBytes({ data: new Uint8Array(1024) }) // about 1 KiB
 */
export function estimateBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined) return 8;
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return 8;
    case 'string':
      return 16 + value.length * 2;
    case 'object': {
      if (ArrayBuffer.isView(value)) return 64 + value.byteLength;
      if (value instanceof ArrayBuffer) return 64 + value.byteLength;
      if (depth > 6) return 64;
      let total = 32;
      if (Array.isArray(value)) for (const v of value) total += estimateBytes(v, depth + 1);
      else for (const [k, v] of Object.entries(value)) total += k.length * 2 + estimateBytes(v, depth + 1);
      return total;
    }
    default:
      return 16;
  }
}

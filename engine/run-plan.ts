/**
 * The plan of one run, computed before anything executes: the order, each node's definition and links,
 * its cache key, whether it yields a stream, which nodes are needed (a cached node's upstream is not), which
 * results come from the cache, and how many consumers read each stream.
 */
import type { CacheEntry, CacheStore } from './cache.js';
import { cacheKeys } from './cache.js';
import type { GraphDocument, Link } from './graph.js';
import { isLink } from './graph.js';
import { inputMode, type NodeDefinition } from './node.js';
import { topologicalOrder } from './plan.js';
import type { NodeRegistry } from './registry.js';

/** What the executor needs to know about a validated graph before running it. */
export interface RunPlan {
  /** Topological order of every node. */
  order: string[];
  defs: Map<string, NodeDefinition>;
  /** Each node's linked inputs, as `[input, link]`. */
  links: Map<string, Array<[string, Link]>>;
  keys: Map<string, string>;
  /** Whether a node yields a stream: a stream node, or a node mapped over a stream (an `each` input). */
  streaming: Map<string, boolean>;
  /** Nodes that must produce a result: the output nodes and, through links, what they need. */
  needed: Set<string>;
  /** Needed nodes whose result comes from the cache. */
  hits: Map<string, CacheEntry>;
  /** Consumer slots of each stream: one per link from a needed, uncached node, plus one for an output node. */
  consumers: Map<string, number>;
}

/**
 * Plans a run of a validated graph against a cache.
 * @example const plan = planRun(doc, registry, cache); plan.needed.size // nodes that will run or replay
 */
export function planRun(doc: GraphDocument, registry: NodeRegistry, cache: CacheStore): RunPlan {
  const order = topologicalOrder(doc).order;
  const defs = new Map<string, NodeDefinition>();
  const links = new Map<string, Array<[string, Link]>>();
  for (const id of order) {
    defs.set(id, registry.get(doc.nodes[id]!.type)!);
    const own: Array<[string, Link]> = [];
    for (const [name, value] of Object.entries(doc.nodes[id]!.inputs ?? {})) if (isLink(value)) own.push([name, value]);
    links.set(id, own);
  }
  const streaming = new Map<string, boolean>();
  for (const id of order) {
    const def = defs.get(id)!;
    const mapped = links.get(id)!.some(([name, link]) => inputMode(def.inputs[name]!) === 'each' && streaming.get(link.from));
    streaming.set(id, typeof def.stream === 'function' || mapped);
  }
  const keys = cacheKeys(doc, order, registry);
  const needed = new Set<string>();
  const hits = new Map<string, CacheEntry>();
  for (const id of order) if (defs.get(id)!.output) needed.add(id);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    if (!needed.has(id)) continue;
    const entry = cache.get(keys.get(id)!);
    if (entry && entry.kind === (streaming.get(id) ? 'stream' : 'single')) {
      hits.set(id, entry);
      continue;
    }
    for (const [, link] of links.get(id)!) needed.add(link.from);
  }
  const consumers = new Map<string, number>();
  const addConsumer = (id: string) => consumers.set(id, (consumers.get(id) ?? 0) + 1);
  for (const id of needed) {
    if (!hits.has(id)) for (const [, link] of links.get(id)!) if (streaming.get(link.from)) addConsumer(link.from);
    if (defs.get(id)!.output && streaming.get(id)) addConsumer(id);
  }
  return { order, defs, links, keys, streaming, needed, hits, consumers };
}

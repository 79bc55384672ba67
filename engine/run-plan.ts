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
  /**
   * Streams that must buffer without a window: a consumer of theirs first waits for a result that needs the
   * stream read on (a per-frame node that also takes the frame count). A bounded window would hang there.
   */
  unbounded: Set<string>;
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
  return { order, defs, links, keys, streaming, needed, hits, consumers, unbounded: gatedStreams(order, defs, links, streaming, needed, hits) };
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The streams some consumer of theirs can only start reading after a single result that itself needs the
 * same stream (or a stream feeding it) exists, or after its own `list` input from that stream is complete.
 */
function gatedStreams(
  order: string[],
  defs: Map<string, NodeDefinition>,
  links: Map<string, Array<[string, Link]>>,
  streaming: Map<string, boolean>,
  needed: Set<string>,
  hits: Map<string, CacheEntry>,
): Set<string> {
  const unbounded = new Set<string>();
  if (![...streaming.values()].some(Boolean)) return unbounded;
  // reached: streams at or above a node; gated: streams a node waits on through a single (non-stream) result.
  const reached = new Map<string, ReadonlySet<string>>();
  const gated = new Map<string, ReadonlySet<string>>();
  const union = (sets: Array<ReadonlySet<string>>): ReadonlySet<string> => {
    const nonEmpty = sets.filter((x) => x.size);
    return nonEmpty.length === 0 ? NONE : nonEmpty.length === 1 ? nonEmpty[0]! : new Set(nonEmpty.flatMap((x) => [...x]));
  };
  for (const id of order) {
    const own = hits.has(id) ? [] : links.get(id)!;
    const upstream = [...new Set(own.map(([, link]) => link.from))];
    const above = union(upstream.map((u) => reached.get(u) ?? NONE));
    reached.set(id, streaming.get(id) ? union([above, new Set([id])]) : above);
    gated.set(id, union(upstream.flatMap((u) => [gated.get(u) ?? NONE, streaming.get(u) ? NONE : reached.get(u) ?? NONE])));
    if (!needed.has(id) || hits.has(id)) continue;
    const def = defs.get(id)!;
    const listed = new Set(own.filter(([name, link]) => streaming.get(link.from) && def.inputs[name]!.list).map(([, link]) => link.from));
    for (const [name, link] of own) {
      if (!streaming.get(link.from)) continue;
      const waitsOnItsOwnList = listed.has(link.from) && !def.inputs[name]!.list;
      // This link's stream (or a stream feeding it) must be read on before this node can start reading it.
      const waitsOnItsSource = [...(reached.get(link.from) ?? NONE)].some((s) => gated.get(id)!.has(s));
      if (waitsOnItsSource || waitsOnItsOwnList) unbounded.add(link.from);
    }
  }
  return unbounded;
}

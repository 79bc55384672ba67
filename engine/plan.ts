/**
 * Ordering: a deterministic topological order of the document's nodes, and the cycles that prevent one.
 */
import type { GraphDocument } from './graph.js';
import { isLink } from './graph.js';

/** Upstream node ids of each node (links to unknown nodes are ignored here; validation reports them). */
export function dependencies(doc: GraphDocument): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const [id, node] of Object.entries(doc.nodes)) {
    const from = new Set<string>();
    for (const value of Object.values(node.inputs ?? {})) if (isLink(value) && value.from in doc.nodes) from.add(value.from);
    deps.set(id, [...from]);
  }
  return deps;
}

/**
 * Kahn's algorithm, stable in document order. Returns the order and the nodes left over (on or behind a cycle).
 * @example const { order, blocked } = topologicalOrder(doc);
 */
export function topologicalOrder(doc: GraphDocument): { order: string[]; blocked: string[] } {
  const deps = dependencies(doc);
  const pending = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const [id, from] of deps) {
    pending.set(id, from.length);
    for (const f of from) (dependants.get(f) ?? dependants.set(f, []).get(f)!).push(id);
  }
  const ready = [...deps.keys()].filter((id) => pending.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i]!;
    order.push(id);
    for (const d of dependants.get(id) ?? []) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  const blocked = [...deps.keys()].filter((id) => pending.get(id)! > 0);
  return { order, blocked };
}

/**
 * The cycles among the given nodes, each as a list of node ids (one per strongly connected component).
 * @example findCycles(doc) // [['a', 'b']]
 */
export function findCycles(doc: GraphDocument): string[][] {
  const deps = dependencies(doc);
  // Tarjan's strongly connected components, iterative to survive long chains.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const root of deps.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const edges = deps.get(frame.id)!;
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        if (component.length > 1 || deps.get(frame.id)!.includes(frame.id)) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}

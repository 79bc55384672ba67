/** Helpers for building graph documents and collecting run events in tests. */
import { firstValueFrom, toArray } from 'rxjs';
import { parseGraph, runGraph, type GraphDocument, type GraphNode, type RunEvent, type RunOptions } from '../../engine/index.js';

/** A v1 document from a node map. */
export function graph(nodes: Record<string, GraphNode>, extra: Partial<GraphDocument> = {}): GraphDocument {
  return parseGraph({ format: 'cinegraph.graph', version: 1, nodes, ...extra });
}

/** A link literal. */
export const link = (from: string, output: string) => ({ from, output });

/** Runs a graph to the end and returns its result and every event. */
export async function runAll(doc: GraphDocument, options: RunOptions) {
  const run = runGraph(doc, options);
  const events = firstValueFrom(run.events.pipe(toArray()));
  const result = await run.result;
  return { run, result, events: await events };
}

/** The events of one type. */
export function ofType<K extends RunEvent['type']>(events: RunEvent[], type: K): Extract<RunEvent, { type: K }>[] {
  return events.filter((e): e is Extract<RunEvent, { type: K }> => e.type === type);
}

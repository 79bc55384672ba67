/**
 * What the executor does with a node's results, as pure functions of its definition: check them, size them
 * for the cache, and summarise them for events. The socket table of each definition is computed once.
 */
import { estimateBytes } from './cache.js';
import { outputType, type InputSpec, type NodeDefinition } from './node.js';
import { summarize } from './summary.js';
import type { SocketType } from './types.js';

type Values = Record<string, unknown>;

const tables = new WeakMap<NodeDefinition, Array<[string, SocketType]>>();

/** The output names and socket types of a definition (cached). */
function outputsOf(def: NodeDefinition): Array<[string, SocketType]> {
  let table = tables.get(def);
  if (!table) tables.set(def, (table = Object.entries(def.outputs).map(([name, spec]) => [name, outputType(spec)])));
  return table;
}

/**
 * Checks that `run` (or a stream item) returned an object holding every declared output.
 * @example checkResult(def, { sum: 3 }) // returns it, or throws naming the missing output
 */
export function checkResult(def: NodeDefinition, result: unknown): Values {
  if (typeof result !== 'object' || result === null) throw new Error(`${def.type} returned ${String(result)} instead of an object of outputs`);
  for (const [name] of outputsOf(def)) {
    if (!(name in result)) throw new Error(`${def.type} returned no output "${name}"`);
  }
  return result as Values;
}

/**
 * The bytes a result holds, by each output's socket type (or an estimate), for the cache's budget.
 * @example sizeOfValues(def, { image }) // about width * height * channels
 */
export function sizeOfValues(def: NodeDefinition, values: Values): number {
  let total = 64;
  for (const [name, type] of outputsOf(def)) {
    const value = values[name];
    total += type.sizeOf && value !== undefined && value !== null ? type.sizeOf(value) : estimateBytes(value);
  }
  return total;
}

/**
 * A JSON-safe summary of a result, each output summarised by its socket type.
 * @example summarizeValues(def, { image }) // { image: { width, height, channels } }
 */
export function summarizeValues(def: NodeDefinition, values: Values): Values {
  const out: Values = {};
  for (const [name, type] of outputsOf(def)) out[name] = summarize(values[name], type);
  return out;
}

/** Summaries of the first 100 items of a stream result. */
export function summarizeItems(def: NodeDefinition, items: Values[]): Values[] {
  return items.slice(0, 100).map((v) => summarizeValues(def, v));
}

/** A JSON-safe summary of a node's inputs, for error events (streams shown as "(stream)"). */
export function summarizeInputs(def: NodeDefinition, inputs: Values): Values {
  const out: Values = {};
  for (const [name, spec] of Object.entries(def.inputs) as Array<[string, InputSpec]>) {
    const value = inputs[name];
    out[name] = value && typeof value === 'object' && Symbol.asyncIterator in value ? '(stream)' : summarize(value, spec.type);
  }
  return out;
}

/**
 * JSON-safe outputs of a whole run, each output node's values summarised by its declared socket types; a
 * stream output becomes a list of item summaries (at most `maxItems`).
 * @example summarizeRunOutputs(result.outputs, doc, registry) // { save: { path: 'output/a.png' } }
 */
export function summarizeRunOutputs(
  outputs: Record<string, Values | Values[]>,
  doc: { nodes: Record<string, { type: string }> },
  registry: { get(type: string): NodeDefinition | undefined },
  maxItems = Number.POSITIVE_INFINITY,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(outputs)) {
    const def = registry.get(doc.nodes[id]?.type ?? '');
    const one = (values: Values) => (def ? summarizeValues(def, values) : (summarize(values) as Values));
    out[id] = Array.isArray(value) ? value.slice(0, maxItems).map(one) : one(value);
  }
  return out;
}

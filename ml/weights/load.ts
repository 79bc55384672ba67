/**
 * Loading weights into a built graph by name, with one report of what was loaded, missing, unexpected
 * and mis-shaped. Mis-shaped tensors always stop the load; missing ones stop it unless the caller asks
 * for them to be initialised from a seed.
 */
import { fromBFloat16, fromFloat16, type GraphCore } from '../onnx/index.js';
import type { StoredTensor } from './safetensors.js';
import { initWeight } from './init.js';

/** Named tensors to load (a safetensors file's `tensors`, or any map/record of float32 data with shapes). */
export type WeightSource = ReadonlyMap<string, StoredTensor> | Readonly<Record<string, StoredTensor>>;

/** What a load found. */
export interface WeightReport {
  /** Weights given values from the source. */
  readonly loaded: string[];
  /** Weights of the graph the source does not have. */
  readonly missing: { name: string; shape: number[] }[];
  /** Tensors of the source the graph has no weight for. */
  readonly unexpected: { name: string; shape: number[] }[];
  /** Tensors whose shape differs from the graph's weight. */
  readonly misshaped: { name: string; expected: number[]; got: number[] }[];
  /** Missing weights initialised from the seed (when asked). */
  readonly initialized: string[];
}

/** Options of {@link loadWeights}. */
export interface LoadOptions {
  /** Initialise missing weights from this seed instead of refusing to load. */
  readonly initMissing?: number;
  /** Treat unexpected tensors as an error too (default false: they are only reported). */
  readonly strict?: boolean;
  /** Names the source in messages (a file path). */
  readonly source?: string;
}

/**
 * A load that could not complete; `report` holds every finding, not only the first.
 * @example try { loadWeights(g, w) } catch (e) { if (e instanceof WeightLoadError) console.log(e.report.missing) }
 */
export class WeightLoadError extends Error {
  override readonly name = 'WeightLoadError';
  constructor(readonly report: WeightReport, source: string) {
    super(`cannot load weights from ${source}:\n${formatWeightReport(report)}`);
  }
}

const shp = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * The report as readable lines (empty sections left out).
 * @example console.log(formatWeightReport(report))
 */
export function formatWeightReport(r: WeightReport): string {
  const lines = [`loaded ${r.loaded.length}, missing ${r.missing.length}, unexpected ${r.unexpected.length}, mis-shaped ${r.misshaped.length}, initialized ${r.initialized.length}`];
  for (const m of r.misshaped) lines.push(`  mis-shaped: ${m.name}: the model expects ${shp(m.expected)}, the file has ${shp(m.got)}`);
  for (const m of r.missing) lines.push(`  missing: ${m.name} ${shp(m.shape)}`);
  for (const u of r.unexpected) lines.push(`  unexpected: ${u.name} ${shp(u.shape)}`);
  return lines.join('\n');
}

function entries(source: WeightSource): Map<string, StoredTensor> {
  return source instanceof Map ? (source as Map<string, StoredTensor>) : new Map(Object.entries(source as Record<string, StoredTensor>));
}

/**
 * Checks every weight of a graph against named tensors and, when nothing blocks, sets their values.
 * Throws a {@link WeightLoadError} (with the whole report) on mis-shaped tensors, on missing ones unless
 * `initMissing` is given, and on unexpected ones when `strict`.
 * @example const report = loadWeights(graph, (await readSafetensors(file)).tensors, { source: file });
 */
export function loadWeights(graph: GraphCore, source: WeightSource, options: LoadOptions = {}): WeightReport {
  const given = entries(source);
  const weights = graph.initializers.filter((i) => i.kind === 'weight');
  const known = new Set(weights.map((w) => w.name));
  const report: WeightReport = { loaded: [], missing: [], unexpected: [], misshaped: [], initialized: [] };
  for (const w of weights) {
    const t = given.get(w.name);
    if (!t) { report.missing.push({ name: w.name, shape: [...w.dims] }); continue; }
    const same = t.shape.length === w.dims.length && t.shape.every((d, i) => d === w.dims[i]);
    if (!same) report.misshaped.push({ name: w.name, expected: [...w.dims], got: [...t.shape] });
    else if (t.data.length !== w.dims.reduce((a, b) => a * b, 1)) report.misshaped.push({ name: w.name, expected: [...w.dims], got: [t.data.length] });
  }
  for (const [name, t] of given) if (!known.has(name)) report.unexpected.push({ name, shape: [...t.shape] });
  const blocked = report.misshaped.length > 0
    || (report.missing.length > 0 && options.initMissing === undefined)
    || (options.strict === true && report.unexpected.length > 0);
  if (blocked) throw new WeightLoadError(report, options.source ?? 'the given tensors');
  for (const w of weights) {
    const t = given.get(w.name);
    if (t) {
      graph.setWeight(w.name, t.data);
      report.loaded.push(w.name);
    } else {
      graph.setWeight(w.name, initWeight(w.name, w.dims, options.initMissing as number));
      report.initialized.push(w.name);
    }
  }
  return report;
}

/**
 * Gives every weight of a graph deterministic random values from a seed (for tests and fresh training).
 * @example initAllWeights(graph, 0)
 */
export function initAllWeights(graph: GraphCore, seed: number): void {
  for (const w of graph.initializers) if (w.kind === 'weight') graph.setWeight(w.name, initWeight(w.name, w.dims, seed));
}

/**
 * The weights of a graph that have values, as named float32 tensors (to save as safetensors, or to feed a
 * reference implementation). Weights stored as float16/bfloat16 are widened back.
 * @example await writeSafetensors(file, graphWeights(graph))
 */
export function graphWeights(graph: GraphCore): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const w of graph.initializers) {
    if (w.kind !== 'weight' || !w.data) continue;
    const data = w.dtype === 'float16' ? fromFloat16(w.data as Uint16Array)
      : w.dtype === 'bfloat16' ? fromBFloat16(w.data as Uint16Array)
      : (w.data as Float32Array);
    out.set(w.name, { shape: [...w.dims], data });
  }
  return out;
}

/**
 * Gradient checks for the autodiff tests: builds a loss over weights (the parameters), runs the gradient
 * graph in onnxruntime-node, and compares its gradients with central finite differences of the loss that
 * the same graph computes.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder, type Shape, type Tensor } from '../../ml/onnx/index.js';
import { buildGradientGraph } from '../../ml/autodiff/index.js';

/** A seeded uniform random source (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A parameter of a check: its shape and the range its random values come from. */
export interface ParamSpec { shape: number[]; lo?: number; hi?: number }
/** A data input of a check: a (possibly symbolic) declared shape and the values fed. */
export interface InputSpec { shape: Shape; dims: number[]; data: number[] }

/** One gradient check. */
export interface GradCase {
  name: string;
  params: Record<string, ParamSpec>;
  inputs?: Record<string, InputSpec>;
  /** Builds the checked value from the parameters and inputs (any shape; the loss weighs it). */
  build: (g: GraphBuilder, p: Record<string, Tensor>, x: Record<string, Tensor>) => Tensor;
  dtype?: 'float32' | 'float64';
}

/** Result of a check: the worst coordinate's error, relative to the gradient's scale. */
export interface GradResult { maxError: number; checked: number; scale: number }

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function arrayOf(dtype: 'float32' | 'float64', data: ArrayLike<number>): Float32Array | Float64Array {
  return dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data);
}

/**
 * Runs a case: analytic gradient vs central differences on up to `samples` coordinates per parameter.
 * The error of a coordinate is |analytic - numeric| / max(|numeric|, 1e-2 * scale, 1e-8), with scale the
 * largest numeric magnitude seen (so near-zero coordinates do not divide by ~0).
 */
export async function checkGradient(c: GradCase, options: { seed?: number; samples?: number; h?: number } = {}): Promise<GradResult> {
  const dtype = c.dtype ?? 'float64';
  const r = rng(options.seed ?? 7);
  const g = new GraphBuilder({ name: `grad-${c.name.replace(/[^a-z0-9]+/gi, '-')}` });
  const values: Record<string, Float32Array | Float64Array> = {};
  const p: Record<string, Tensor> = {};
  for (const [name, s] of Object.entries(c.params)) {
    const lo = s.lo ?? -1;
    const hi = s.hi ?? 1;
    values[name] = arrayOf(dtype, Array.from({ length: numel(s.shape) }, () => lo + (hi - lo) * r()));
    p[name] = g.weight(name, values[name], s.shape);
  }
  const x: Record<string, Tensor> = {};
  const feedsData: Record<string, ort.Tensor> = {};
  for (const [name, s] of Object.entries(c.inputs ?? {})) {
    x[name] = g.input(name, dtype, s.shape);
    feedsData[name] = new ort.Tensor(dtype, arrayOf(dtype, s.data), s.dims);
  }
  const y = c.build(g, p, x);
  // A loss that weighs every element differently: sum(y * y * a + y * b) with fixed a, b.
  const yy = y.dtype === dtype ? y : g.cast(y, dtype);
  const loss = g.reduceSum(g.add(g.mul(g.mul(yy, yy), 0.37), g.mul(g.tanh(yy), 1.3)), [...Array(yy.rank).keys()], false);
  const grad = buildGradientGraph(g, { loss, params: Object.keys(c.params) });
  const session = await ort.InferenceSession.create(grad.graph.toBytes(), { executionProviders: ['cpu'] });
  try {
    const feeds = (over: Record<string, Float32Array | Float64Array>): Record<string, ort.Tensor> => {
      const f: Record<string, ort.Tensor> = { ...feedsData };
      for (const [name, s] of Object.entries(c.params)) f[name] = new ort.Tensor(dtype, over[name] ?? values[name], s.shape);
      return f;
    };
    const base = await session.run(feeds({}));
    const h = options.h ?? (dtype === 'float64' ? 1e-6 : 1e-2);
    const samples = options.samples ?? 24;
    const pairs: Array<{ a: number; n: number }> = [];
    for (const [name, s] of Object.entries(c.params)) {
      const analytic = base[`grad.${name}`].data as Float32Array | Float64Array;
      const total = numel(s.shape);
      const coords = total <= samples ? [...Array(total).keys()] : Array.from({ length: samples }, () => Math.floor(r() * total));
      for (const i of coords) {
        const plus = values[name].slice();
        const minus = values[name].slice();
        plus[i] += h;
        minus[i] -= h;
        const lp = Number(((await session.run(feeds({ [name]: plus }))).loss.data as Float64Array)[0]);
        const lm = Number(((await session.run(feeds({ [name]: minus }))).loss.data as Float64Array)[0]);
        // The step actually taken (float32 rounds the perturbed value).
        const step = plus[i] - minus[i];
        pairs.push({ a: analytic[i], n: (lp - lm) / step });
      }
    }
    const scale = Math.max(...pairs.map((q) => Math.abs(q.n)));
    const maxError = Math.max(...pairs.map((q) => Math.abs(q.a - q.n) / Math.max(Math.abs(q.n), 1e-2 * scale, 1e-8)));
    return { maxError, checked: pairs.length, scale };
  } finally {
    await session.release();
  }
}

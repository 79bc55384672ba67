/**
 * Plain TypeScript references for the builder's op tests: a seeded random source, row-major n-d helpers
 * and float64 implementations of the ops, so that ORT's results can be checked number by number.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder, type Tensor } from '../../ml/onnx/index.js';

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

/** A dense array with its shape. */
export interface Arr { shape: number[]; data: Float64Array }

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export const strides = (s: readonly number[]): number[] => s.map((_, i) => numel(s.slice(i + 1)));

/** Random values in [lo, hi), rounded to float32 so the reference sees what ORT sees. */
export function rand(r: () => number, shape: number[], lo = -1, hi = 1): Arr {
  return { shape, data: Float64Array.from(Float32Array.from({ length: numel(shape) }, () => lo + (hi - lo) * r())) };
}

/** A float32 ORT tensor of an array. */
export function toOrt(a: Arr): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(a.data), a.shape);
}

/** Builds elementwise map of an array. */
export function map(a: Arr, f: (x: number, i: number) => number): Arr {
  return { shape: [...a.shape], data: a.data.map(f) };
}

/** Values of `a` at a multi-index (negative strides not needed). */
export function at(a: Arr, idx: readonly number[]): number {
  let o = 0;
  const st = strides(a.shape);
  idx.forEach((v, i) => { o += v * st[i]; });
  return a.data[o];
}

/** Calls f for every multi-index of a shape, in row-major order. */
export function forEachIndex(shape: readonly number[], f: (idx: number[], flat: number) => void): void {
  const n = numel(shape);
  const idx = shape.map(() => 0);
  for (let flat = 0; flat < n; flat++) {
    f(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Numpy broadcasting of several arrays through f. */
export function broadcast(arrs: Arr[], f: (...xs: number[]) => number): Arr {
  const rank = Math.max(...arrs.map((a) => a.shape.length));
  const shape = Array.from({ length: rank }, (_, i) =>
    Math.max(...arrs.map((a) => a.shape[i - (rank - a.shape.length)] ?? 1)));
  const out = new Float64Array(numel(shape));
  forEachIndex(shape, (idx, flat) => {
    out[flat] = f(...arrs.map((a) => at(a, idx.slice(rank - a.shape.length).map((v, j) => (a.shape[j] === 1 ? 0 : v)))));
  });
  return { shape, data: out };
}

/** Batched matrix product with numpy broadcasting (both ranks >= 2). */
export function matmul(a: Arr, b: Arr): Arr {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const batch = Array.from({ length: rank }, (_, i) => Math.max(ba[i - (rank - ba.length)] ?? 1, bb[i - (rank - bb.length)] ?? 1));
  const out = new Float64Array(numel(batch) * m * n);
  forEachIndex(batch, (idx, flat) => {
    const ia = idx.slice(rank - ba.length).map((v, j) => (ba[j] === 1 ? 0 : v));
    const ib = idx.slice(rank - bb.length).map((v, j) => (bb[j] === 1 ? 0 : v));
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, [...ia, i, p]) * at(b, [...ib, p, j]);
      out[flat * m * n + i * n + j] = s;
    }
  });
  return { shape: [...batch, m, n], data: out };
}

/** Permutes axes. */
export function transpose(a: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => a.shape[p]);
  const out = new Float64Array(a.data.length);
  forEachIndex(shape, (idx, flat) => {
    const src = new Array<number>(perm.length);
    perm.forEach((p, i) => { src[p] = idx[i]; });
    out[flat] = at(a, src);
  });
  return { shape, data: out };
}

/** Reduces one axis (keepdims). */
export function reduceAxis(a: Arr, axis: number, f: (xs: number[]) => number): Arr {
  const shape = a.shape.map((d, i) => (i === axis ? 1 : d));
  const out = new Float64Array(numel(shape));
  forEachIndex(shape, (idx, flat) => {
    const xs: number[] = [];
    for (let j = 0; j < a.shape[axis]; j++) xs.push(at(a, idx.map((v, i) => (i === axis ? j : v))));
    out[flat] = f(xs);
  });
  return { shape, data: out };
}

/** Applies f along the last axis (a row-wise map such as softmax). */
export function alongLast(a: Arr, f: (row: number[]) => number[]): Arr {
  const d = a.shape[a.shape.length - 1];
  const out = new Float64Array(a.data.length);
  for (let o = 0; o < a.data.length; o += d) out.set(f(Array.from(a.data.subarray(o, o + d))), o);
  return { shape: [...a.shape], data: out };
}

export const softmaxRow = (row: number[]): number[] => {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((x) => x / s);
};

/** erf to double precision (Abramowitz-Stegun 7.1.26 is too coarse; this uses a series / continued fraction). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax;
    let term = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction for large |x|
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/** Normwise relative error max|a-b| / max(|b|, 1e-30). */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i] - want[i]));
    den = Math.max(den, Math.abs(want[i]));
  }
  return num / Math.max(den, 1e-30);
}

/** Builds a one-output graph, runs it in ORT on the given inputs, and returns the output with the inferred shape. */
export async function runOne(
  name: string,
  inputs: Record<string, Arr>,
  build: (g: GraphBuilder, x: Record<string, Tensor>) => Tensor,
): Promise<{ data: Float64Array; dims: number[]; inferred: readonly (number | string)[]; dtype: string }> {
  const g = new GraphBuilder({ name });
  const xs: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) xs[k] = g.input(k, 'float32', v.shape);
  const y = build(g, xs);
  g.output(y, 'y');
  const s = await ort.InferenceSession.create(g.toBytes(), { executionProviders: ['cpu'] });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) feeds[k] = toOrt(v);
    const out = (await s.run(feeds)).y;
    const data = Float64Array.from(Array.from(out.data as ArrayLike<number | bigint | boolean>, Number));
    return { data, dims: [...out.dims], inferred: y.shape, dtype: out.type };
  } finally {
    await s.release();
  }
}

/**
 * Each builder op family, run by onnxruntime-node on random inputs, against a float64 TypeScript reference
 * (normwise relative error <= 1e-5), and each output's shape as ORT produced it against the builder's inference.
 */
import { GraphBuilder, type Tensor } from '../../ml/onnx/index.js';
import {
  alongLast, at, broadcast, erf, forEachIndex, map, matmul, numel, rand, reduceAxis, relError, rng, runOne, softmaxRow,
  transpose, type Arr,
} from './onnx-reference.js';

const r = rng(1234);
const TOL = 1e-5;

interface Case {
  name: string;
  inputs: Record<string, Arr>;
  build: (g: GraphBuilder, x: Record<string, Tensor>) => Tensor;
  ref: (x: Record<string, Arr>) => Arr;
}

const A = rand(r, [2, 3, 4]);
const B = rand(r, [3, 1]);
const P = rand(r, [2, 3, 4], 0.1, 2); // positive

const unary: Case[] = [
  ['relu', (g: GraphBuilder, x: Tensor) => g.relu(x), (v: number) => Math.max(v, 0)],
  ['sigmoid', (g: GraphBuilder, x: Tensor) => g.sigmoid(x), (v: number) => 1 / (1 + Math.exp(-v))],
  ['tanh', (g: GraphBuilder, x: Tensor) => g.tanh(x), Math.tanh],
  ['exp', (g: GraphBuilder, x: Tensor) => g.exp(x), Math.exp],
  ['erf', (g: GraphBuilder, x: Tensor) => g.erf(x), erf],
  ['neg', (g: GraphBuilder, x: Tensor) => g.neg(x), (v: number) => -v],
  ['gelu (from Erf)', (g: GraphBuilder, x: Tensor) => g.gelu(x), (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
  ['gelu tanh', (g: GraphBuilder, x: Tensor) => g.gelu(x, 'tanh'), (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  ['silu', (g: GraphBuilder, x: Tensor) => g.silu(x), (v: number) => v / (1 + Math.exp(-v))],
  ['leaky relu (float attribute)', (g: GraphBuilder, x: Tensor) => g.op('LeakyRelu', [x], { alpha: 0.1 }), (v: number) => (v < 0 ? 0.1 * v : v)],
  ['clip', (g: GraphBuilder, x: Tensor) => g.op('Clip', [x, g.scalar(-0.5), g.scalar(0.5)]), (v: number) => Math.min(Math.max(v, -0.5), 0.5)],
].map(([name, build, f]) => ({
  name: name as string,
  inputs: { x: A },
  build: (g, x) => (build as (g: GraphBuilder, x: Tensor) => Tensor)(g, x.x),
  ref: (x) => map(x.x, f as (v: number) => number),
}));

const positive: Case[] = [
  { name: 'log', inputs: { x: P }, build: (g, x) => g.log(x.x), ref: (x) => map(x.x, Math.log) },
  { name: 'sqrt', inputs: { x: P }, build: (g, x) => g.sqrt(x.x), ref: (x) => map(x.x, Math.sqrt) },
  { name: 'reciprocal', inputs: { x: P }, build: (g, x) => g.reciprocal(x.x), ref: (x) => map(x.x, (v) => 1 / v) },
  { name: 'pow', inputs: { x: P }, build: (g, x) => g.pow(x.x, 1.5), ref: (x) => map(x.x, (v) => v ** 1.5) },
];

const binary: Case[] = [
  ['add', 'Add', (p: number, q: number) => p + q],
  ['sub', 'Sub', (p: number, q: number) => p - q],
  ['mul', 'Mul', (p: number, q: number) => p * q],
  ['max', 'Max', Math.max],
  ['min', 'Min', Math.min],
].map(([name, op, f]) => ({
  name: `${name as string} broadcasting [2,3,4] with [3,1]`,
  inputs: { a: A, b: B },
  build: (g, x) => g.op(op as string, [x.a, x.b]),
  ref: (x) => broadcast([x.a, x.b], f as (p: number, q: number) => number),
}));
binary.push({
  name: 'div by a positive broadcast', inputs: { a: A, p: rand(r, [4], 0.5, 2) },
  build: (g, x) => g.div(x.a, x.p), ref: (x) => broadcast([x.a, x.p], (p, q) => p / q),
});
binary.push({
  name: 'where(a > b, a, b * 2) with a comparison', inputs: { a: A, b: B },
  build: (g, x) => g.where(g.op('Greater', [x.a, x.b]), x.a, g.mul(x.b, 2)),
  ref: (x) => broadcast([x.a, x.b], (p, q) => (p > q ? p : q * 2)),
});

const linalg: Case[] = [
  {
    name: 'matmul with batch broadcasting [2,1,3,4] x [5,4,2]', inputs: { a: rand(r, [2, 1, 3, 4]), b: rand(r, [5, 4, 2]) },
    build: (g, x) => g.matmul(x.a, x.b), ref: (x) => matmul(x.a, x.b),
  },
  {
    name: 'linear on a matrix (Gemm, transB) with bias', inputs: { x: rand(r, [3, 4]), w: rand(r, [5, 4]), b: rand(r, [5]) },
    build: (g, x) => g.linear(x.x, x.w, x.b),
    ref: (x) => broadcast([matmul(x.x, transpose(x.w, [1, 0])), x.b], (p, q) => p + q),
  },
  {
    name: 'linear on [2,3,4] (MatMul + Add)', inputs: { x: rand(r, [2, 3, 4]), w: rand(r, [5, 4]), b: rand(r, [5]) },
    build: (g, x) => g.linear(x.x, x.w, x.b),
    ref: (x) => broadcast([matmul(x.x, transpose(x.w, [1, 0])), x.b], (p, q) => p + q),
  },
];

/** NCHW convolution reference. */
function conv2d(x: Arr, w: Arr, b: Arr | undefined, o: { stride: number; pad: number; dil: number; group: number }): Arr {
  const [n, c, h, wd] = x.shape;
  const [m, cg, kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * o.pad - o.dil * (kh - 1) - 1) / o.stride) + 1;
  const ow = Math.floor((wd + 2 * o.pad - o.dil * (kw - 1) - 1) / o.stride) + 1;
  const shape = [n, m, oh, ow];
  const out = new Float64Array(numel(shape));
  const mPerG = m / o.group;
  void c;
  forEachIndex(shape, ([ni, mi, yi, xi], flat) => {
    const gi = Math.floor(mi / mPerG);
    let s = b ? b.data[mi] : 0;
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const yy = yi * o.stride - o.pad + ky * o.dil;
      const xx = xi * o.stride - o.pad + kx * o.dil;
      if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
      s += at(x, [ni, gi * cg + ci, yy, xx]) * at(w, [mi, ci, ky, kx]);
    }
    out[flat] = s;
  });
  return { shape, data: out };
}

/** NCHW transposed convolution reference (group 1, no dilation). */
function convT2d(x: Arr, w: Arr, stride: number, pad: number): Arr {
  const [n, c, h, wd] = x.shape;
  const [, m, kh, kw] = w.shape;
  const oh = stride * (h - 1) + kh - 2 * pad;
  const ow = stride * (wd - 1) + kw - 2 * pad;
  const out = new Float64Array(n * m * oh * ow);
  forEachIndex([n, c, h, wd], ([ni, ci, yi, xi]) => {
    const v = at(x, [ni, ci, yi, xi]);
    for (let mi = 0; mi < m; mi++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const yy = yi * stride + ky - pad;
      const xx = xi * stride + kx - pad;
      if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
      out[((ni * m + mi) * oh + yy) * ow + xx] += v * at(w, [ci, mi, ky, kx]);
    }
  });
  return { shape: [n, m, oh, ow], data: out };
}

function pool(x: Arr, k: number, stride: number, f: (xs: number[]) => number): Arr {
  const [n, c, h, w] = x.shape;
  const shape = [n, c, Math.floor((h - k) / stride) + 1, Math.floor((w - k) / stride) + 1];
  const out = new Float64Array(numel(shape));
  forEachIndex(shape, ([ni, ci, yi, xi], flat) => {
    const xs: number[] = [];
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) xs.push(at(x, [ni, ci, yi * stride + dy, xi * stride + dx]));
    out[flat] = f(xs);
  });
  return { shape, data: out };
}

const convs: Case[] = [
  {
    name: 'conv 3x3 stride 2 pad 1 with bias', inputs: { x: rand(r, [2, 3, 9, 8]), w: rand(r, [4, 3, 3, 3]), b: rand(r, [4]) },
    build: (g, x) => g.conv(x.x, x.w, x.b, { strides: [2, 2], pads: [1, 1, 1, 1] }),
    ref: (x) => conv2d(x.x, x.w, x.b, { stride: 2, pad: 1, dil: 1, group: 1 }),
  },
  {
    name: 'conv grouped and dilated', inputs: { x: rand(r, [1, 4, 9, 9]), w: rand(r, [6, 2, 3, 3]) },
    build: (g, x) => g.conv(x.x, x.w, undefined, { group: 2, dilations: [2, 2] }),
    ref: (x) => conv2d(x.x, x.w, undefined, { stride: 1, pad: 0, dil: 2, group: 2 }),
  },
  {
    name: 'conv patchify (kernel = stride = 4)', inputs: { x: rand(r, [1, 3, 16, 16]), w: rand(r, [8, 3, 4, 4]) },
    build: (g, x) => g.op('Conv', [x.x, x.w], { strides: [4, 4] }),
    ref: (x) => conv2d(x.x, x.w, undefined, { stride: 4, pad: 0, dil: 1, group: 1 }),
  },
  {
    name: 'conv transpose stride 2', inputs: { x: rand(r, [1, 3, 4, 5]), w: rand(r, [3, 2, 2, 2]) },
    build: (g, x) => g.op('ConvTranspose', [x.x, x.w], { strides: [2, 2] }),
    ref: (x) => convT2d(x.x, x.w, 2, 0),
  },
  {
    name: 'max pool 2x2', inputs: { x: rand(r, [1, 2, 6, 6]) },
    build: (g, x) => g.op('MaxPool', [x.x], { kernel_shape: [2, 2], strides: [2, 2] }),
    ref: (x) => pool(x.x, 2, 2, (xs) => Math.max(...xs)),
  },
  {
    name: 'average pool 3x3 stride 1', inputs: { x: rand(r, [1, 2, 5, 5]) },
    build: (g, x) => g.op('AveragePool', [x.x], { kernel_shape: [3, 3] }),
    ref: (x) => pool(x.x, 3, 1, (xs) => xs.reduce((p, q) => p + q, 0) / xs.length),
  },
];

const C = rand(r, [2, 3, 4]);
const shapes: Case[] = [
  { name: 'reshape [0,-1]', inputs: { x: C }, build: (g, x) => g.reshape(x.x, [0, -1]), ref: (x) => ({ shape: [2, 12], data: x.x.data }) },
  { name: 'transpose [2,0,1]', inputs: { x: C }, build: (g, x) => g.transpose(x.x, [2, 0, 1]), ref: (x) => transpose(x.x, [2, 0, 1]) },
  {
    name: 'concat on axis 1', inputs: { a: C, b: rand(r, [2, 2, 4]) }, build: (g, x) => g.concat([x.a, x.b], 1),
    ref: (x) => {
      const out = new Float64Array(2 * 5 * 4);
      forEachIndex([2, 5, 4], ([i, j, k], f) => { out[f] = j < 3 ? at(x.a, [i, j, k]) : at(x.b, [i, j - 3, k]); });
      return { shape: [2, 5, 4], data: out };
    },
  },
  {
    name: 'split (second part of [1,3] on the last axis)', inputs: { x: C }, build: (g, x) => g.split(x.x, -1, [1, 3])[1],
    ref: (x) => sliceRef(x.x, 2, 1, 4, 1),
  },
  { name: 'slice with a negative step', inputs: { x: C }, build: (g, x) => g.slice(x.x, [-1], [-5], [2], [-2]), ref: (x) => sliceRef(x.x, 2, 3, -1, -2) },
  {
    name: 'gather on axis 1 with negative indices', inputs: { x: C },
    build: (g, x) => g.gather(x.x, g.constant([2, -3, 0], [3], 'int64'), 1),
    ref: (x) => {
      const out = new Float64Array(2 * 3 * 4);
      const idx = [2, 0, 0];
      forEachIndex([2, 3, 4], ([i, j, k], f) => { out[f] = at(x.x, [i, idx[j], k]); });
      return { shape: [2, 3, 4], data: out };
    },
  },
  {
    name: 'unsqueeze then squeeze', inputs: { x: C }, build: (g, x) => g.squeeze(g.unsqueeze(x.x, [0, -1]), [0]),
    ref: (x) => ({ shape: [2, 3, 4, 1], data: x.x.data }),
  },
  { name: 'expand [3,1] to [2,3,4]', inputs: { b: B }, build: (g, x) => g.expand(x.b, [2, 3, 4]), ref: (x) => broadcast([x.b, { shape: [2, 3, 4], data: new Float64Array(24) }], (p) => p) },
  {
    name: 'tile [1,2,1]', inputs: { x: C }, build: (g, x) => g.op('Tile', [x.x, g.ints([1, 2, 1])]),
    ref: (x) => {
      const out = new Float64Array(2 * 6 * 4);
      forEachIndex([2, 6, 4], ([i, j, k], f) => { out[f] = at(x.x, [i, j % 3, k]); });
      return { shape: [2, 6, 4], data: out };
    },
  },
  {
    name: 'pad (constant 0.5) on the last two axes', inputs: { x: C },
    build: (g, x) => g.op('Pad', [x.x, g.ints([0, 1, 2, 0, 0, 1]), g.scalar(0.5)]),
    ref: (x) => {
      const out = new Float64Array(2 * 4 * 7);
      forEachIndex([2, 4, 7], ([i, j, k], f) => {
        const jj = j - 1;
        const kk = k - 2;
        out[f] = jj >= 0 && jj < 3 && kk >= 0 && kk < 4 ? at(x.x, [i, jj, kk]) : 0.5;
      });
      return { shape: [2, 4, 7], data: out };
    },
  },
];

function sliceRef(a: Arr, axis: number, start: number, end: number, step: number): Arr {
  const picks: number[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) picks.push(i);
  const shape = a.shape.map((d, i) => (i === axis ? picks.length : d));
  const out = new Float64Array(numel(shape));
  forEachIndex(shape, (idx, f) => { out[f] = at(a, idx.map((v, i) => (i === axis ? picks[v] : v))); });
  return { shape, data: out };
}

const sum = (xs: number[]) => xs.reduce((p, q) => p + q, 0);
const D = rand(r, [2, 3, 8]);
const reductions: Case[] = [
  { name: 'reduceSum (axes as input)', inputs: { x: D }, build: (g, x) => g.reduceSum(x.x, [1]), ref: (x) => reduceAxis(x.x, 1, sum) },
  { name: 'reduceMean (axes as attribute at opset 17)', inputs: { x: D }, build: (g, x) => g.reduceMean(x.x, [-1]), ref: (x) => reduceAxis(x.x, 2, (xs) => sum(xs) / xs.length) },
  { name: 'reduceMax without keepdims', inputs: { x: D }, build: (g, x) => g.reduceMax(x.x, [0], false), ref: (x) => ({ shape: [3, 8], data: reduceAxis(x.x, 0, (xs) => Math.max(...xs)).data }) },
  { name: 'softmax on the last axis', inputs: { x: D }, build: (g, x) => g.softmax(x.x), ref: (x) => alongLast(x.x, softmaxRow) },
  { name: 'softmax on axis 1', inputs: { x: D }, build: (g, x) => g.softmax(x.x, 1), ref: (x) => transpose(alongLast(transpose(x.x, [0, 2, 1]), softmaxRow), [0, 2, 1]) },
  {
    name: 'layer normalization with scale and bias', inputs: { x: D, s: rand(r, [8]), b: rand(r, [8]) },
    build: (g, x) => g.layerNorm(x.x, x.s, x.b),
    ref: (x) => broadcast([alongLast(x.x, (row) => {
      const m = sum(row) / row.length;
      const v = sum(row.map((q) => (q - m) ** 2)) / row.length;
      return row.map((q) => (q - m) / Math.sqrt(v + 1e-5));
    }), x.s, x.b], (p, s, b) => p * s + b),
  },
  {
    name: 'rms norm with scale', inputs: { x: D, s: rand(r, [8]) }, build: (g, x) => g.rmsNorm(x.x, x.s),
    ref: (x) => broadcast([alongLast(x.x, (row) => {
      const rms = Math.sqrt(sum(row.map((q) => q * q)) / row.length + 1e-6);
      return row.map((q) => q / rms);
    }), x.s], (p, s) => p * s),
  },
];

function attentionRef(q: Arr, k: Arr, v: Arr, mask?: (i: number, j: number) => number): Arr {
  const d = q.shape[q.shape.length - 1];
  let s = map(matmul(q, transpose(k, [0, 2, 1])), (x) => x / Math.sqrt(d));
  if (mask) {
    const L = s.shape[1];
    const S = s.shape[2];
    s = map(s, (x, i) => x + mask(Math.floor(i / S) % L, i % S));
  }
  return matmul(alongLast(s, softmaxRow), v);
}

const Q = rand(r, [2, 5, 4]);
const K = rand(r, [2, 6, 4]);
const V = rand(r, [2, 6, 3]);
const attention: Case[] = [
  { name: 'attention without mask', inputs: { q: Q, k: K, v: V }, build: (g, x) => g.attention(x.q, x.k, x.v), ref: (x) => attentionRef(x.q, x.k, x.v) },
  {
    name: 'attention with an additive mask', inputs: { q: Q, k: K, v: V, m: rand(r, [5, 6], -2, 0) },
    build: (g, x) => g.attention(x.q, x.k, x.v, x.m), ref: (x) => attentionRef(x.q, x.k, x.v, (i, j) => at(x.m, [i, j])),
  },
  {
    name: 'attention with a boolean (block-causal) mask', inputs: { q: rand(r, [2, 6, 4]), k: K, v: V },
    build: (g, x) => {
      const turn = [0, 0, 1, 1, 2, 2];
      const allowed = turn.flatMap((ti) => turn.map((tj) => (tj <= ti ? 1 : 0)));
      return g.attention(x.q, x.k, x.v, g.constant(Uint8Array.from(allowed), [6, 6], 'bool'));
    },
    ref: (x) => {
      const turn = [0, 0, 1, 1, 2, 2];
      return attentionRef(x.q, x.k, x.v, (i, j) => (turn[j] <= turn[i] ? 0 : -Infinity));
    },
  },
];

const misc: Case[] = [
  {
    name: 'cast to int32 and back', inputs: { x: map(rand(r, [3, 4]), (v) => v * 10) },
    build: (g, x) => g.cast(g.cast(x.x, 'int32'), 'float32'), ref: (x) => map(x.x, Math.trunc),
  },
  {
    name: 'resize nearest x2 (scales)', inputs: { x: rand(r, [1, 2, 3, 4]) },
    build: (g, x) => g.resize(x.x, { scales: [1, 1, 2, 2] }),
    ref: (x) => {
      const out = new Float64Array(2 * 6 * 8);
      forEachIndex([1, 2, 6, 8], ([n, c, y, xx], f) => { out[f] = at(x.x, [n, c, Math.floor(y / 2), Math.floor(xx / 2)]); });
      return { shape: [1, 2, 6, 8], data: out };
    },
  },
  {
    name: 'resize linear to sizes (half_pixel)', inputs: { x: rand(r, [1, 1, 4, 6]) },
    build: (g, x) => g.resize(x.x, { sizes: [1, 1, 7, 3], mode: 'linear' }),
    ref: (x) => bilinear(x.x, 7, 3),
  },
];

function bilinear(a: Arr, oh: number, ow: number): Arr {
  const [n, c, h, w] = a.shape;
  const src = (o: number, scale: number, size: number) => {
    const s = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), size - 1);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, size - 1), t: s - i0 };
  };
  const out = new Float64Array(n * c * oh * ow);
  forEachIndex([n, c, oh, ow], ([ni, ci, y, x], f) => {
    const sy = src(y, oh / h, h);
    const sx = src(x, ow / w, w);
    const v = (yy: number, xx: number) => at(a, [ni, ci, yy, xx]);
    out[f] = (1 - sy.t) * ((1 - sx.t) * v(sy.i0, sx.i0) + sx.t * v(sy.i0, sx.i1)) + sy.t * ((1 - sx.t) * v(sy.i1, sx.i0) + sx.t * v(sy.i1, sx.i1));
  });
  return { shape: [n, c, oh, ow], data: out };
}

const families: Array<[string, Case[]]> = [
  ['unary elementwise', [...unary, ...positive]],
  ['binary elementwise', binary],
  ['matrix products', linalg],
  ['convolution and pooling', convs],
  ['shape ops', shapes],
  ['reductions and normalisation', reductions],
  ['attention', attention],
  ['casts and resize', misc],
];

describe.each(families)('%s', (_family, cases) => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const want = c.ref(c.inputs);
    const got = await runOne(c.name, c.inputs, c.build);
    expect(got.dims).toEqual(want.shape);
    expect(got.inferred).toEqual(got.dims);
    expect(relError(got.data, want.data)).toBeLessThanOrEqual(TOL);
  });
});

test('comparison ops give bool tensors with the broadcast shape', async () => {
  const g = new GraphBuilder({ name: 'cmp' });
  const a = g.input('a', 'float32', [2, 3]);
  const b = g.input('b', 'float32', [3]);
  const lt = g.op('Less', [a, b]);
  expect(lt.dtype).toBe('bool');
  expect(lt.shape).toEqual([2, 3]);
});

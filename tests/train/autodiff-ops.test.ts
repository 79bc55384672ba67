/**
 * Every gradient rule against central finite differences, run by onnxruntime-node: float64 graphs where ORT
 * has double kernels (tight tolerance), float32 otherwise. Shapes include broadcasting, symbolic dimensions
 * (runtime-shape paths) and repeated gather indices.
 */
import { checkGradient, type GradCase } from './autodiff-check.js';
import type { GraphBuilder, Tensor } from '../../ml/onnx/index.js';

const TOL64 = 1e-5;
const TOL32 = 3e-3;

const unary = (name: string, f: (g: GraphBuilder, x: Tensor) => Tensor, lo = -1, hi = 1, dtype: 'float64' | 'float32' = 'float64'): GradCase => ({
  name, dtype, params: { x: { shape: [2, 3, 4], lo, hi } }, build: (g, p) => f(g, p.x),
});

const cases: GradCase[] = [
  { name: 'Add broadcasting [2,3,4] + [3,1]', params: { a: { shape: [2, 3, 4] }, b: { shape: [3, 1] } }, build: (g, p) => g.add(p.a, p.b) },
  { name: 'Sub broadcasting [3,1] - [2,3,4]', params: { a: { shape: [3, 1] }, b: { shape: [2, 3, 4] } }, build: (g, p) => g.sub(p.a, p.b) },
  { name: 'Mul broadcasting [2,3,4] * [4]', params: { a: { shape: [2, 3, 4] }, b: { shape: [4] } }, build: (g, p) => g.mul(p.a, p.b) },
  { name: 'Div broadcasting [2,3,4] / [2,1,4]', params: { a: { shape: [2, 3, 4] }, b: { shape: [2, 1, 4], lo: 0.5, hi: 2 } }, build: (g, p) => g.div(p.a, p.b) },
  { name: 'Pow by a constant', params: { x: { shape: [3, 4], lo: 0.2, hi: 2 } }, build: (g, p) => g.pow(p.x, 3) },
  { name: 'Pow by a parameter exponent', params: { x: { shape: [3, 4], lo: 0.2, hi: 2 }, e: { shape: [1], lo: 0.5, hi: 2 } }, build: (g, p) => g.pow(p.x, p.e) },
  unary('Sqrt', (g, x) => g.sqrt(x), 0.2, 2),
  unary('Reciprocal', (g, x) => g.reciprocal(x), 0.5, 2),
  unary('Exp', (g, x) => g.exp(x)),
  unary('Log', (g, x) => g.log(x), 0.2, 2),
  unary('Sigmoid', (g, x) => g.sigmoid(x)),
  unary('Tanh', (g, x) => g.tanh(x)),
  unary('Neg', (g, x) => g.neg(x)),
  unary('Relu (away from 0)', (g, x) => g.relu(g.add(g.mul(x, 2), g.constant(new Float64Array(24).map((_, i) => (i % 2 ? 3 : -3)), [2, 3, 4])))),
  unary('Erf (float32)', (g, x) => g.erf(x), -1, 1, 'float32'),
  unary('Sin (float32)', (g, x) => g.op('Sin', [x]), -2, 2, 'float32'),
  unary('Cos (float32)', (g, x) => g.op('Cos', [x]), -2, 2, 'float32'),
  unary('SiLU', (g, x) => g.silu(x), -3, 3),
  unary('GELU from Erf (float32)', (g, x) => g.gelu(x), -3, 3, 'float32'),
  unary('GELU tanh', (g, x) => g.gelu(x, 'tanh'), -3, 3),
  unary('Cast float32 -> float64 (float32)', (g, x) => g.mul(g.cast(x, 'float64'), 2), -1, 1, 'float32'),
  { name: 'RMSNorm with scale', params: { x: { shape: [2, 3, 8] }, w: { shape: [8] } }, build: (g, p) => g.rmsNorm(p.x, p.w, 1e-6) },
  { name: 'MatMul 2-D', params: { a: { shape: [3, 4] }, b: { shape: [4, 5] } }, build: (g, p) => g.matmul(p.a, p.b) },
  { name: 'MatMul [2,3,4] x [4,5] (linear)', params: { a: { shape: [2, 3, 4] }, b: { shape: [4, 5] } }, build: (g, p) => g.matmul(p.a, p.b) },
  { name: 'MatMul batch broadcast [2,1,3,4] x [3,4,5]', params: { a: { shape: [2, 1, 3, 4] }, b: { shape: [3, 4, 5] } }, build: (g, p) => g.matmul(p.a, p.b) },
  { name: 'MatMul rank-1 left', params: { a: { shape: [4] }, b: { shape: [2, 4, 5] } }, build: (g, p) => g.matmul(p.a, p.b) },
  { name: 'MatMul rank-1 right', params: { a: { shape: [2, 3, 4] }, b: { shape: [4] } }, build: (g, p) => g.matmul(p.a, p.b) },
  { name: 'Gemm transB with bias (linear)', params: { x: { shape: [3, 4] }, w: { shape: [5, 4] }, b: { shape: [5] } }, build: (g, p) => g.linear(p.x, p.w, p.b) },
  {
    name: 'Gemm transA, alpha and beta', params: { a: { shape: [4, 3] }, b: { shape: [4, 5] }, c: { shape: [1, 5] } },
    build: (g, p) => g.op('Gemm', [p.a, p.b, p.c], { transA: 1, alpha: 0.7, beta: 1.5 }),
  },
  { name: 'Reshape', params: { x: { shape: [2, 3, 4] } }, build: (g, p) => g.mul(g.reshape(p.x, [4, 6]), g.constant(new Float64Array(24).map((_, i) => i / 7), [4, 6])) },
  { name: 'Transpose', params: { x: { shape: [2, 3, 4] } }, build: (g, p) => g.mul(g.transpose(p.x, [2, 0, 1]), g.constant(new Float64Array(24).map((_, i) => i / 9), [4, 2, 3])) },
  { name: 'Flatten', params: { x: { shape: [2, 3, 4] } }, build: (g, p) => g.flatten(p.x, 2) },
  { name: 'Unsqueeze and Squeeze', params: { x: { shape: [3, 4] } }, build: (g, p) => g.squeeze(g.mul(g.unsqueeze(p.x, [0, 2]), 1.5), [2]) },
  { name: 'Expand', params: { x: { shape: [3, 1] } }, build: (g, p) => g.expand(p.x, [2, 3, 4]) },
  { name: 'Concat of three', params: { a: { shape: [2, 1, 4] }, b: { shape: [2, 3, 4] }, c: { shape: [2, 2, 4] } }, build: (g, p) => g.concat([p.a, p.b, p.c], 1) },
  { name: 'Split', params: { x: { shape: [2, 6] } }, build: (g, p) => { const [a, b] = g.split(p.x, 1, [2, 4]); return g.add(g.mul(g.reduceSum(a, [1]), 2), b); } },
  { name: 'Slice (negative start, open end, two axes)', params: { x: { shape: [4, 5, 3] } }, build: (g, p) => g.slice(p.x, [-3, 1], [2 ** 31 - 1, 3], [0, 2]) },
  { name: 'Gather axis 0 with repeated indices', params: { t: { shape: [5, 3] } }, build: (g, p) => g.gather(p.t, g.constant([1, 3, 1, 0, 1, 4], [2, 3], 'int64'), 0) },
  { name: 'Gather axis 1', params: { t: { shape: [2, 5, 3] } }, build: (g, p) => g.gather(p.t, [4, 0, 4], 1) },
  { name: 'Softmax last axis', params: { x: { shape: [2, 3, 5] } }, build: (g, p) => g.softmax(p.x, -1) },
  { name: 'Softmax axis 1', params: { x: { shape: [2, 3, 5] } }, build: (g, p) => g.softmax(p.x, 1) },
  { name: 'LogSoftmax', params: { x: { shape: [3, 5] } }, build: (g, p) => g.op('LogSoftmax', [p.x], { axis: -1 }) },
  { name: 'ReduceMean keepdims', params: { x: { shape: [2, 3, 4] } }, build: (g, p) => g.reduceMean(p.x, [0, 2], true) },
  { name: 'ReduceSum without keepdims', params: { x: { shape: [2, 3, 4] } }, build: (g, p) => g.reduceSum(p.x, [1, -1], false) },
  { name: 'ReduceSum of everything', params: { x: { shape: [2, 3] } }, build: (g, p) => g.op('ReduceSum', [p.x], { keepdims: 0 }) },
  {
    name: 'Where with broadcasting', params: { a: { shape: [2, 3, 4] }, b: { shape: [1, 4] } },
    build: (g, p) => g.where(g.constant(new Uint8Array([1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1]), [3, 4], 'bool'), p.a, p.b),
  },
  { name: 'LayerNormalization', params: { x: { shape: [2, 3, 6] }, s: { shape: [6] }, b: { shape: [6] } }, build: (g, p) => g.layerNorm(p.x, p.s, p.b) },
  {
    name: 'attention with softmax', params: { q: { shape: [1, 2, 3, 4] }, k: { shape: [1, 2, 5, 4] }, v: { shape: [1, 2, 5, 4] } },
    build: (g, p) => g.attention(p.q, p.k, p.v),
  },
  {
    name: 'symbolic shapes: broadcast add, slice and concat on a runtime axis',
    params: { w: { shape: [4] }, u: { shape: [1, 4] } },
    inputs: { x: { shape: ['n', 4], dims: [3, 4], data: [0.1, -0.2, 0.3, 0.5, 1, -1, 0.7, 0.2, -0.4, 0.9, 0.05, -0.6] } },
    build: (g, p, x) => {
      const y = g.mul(g.add(x.x, p.w), p.w);
      const head = g.slice(y, [0], [-1], [0]);
      const tail = g.slice(y, [-1], [2 ** 31 - 1], [0]);
      return g.concat([g.mul(head, g.where(g.op('Greater', [tail, g.scalar(0, tail)]), tail, p.u)), g.expand(p.u, g.shape(tail))], 0);
    },
  },
];

describe('autodiff: every gradient rule against finite differences', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await checkGradient(c);
    expect(r.checked).toBeGreaterThan(0);
    expect(r.maxError).toBeLessThanOrEqual((c.dtype ?? 'float64') === 'float64' ? TOL64 : TOL32);
  });
});

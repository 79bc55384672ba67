/** Gradient rules of MatMul (numpy batching, rank-1 operands) and Gemm (transposes, alpha, beta, C). */
import type { GradientRule, GraphBuilder, Tensor } from '../../onnx/index.js';
import { grad0, input, sumTo, wants, withShape } from './context.js';

/** Swaps the last two axes. */
function swapLast(g: GraphBuilder, x: Tensor): Tensor {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return g.transpose(x, perm);
}

const matmul: GradientRule = (ctx) => {
  const g = ctx.builder;
  let a = input(ctx, 0);
  let b = input(ctx, 1);
  let gy = grad0(ctx);
  // Rank-1 operands act as [1, K] and [K, 1]; their axes are absent from the output.
  if (a.rank === 1) { a = g.unsqueeze(a, [0]); gy = g.unsqueeze(gy, [gy.rank - (b.rank === 1 ? 0 : 1)]); }
  if (b.rank === 1) { b = g.unsqueeze(b, [1]); gy = g.unsqueeze(gy, [gy.rank]); }
  const [a0, b0] = [input(ctx, 0), input(ctx, 1)];
  let ga: Tensor | undefined;
  let gb: Tensor | undefined;
  if (wants(ctx, 0)) {
    const full = g.matmul(gy, swapLast(g, b));
    ga = withShape(g, a0.rank === 1 ? g.reshape(sumTo(g, full, a), [-1]) : sumTo(g, full, a), a0);
  }
  if (wants(ctx, 1)) {
    let full: Tensor;
    const [k, n] = b.shape;
    if (b.rank === 2 && a.rank > 2 && typeof k === 'number' && typeof n === 'number') {
      // x [..., K] @ W [K, N]: fold the batch axes into one product instead of summing per-batch products.
      full = g.op('Gemm', [g.reshape(a, [-1, k]), g.reshape(gy, [-1, n])], { transA: 1 });
    } else {
      full = g.matmul(swapLast(g, a), gy);
    }
    gb = withShape(g, b0.rank === 1 ? g.reshape(sumTo(g, full, b), [-1]) : sumTo(g, full, b), b0);
  }
  return [ga, gb];
};

const gemm: GradientRule = (ctx) => {
  const g = ctx.builder;
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  const c = ctx.inputs[2];
  const gy = grad0(ctx);
  const num = (k: string, fb: number) => { const v = ctx.node.attrs[k]; return typeof v === 'number' ? v : fb; };
  const transA = num('transA', 0);
  const transB = num('transB', 0);
  const alpha = num('alpha', 1);
  const beta = num('beta', 1);
  const attrs = (tA: number, tB: number) => ({ transA: tA, transB: tB, alpha: { attrType: 'float' as const, value: alpha } });
  // dL/dop(A) = alpha G op(B)^T, dL/dop(B) = alpha op(A)^T G; transposed back where A or B were.
  const ga = wants(ctx, 0)
    ? (transA ? g.op('Gemm', [b, gy], attrs(transB, 1)) : g.op('Gemm', [gy, b], attrs(0, transB ? 0 : 1)))
    : undefined;
  const gb = wants(ctx, 1)
    ? (transB ? g.op('Gemm', [gy, a], attrs(1, transA)) : g.op('Gemm', [a, gy], attrs(transA ? 0 : 1, 0)))
    : undefined;
  let gc: Tensor | undefined;
  if (c && wants(ctx, 2)) gc = sumTo(g, beta === 1 ? gy : g.mul(gy, beta), c);
  return [ga && withShape(g, ga, a), gb && withShape(g, gb, b), gc];
};

/** The linear-algebra rules by op type. */
export const linalgRules: Record<string, GradientRule> = { MatMul: matmul, Gemm: gemm };

/** Gradient rules of shape ops: reshapes, transposes, concatenation and splitting, slicing, gathering, expanding. */
import type { GradientRule, GraphBuilder, Tensor } from '../../onnx/index.js';
import { grad0, input, normAxis, reshapeLike, sumTo, wants, withShape, zerosLike } from './context.js';

/** Rule of ops that only re-label the elements (the gradient is reshaped back). */
const reshapeBack: GradientRule = (ctx) => {
  const x = input(ctx, 0);
  return [wants(ctx, 0) ? withShape(ctx.builder, reshapeLike(ctx.builder, grad0(ctx), x), x) : undefined];
};

const transpose: GradientRule = (ctx) => {
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined];
  const p = ctx.node.attrs.perm;
  const perm = Array.isArray(p) ? (p as number[]) : [...Array(x.rank).keys()].reverse();
  const inv: number[] = [];
  perm.forEach((q, i) => { inv[q] = i; });
  return [ctx.builder.transpose(grad0(ctx), inv)];
};

const expand: GradientRule = (ctx) => [wants(ctx, 0) ? sumTo(ctx.builder, grad0(ctx), input(ctx, 0)) : undefined];

/** The gradient of each output of a node, zeros where none reaches it. */
function outputGradsOrZeros(g: GraphBuilder, outputs: readonly Tensor[], grads: readonly (Tensor | undefined)[]): Tensor[] {
  return outputs.map((o, i) => grads[i] ?? zerosLike(g, o));
}

const concat: GradientRule = (ctx) => {
  const g = ctx.builder;
  const gy = grad0(ctx);
  const xs = ctx.inputs.map((_, i) => input(ctx, i));
  const axisAttr = ctx.node.attrs.axis;
  const axis = normAxis(typeof axisAttr === 'number' ? axisAttr : 0, gy.rank);
  if (xs.length === 1) return [wants(ctx, 0) ? gy : undefined];
  const sizes = xs.map((x) => x.shape[axis]);
  const sizeTensor = sizes.every((d) => typeof d === 'number')
    ? g.ints(sizes as number[])
    : g.concat(xs.map((x) => g.op('Shape', [x], { start: axis, end: axis + 1 })), 0);
  const parts = g.opMulti('Split', [gy, sizeTensor], { axis }, xs.length);
  return parts.map((p, i) => (wants(ctx, i) ? withShape(g, p, xs[i]) : undefined));
};

const split: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined];
  const axisAttr = ctx.node.attrs.axis;
  const axis = normAxis(typeof axisAttr === 'number' ? axisAttr : 0, x.rank);
  return [withShape(g, g.concat(outputGradsOrZeros(g, ctx.outputs, ctx.outputGrads), axis), x)];
};

/** The constant int values of an optional input, or a default. */
function intsOf(ctx: Parameters<GradientRule>[0], i: number, what: string): number[] | undefined {
  const t = ctx.inputs[i];
  if (!t) return undefined;
  const v = t.values;
  if (!v || v.some((d) => typeof d !== 'number')) throw new Error(`Slice node '${ctx.node.name}': its ${what} must be known while building to differentiate it`);
  return v as number[];
}

const INT64_MAX = 2 ** 62;

/**
 * Slice (steps of 1): the gradient padded back with zeros. Pads come from constants where the sliced axes
 * have known sizes, else from the runtime shape (negative and out-of-range starts/ends clamped as Slice does).
 */
const slice: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined];
  const gy = grad0(ctx);
  const starts = intsOf(ctx, 1, 'starts') ?? [];
  const ends = intsOf(ctx, 2, 'ends') ?? [];
  const axes = (intsOf(ctx, 3, 'axes') ?? starts.map((_, i) => i)).map((a) => normAxis(a, x.rank));
  const steps = intsOf(ctx, 4, 'steps') ?? starts.map(() => 1);
  if (steps.some((s) => s !== 1)) throw new Error(`Slice node '${ctx.node.name}': the gradient supports steps of 1 only, got [${steps}]`);
  const r = x.rank;
  const known = axes.every((a) => typeof x.shape[a] === 'number');
  if (known) {
    const pads = Array(2 * r).fill(0);
    axes.forEach((a, k) => {
      const d = x.shape[a] as number;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      const s = clamp(starts[k]);
      const e = Math.max(clamp(ends[k]), s);
      pads[a] = s;
      pads[a + r] = d - e;
    });
    return [withShape(g, g.op('Pad', [gy, g.ints(pads)]), x)];
  }
  // Runtime pads: begin = clamp(start), end = d - max(clamp(end), begin), per sliced axis.
  const zero = g.ints([0]);
  const begin: Tensor[] = Array(r).fill(zero);
  const end: Tensor[] = Array(r).fill(zero);
  axes.forEach((a, k) => {
    const d = g.op('Shape', [x], { start: a, end: a + 1 });
    const clamp = (v: number) => {
      const raw = v < 0 ? g.add(d, g.ints([Math.max(v, -INT64_MAX)])) : g.ints([Math.min(v, INT64_MAX)]);
      return g.op('Max', [g.op('Min', [raw, d]), zero]);
    };
    const s = clamp(starts[k]);
    const e = g.op('Max', [clamp(ends[k]), s]);
    begin[a] = s;
    end[a] = g.sub(d, e);
  });
  return [withShape(g, g.op('Pad', [gy, g.concat([...begin, ...end], 0)]), x)];
};

/** Gather: the gradient scattered back with addition (repeated indices accumulate). */
const gather: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  const idx = input(ctx, 1);
  if (!wants(ctx, 0)) return [undefined, undefined];
  const gy = grad0(ctx);
  const axisAttr = ctx.node.attrs.axis;
  const axis = normAxis(typeof axisAttr === 'number' ? axisAttr : 0, x.rank);
  const ind = g.unsqueeze(idx.dtype === 'int64' ? idx : g.cast(idx, 'int64'), [idx.rank]);
  if (axis === 0) {
    return [g.op('ScatterND', [zerosLike(g, x), ind, gy], { reduction: 'add' }), undefined];
  }
  // Move the gathered axis to the front, scatter, move it back.
  const perm = [axis, ...[...Array(x.rank).keys()].filter((i) => i !== axis)];
  const inv: number[] = [];
  perm.forEach((q, i) => { inv[q] = i; });
  const xt = g.transpose(x, perm);
  const q = idx.rank;
  const gperm = [...Array(q).keys()].map((i) => i + axis).concat([...Array(axis).keys()], [...Array(gy.rank - axis - q).keys()].map((i) => i + axis + q));
  const gyt = g.transpose(gy, gperm);
  const scattered = g.op('ScatterND', [zerosLike(g, xt), ind, gyt], { reduction: 'add' });
  return [withShape(g, g.transpose(scattered, inv), x), undefined];
};

/** The shape-op rules by op type. */
export const shapeRules: Record<string, GradientRule> = {
  Reshape: (ctx) => [...reshapeBack(ctx), undefined],
  Flatten: reshapeBack,
  Unsqueeze: (ctx) => [...reshapeBack(ctx), undefined],
  Squeeze: (ctx) => [...reshapeBack(ctx), undefined],
  Transpose: transpose,
  Expand: (ctx) => [...expand(ctx), undefined],
  Concat: concat,
  Split: (ctx) => [...split(ctx), undefined],
  Slice: (ctx) => [...slice(ctx), undefined, undefined, undefined, undefined],
  Gather: gather,
};

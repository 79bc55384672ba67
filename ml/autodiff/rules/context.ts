/**
 * What the autodiff's gradient rules see: the builder's GradientContext plus which inputs need a gradient,
 * and the small shape helpers every rule shares (sum a broadcast gradient back to an input's shape, the
 * runtime shape of a value, zeros).
 */
import { shapeEqual, isUnknown, dimEqual, type GradientContext, type Tensor, type GraphBuilder } from '../../onnx/index.js';

/** A GradientContext with the inputs that need a gradient (rules skip the others' backward ops). */
export interface AutodiffContext extends GradientContext {
  readonly needs: readonly boolean[];
}

/** True when input i needs a gradient (always true for a plain GradientContext). */
export function wants(ctx: GradientContext, i: number): boolean {
  const needs = (ctx as Partial<AutodiffContext>).needs;
  return ctx.inputs[i] !== undefined && (needs ? needs[i] === true : true);
}

/** The gradient of output 0, which a rule is only called with when some output has one. */
export function grad0(ctx: GradientContext): Tensor {
  const gy = ctx.outputGrads[0];
  if (!gy) throw new Error(`${ctx.node.opType} node '${ctx.node.name}': no gradient reaches output 0`);
  return gy;
}

/** Input i, which must be present. */
export function input(ctx: GradientContext, i: number): Tensor {
  const x = ctx.inputs[i];
  if (!x) throw new Error(`${ctx.node.opType} node '${ctx.node.name}': input ${i} is missing`);
  return x;
}

/** Known dims of a shape, or undefined when one is symbolic. */
export function staticDims(t: Tensor): number[] | undefined {
  return t.shape.every((d) => typeof d === 'number') ? (t.shape as number[]) : undefined;
}

/** The shape of x as an int64 tensor: a constant when known, else a Shape op. */
export function shapeOf(g: GraphBuilder, x: Tensor): Tensor {
  const dims = staticDims(x);
  return dims ? g.ints(dims) : g.shape(x);
}

/** Reshapes y to x's shape (a no-op when the builder already knows they match). */
export function reshapeLike(g: GraphBuilder, y: Tensor, x: Tensor): Tensor {
  if (shapeEqual(y.shape, x.shape) && !y.shape.some((d) => isUnknown(d))) return y;
  return g.reshape(y, shapeOf(g, x));
}

/** Zeros of x's shape and dtype. */
export function zerosLike(g: GraphBuilder, x: Tensor): Tensor {
  return g.op('ConstantOfShape', [shapeOf(g, x)], { value: { dtype: x.dtype, dims: [1], data: x.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1) } }, {
    outputTypes: [{ dtype: x.dtype, shape: x.shape }],
  });
}

/**
 * Sums a gradient that was broadcast from x's shape back to that shape: leading axes away, then every axis
 * where x has size 1. Static where the shapes say which axes broadcast; otherwise the axes are found at run
 * time (every axis where x's runtime size is 1: summing over a size-1 gradient axis changes nothing).
 */
export function sumTo(g: GraphBuilder, gy: Tensor, x: Tensor): Tensor {
  let y = gy;
  const lead = y.rank - x.rank;
  if (lead < 0) throw new Error(`sumTo: gradient ${gy.toString()} has a lower rank than ${x.toString()}`);
  if (lead > 0) y = g.reduceSum(y, [...Array(lead).keys()], false);
  // An unknown ('?') dimension may be 1 at run time even where the builder matched it with another unknown.
  const decided = x.shape.every((d, i) => !isUnknown(d) && !isUnknown(y.shape[i]) && (d === 1 || dimEqual(d, y.shape[i]) || (typeof d === 'number' && typeof y.shape[i] === 'number')));
  if (decided) {
    const axes = x.shape.flatMap((d, i) => (d === 1 && y.shape[i] !== 1 ? [i] : []));
    if (axes.length > 0) y = g.reduceSum(y, axes, true);
  } else {
    const ones = g.op('Equal', [g.shape(x), g.ints([1])]);
    const axes = g.reshape(g.op('NonZero', [ones]), [-1]);
    y = g.op('ReduceSum', [y, axes], { keepdims: 1, noop_with_empty_axes: 1 });
  }
  return withShape(g, y, x);
}

/** y, known to have x's shape at run time, labelled with it for the builder (an Identity when they differ). */
export function withShape(g: GraphBuilder, y: Tensor, x: Tensor): Tensor {
  if (shapeEqual(y.shape, x.shape) && y.dtype === x.dtype) return y;
  const dims = staticDims(x);
  if (dims && !staticDims(y)) return g.op('Reshape', [y, g.ints(dims)]);
  return g.op('Identity', [y], {}, { outputTypes: [{ dtype: y.dtype, shape: x.shape }] });
}

/** A scalar constant of x's dtype. */
export function scalarLike(g: GraphBuilder, v: number, x: Tensor): Tensor {
  return g.scalar(v, x);
}

/** A normalised axis. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

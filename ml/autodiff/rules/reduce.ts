/** Gradient rules of reductions, Softmax/LogSoftmax and LayerNormalization. */
import type { GradientContext, GradientRule, GraphBuilder, Tensor } from '../../onnx/index.js';
import { grad0, input, normAxis, shapeOf, sumTo, wants, withShape } from './context.js';

/** The reduced axes of a Reduce* node (normalised), or undefined for "all axes". */
function reducedAxes(ctx: GradientContext, rank: number): number[] | undefined {
  const fromInput = ctx.inputs[1];
  let axes: readonly number[] | undefined;
  if (fromInput) {
    const v = fromInput.values;
    if (!v || v.some((d) => typeof d !== 'number')) throw new Error(`${ctx.node.opType} node '${ctx.node.name}': its axes must be known while building to differentiate it`);
    axes = v as number[];
  } else {
    const a = ctx.node.attrs.axes;
    axes = Array.isArray(a) ? (a as number[]) : undefined;
  }
  if (!axes || axes.length === 0) {
    if (ctx.node.attrs.noop_with_empty_axes === 1) return [];
    return undefined;
  }
  return axes.map((a) => normAxis(a, rank));
}

/** The output gradient broadcast back over the reduced axes of x. */
function spread(g: GraphBuilder, ctx: GradientContext, x: Tensor): Tensor {
  const gy = grad0(ctx);
  const axes = reducedAxes(ctx, x.rank) ?? [...Array(x.rank).keys()];
  const keep = ctx.node.attrs.keepdims !== 0;
  const kept = keep || axes.length === 0 ? gy : g.unsqueeze(gy, [...axes].sort((a, b) => a - b));
  return withShape(g, g.expand(kept, shapeOf(g, x)), x);
}

/** Elements reduced into each output value: a constant when the shapes are known, else Size(x) / Size(y). */
function count(g: GraphBuilder, x: Tensor, y: Tensor): Tensor {
  const nx = x.shape.every((d) => typeof d === 'number') ? (x.shape as number[]).reduce((a, b) => a * b, 1) : undefined;
  const ny = y.shape.every((d) => typeof d === 'number') ? (y.shape as number[]).reduce((a, b) => a * b, 1) : undefined;
  if (nx !== undefined && ny !== undefined) return g.scalar(nx / Math.max(ny, 1), x);
  return g.div(g.cast(g.op('Size', [x]), x.dtype), g.cast(g.op('Size', [y]), x.dtype));
}

const reduceSum: GradientRule = (ctx) => {
  const x = input(ctx, 0);
  return [wants(ctx, 0) ? spread(ctx.builder, ctx, x) : undefined, undefined];
};

const reduceMean: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined, undefined];
  return [withShape(g, g.div(spread(g, ctx, x), count(g, x, ctx.outputs[0])), x), undefined];
};

const reduceSumSquare: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined, undefined];
  return [withShape(g, g.mul(spread(g, ctx, x), g.mul(x, 2)), x), undefined];
};

function axisAttr(ctx: GradientContext, rank: number, fallback: number): number {
  const a = ctx.node.attrs.axis;
  return normAxis(typeof a === 'number' ? a : fallback, rank);
}

const softmax: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined];
  const y = ctx.outputs[0];
  const gy = grad0(ctx);
  const axis = axisAttr(ctx, x.rank, -1);
  // dx = y * (gy - sum(gy * y))
  const dot = g.reduceSum(g.mul(gy, y), [axis], true);
  return [withShape(g, g.mul(y, g.sub(gy, dot)), x)];
};

const logSoftmax: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  if (!wants(ctx, 0)) return [undefined];
  const gy = grad0(ctx);
  const axis = axisAttr(ctx, x.rank, -1);
  return [withShape(g, g.sub(gy, g.mul(g.exp(ctx.outputs[0]), g.reduceSum(gy, [axis], true))), x)];
};

/**
 * LayerNormalization over the axes from `axis`: the statistics are recomputed (the forward node's optional
 * mean/inv-std outputs are not relied on). dx = inv_std * (gh - mean(gh) - h * mean(gh * h)), gh = gy * scale.
 */
const layerNorm: GradientRule = (ctx) => {
  const g = ctx.builder;
  const x = input(ctx, 0);
  const scale = input(ctx, 1);
  const bias = ctx.inputs[2];
  const gy = grad0(ctx);
  const axis = axisAttr(ctx, x.rank, -1);
  const eps = typeof ctx.node.attrs.epsilon === 'number' ? ctx.node.attrs.epsilon : 1e-5;
  const axes = [...Array(x.rank - axis).keys()].map((i) => i + axis);
  const mean = g.reduceMean(x, axes, true);
  const centred = g.sub(x, mean);
  const invStd = g.reciprocal(g.sqrt(g.add(g.reduceMean(g.mul(centred, centred), axes, true), eps)));
  const h = g.mul(centred, invStd);
  const toParam = (t: Tensor, p: Tensor) => sumTo(g, t, p);
  let gx: Tensor | undefined;
  if (wants(ctx, 0)) {
    const gh = g.mul(gy, scale);
    const inner = g.sub(g.sub(gh, g.reduceMean(gh, axes, true)), g.mul(h, g.reduceMean(g.mul(gh, h), axes, true)));
    gx = withShape(g, g.mul(invStd, inner), x);
  }
  const gs = wants(ctx, 1) ? toParam(g.mul(gy, h), scale) : undefined;
  const gb = bias && wants(ctx, 2) ? toParam(gy, bias) : undefined;
  return [gx, gs, gb];
};

/** The reduction and normalisation rules by op type. */
export const reduceRules: Record<string, GradientRule> = {
  ReduceSum: reduceSum,
  ReduceMean: reduceMean,
  ReduceSumSquare: reduceSumSquare,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  LayerNormalization: layerNorm,
};

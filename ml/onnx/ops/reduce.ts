/** Reductions, normalisations, softmax, top-k, casts and resizing. */
import { dimEqual, formatShape, normAxis, unknownDim, type Dim } from '../shape.js';
import { toDType, type DType } from '../dtype.js';
import type { InferContext, OpDef, ValueType } from './types.js';

function axisOf(c: InferContext, axis: number, rank: number): number {
  const a = normAxis(axis, rank);
  if (a === undefined) throw c.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** At which opset a reduction takes its axes as an input instead of an attribute. */
export function reduceAxesAsInput(opType: string, opset: number): boolean {
  return opType === 'ReduceSum' ? opset >= 13 : opset >= 18;
}

function reduce(opType: string): OpDef {
  return {
    opType, arity: [1, 2], attrTypes: { axes: 'ints', keepdims: 'int', noop_with_empty_axes: 'int' },
    infer: (c) => {
      const x = c.input(0);
      const r = x.shape.length;
      const asInput = reduceAxesAsInput(opType, c.opset);
      if (asInput && c.attrs.axes !== undefined) throw c.fail(`takes its axes as an input at opset ${c.opset}, not as an attribute`);
      const given = asInput ? c.inputs[1] !== undefined : c.attrs.axes !== undefined;
      const axes = asInput ? (c.inputs[1] ? c.numbers(1) : undefined) : c.ints('axes');
      const keep = c.int('keepdims', 1) === 1;
      if (given && !axes) return [{ dtype: x.dtype, shape: keep ? x.shape.map(() => unknownDim('reduce')) : [unknownDim('reduce')] }];
      const all = !axes || axes.length === 0;
      if (all && c.int('noop_with_empty_axes', 0) === 1) return [{ dtype: x.dtype, shape: x.shape }];
      const set = new Set(all ? x.shape.map((_, i) => i) : axes.map((a) => axisOf(c, a, r)));
      const shape = keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i));
      return [{ dtype: x.dtype, shape }];
    },
  };
}

function argReduce(opType: string): OpDef {
  return {
    opType, arity: [1, 1], attrTypes: { axis: 'int', keepdims: 'int', select_last_index: 'int' },
    infer: (c) => {
      const x = c.input(0);
      const a = axisOf(c, c.int('axis', 0), x.shape.length);
      const keep = c.int('keepdims', 1) === 1;
      return [{ dtype: 'int64', shape: keep ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a) }];
    },
  };
}

function softmax(opType: string): OpDef {
  return {
    opType, arity: [1, 1], attrTypes: { axis: 'int' },
    infer: (c) => {
      axisOf(c, c.int('axis', -1), c.input(0).shape.length);
      return [{ dtype: c.input(0).dtype, shape: c.input(0).shape }];
    },
  };
}

function checkParam(c: InferContext, i: number, expected: readonly Dim[], what: string): void {
  const p = c.inputs[i];
  if (!p) return;
  if (p.dtype !== c.input(0).dtype) throw c.fail(`${what} must be ${c.input(0).dtype}, got ${p.dtype}`);
  const ok = p.shape.length <= expected.length && p.shape.every((d, j) => {
    const e = expected[expected.length - p.shape.length + j];
    return d === 1 || dimEqual(d, e) || typeof d === 'string' || typeof e === 'string';
  });
  if (!ok) throw c.fail(`${what} ${formatShape(p.shape)} does not fit the normalised shape ${formatShape(expected)}`);
}

const layerNorm: OpDef = {
  opType: 'LayerNormalization', arity: [2, 3], attrTypes: { axis: 'int', epsilon: 'float', stash_type: 'int' },
  infer: (c) => {
    const x = c.input(0);
    const a = axisOf(c, c.int('axis', -1), x.shape.length);
    const norm = x.shape.slice(a);
    checkParam(c, 1, norm, 'Scale');
    checkParam(c, 2, norm, 'B');
    const stat: ValueType = { dtype: 'float32', shape: x.shape.map((d, i) => (i < a ? d : 1)) };
    return [{ dtype: x.dtype, shape: x.shape }, stat, stat].slice(0, Math.max(1, c.outputCount));
  },
};

const channelParams = (c: InferContext, from: number, to: number, what: string) => {
  const x = c.input(0);
  if (x.shape.length < 2) throw c.fail(`X ${formatShape(x.shape)} must be [N,C,...]`);
  for (let i = from; i < to; i++) checkParam(c, i, [x.shape[1]], what);
};

const batchNorm: OpDef = {
  opType: 'BatchNormalization', arity: [5, 5], attrTypes: { epsilon: 'float', momentum: 'float', training_mode: 'int' },
  infer: (c) => {
    channelParams(c, 1, 5, 'scale/B/mean/var');
    return [{ dtype: c.input(0).dtype, shape: c.input(0).shape }];
  },
};

const instanceNorm: OpDef = {
  opType: 'InstanceNormalization', arity: [3, 3], attrTypes: { epsilon: 'float' },
  infer: (c) => {
    channelParams(c, 1, 3, 'scale/B');
    return [{ dtype: c.input(0).dtype, shape: c.input(0).shape }];
  },
};

const groupNorm: OpDef = {
  opType: 'GroupNormalization', arity: [3, 3], since: 18, attrTypes: { epsilon: 'float', num_groups: 'int', stash_type: 'int' },
  infer: (c) => [{ dtype: c.input(0).dtype, shape: c.input(0).shape }],
};

const topK: OpDef = {
  opType: 'TopK', arity: [2, 2], attrTypes: { axis: 'int', largest: 'int', sorted: 'int' },
  infer: (c) => {
    const x = c.input(0);
    const a = axisOf(c, c.int('axis', -1), x.shape.length);
    const k = c.numbers(1);
    const shape = x.shape.map((d, i) => (i === a ? (k ? k[0] : unknownDim('topk')) : d));
    return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
  },
};

const cast: OpDef = {
  opType: 'Cast', arity: [1, 1], attrTypes: { to: 'int', saturate: 'int' },
  infer: (c) => {
    const to = c.attrs.to;
    if (typeof to !== 'number' && typeof to !== 'string') throw c.fail('needs the `to` attribute (a dtype name or ONNX code)');
    const dtype = toDType(to as DType | number);
    const x = c.input(0);
    const values = x.values && (dtype === 'int64' || dtype === 'int32') ? x.values : undefined;
    return [{ dtype, shape: x.shape, values }];
  },
};

const castLike: OpDef = {
  opType: 'CastLike', arity: [2, 2],
  infer: (c) => [{ dtype: c.input(1).dtype, shape: c.input(0).shape }],
};

const resize: OpDef = {
  opType: 'Resize', arity: [1, 4],
  attrTypes: {
    mode: 'string', coordinate_transformation_mode: 'string', nearest_mode: 'string', cubic_coeff_a: 'float',
    exclude_outside: 'int', extrapolation_value: 'float', antialias: 'int', axes: 'ints', keep_aspect_ratio_policy: 'string',
  },
  infer: (c) => {
    const x = c.input(0);
    const sizes = c.inputs[3] ? c.numbers(3) : undefined;
    const scales = c.inputs[2] && (c.inputs[2].shape[0] ?? 0) !== 0 ? c.numbers(2) : undefined;
    const axes = c.ints('axes') ?? x.shape.map((_, i) => i);
    const shape: Dim[] = [...x.shape];
    if (c.inputs[3] && !sizes) return [{ dtype: x.dtype, shape: x.shape.map(() => unknownDim('resize')) }];
    if (sizes) {
      if (sizes.length !== axes.length) throw c.fail(`sizes [${sizes}] must have one entry per resized axis of ${formatShape(x.shape)}`);
      axes.forEach((a, i) => { shape[axisOf(c, a, x.shape.length)] = sizes[i]; });
    } else if (scales) {
      if (scales.length !== axes.length) throw c.fail(`scales [${scales}] must have one entry per resized axis of ${formatShape(x.shape)}`);
      axes.forEach((a, i) => {
        const ax = axisOf(c, a, x.shape.length);
        const d = shape[ax];
        shape[ax] = scales[i] === 1 ? d : typeof d === 'number' ? Math.floor(d * scales[i]) : unknownDim('resize');
      });
    } else if (c.inputs[2] || c.inputs[3]) {
      return [{ dtype: x.dtype, shape: x.shape.map(() => unknownDim('resize')) }];
    } else throw c.fail('needs scales or sizes');
    return [{ dtype: x.dtype, shape }];
  },
};

export const reduceOps: OpDef[] = [
  ...['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp'].map(reduce),
  argReduce('ArgMax'), argReduce('ArgMin'),
  softmax('Softmax'), softmax('LogSoftmax'),
  layerNorm, batchNorm, instanceNorm, groupNorm, topK, cast, castLike, resize,
];

/** Ops that move data around: reshape, transpose, concat, split, slice, gather, (un)squeeze, expand, tile, pad. */
import {
  broadcastShapes, dimDivide, dimEqual, dimProduct, formatShape, isUnknown, normAxis, numelOf, unknownDim, type Dim,
} from '../shape.js';
import type { InferContext, OpDef, ValueType } from './types.js';

const MAX_VALUES = 1024;

function axisOf(c: InferContext, axis: number, rank: number): number {
  const a = normAxis(axis, rank);
  if (a === undefined) throw c.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The values of a 1-D int input as dims (symbolic where they come from a symbolic shape). */
function dimValues(c: InferContext, i: number): readonly Dim[] | undefined {
  return c.inputs[i]?.values;
}

/** Length of a 1-D input (its single dimension), which must be known. */
function lengthOf(c: InferContext, i: number, what: string): number {
  const s = c.input(i).shape;
  if (s.length !== 1 || typeof s[0] !== 'number') throw c.fail(`${what} must be a 1-D tensor of known length, got ${formatShape(s)}`);
  return s[0];
}

const reshape: OpDef = {
  opType: 'Reshape', arity: [2, 2], attrTypes: { allowzero: 'int' },
  infer: (c) => {
    const x = c.input(0);
    const target = dimValues(c, 1);
    if (!target) return [{ dtype: x.dtype, shape: Array.from({ length: lengthOf(c, 1, 'shape') }, () => unknownDim('reshape')) }];
    const allowZero = c.int('allowzero', 0) === 1;
    const dims: Dim[] = target.map((d, i) => {
      if (d === 0 && !allowZero) {
        if (i >= x.shape.length) throw c.fail(`shape ${formatShape(target)} copies dimension ${i} (0) but the input ${formatShape(x.shape)} has rank ${x.shape.length}`);
        return x.shape[i];
      }
      return d;
    });
    const minus = dims.filter((d) => d === -1).length;
    if (minus > 1) throw c.fail(`shape ${formatShape(target)} has more than one -1`);
    const total = dimProduct(x.shape);
    if (minus === 1) {
      const known = dimProduct(dims.filter((d) => d !== -1));
      const rest = dimDivide(total, known);
      const numericMismatch = typeof total === 'number' && typeof known === 'number';
      if (rest === undefined && numericMismatch) throw c.fail(`cannot reshape ${formatShape(x.shape)} (${total} elements) to ${formatShape(target)}`);
      dims[dims.indexOf(-1)] = rest ?? unknownDim('reshape');
    } else {
      const n = dimProduct(dims);
      if (typeof n === 'number' && typeof total === 'number' && n !== total) {
        throw c.fail(`cannot reshape ${formatShape(x.shape)} (${total} elements) to ${formatShape(target)} (${n} elements)`);
      }
    }
    return [{ dtype: x.dtype, shape: dims, values: x.values }];
  },
};

const flatten: OpDef = {
  opType: 'Flatten', arity: [1, 1], attrTypes: { axis: 'int' },
  infer: (c) => {
    const x = c.input(0);
    const axis = c.int('axis', 1);
    const a = axis < 0 ? axis + x.shape.length : axis;
    if (a < 0 || a > x.shape.length) throw c.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
    return [{ dtype: x.dtype, shape: [dimProduct(x.shape.slice(0, a)), dimProduct(x.shape.slice(a))] }];
  },
};

const transpose: OpDef = {
  opType: 'Transpose', arity: [1, 1], attrTypes: { perm: 'ints' },
  infer: (c) => {
    const x = c.input(0);
    const r = x.shape.length;
    const perm = c.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== r || sorted.some((p, i) => p !== i)) throw c.fail(`perm [${perm}] is not a permutation of the axes of ${formatShape(x.shape)}`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
};

function sumDims(ds: Dim[]): Dim {
  if (ds.every((d) => typeof d === 'number')) return (ds as number[]).reduce((a, b) => a + b, 0);
  if (ds.every((d) => dimEqual(d, ds[0]))) return dimProduct([ds.length, ds[0]]);
  return unknownDim('concat');
}

const concat: OpDef = {
  opType: 'Concat', arity: [1, Infinity], attrTypes: { axis: 'int' },
  infer: (c) => {
    const first = c.input(0);
    const r = first.shape.length;
    const axis = axisOf(c, c.int('axis', 0), r);
    const along: Dim[] = [];
    const shape = [...first.shape];
    c.inputs.forEach((x, i) => {
      if (!x) throw c.fail(`input ${i} is missing`);
      if (x.dtype !== first.dtype) throw c.fail(`inputs must share a dtype, got ${first.dtype} and ${x.dtype} (input ${i})`);
      if (x.shape.length !== r) throw c.fail(`input ${i} ${formatShape(x.shape)} has rank ${x.shape.length}, input 0 ${formatShape(first.shape)} has rank ${r}`);
      x.shape.forEach((d, j) => {
        if (j === axis) return;
        if (!dimEqual(d, shape[j])) {
          if (isUnknown(shape[j])) shape[j] = d;
          else if (!isUnknown(d)) throw c.fail(`input ${i} ${formatShape(x.shape)} differs from ${formatShape(first.shape)} on axis ${j} (concat axis ${axis})`);
        }
      });
      along.push(x.shape[axis]);
    });
    shape[axis] = sumDims(along);
    const values = r === 1 && c.inputs.every((x) => x?.values) ? c.inputs.flatMap((x) => [...(x?.values ?? [])]) : undefined;
    return [{ dtype: first.dtype, shape, values }];
  },
};

const split: OpDef = {
  opType: 'Split', arity: [1, 2], attrTypes: { axis: 'int', num_outputs: 'int' },
  infer: (c) => {
    const x = c.input(0);
    const axis = axisOf(c, c.int('axis', 0), x.shape.length);
    const n = c.outputCount;
    const sizes = c.inputs[1] ? c.numbers(1) : undefined;
    if (c.inputs[1] && !sizes) return Array.from({ length: n }, () => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? unknownDim('split') : d)) }));
    if (sizes && sizes.length !== n) throw c.fail(`split sizes [${sizes}] give ${sizes.length} outputs but ${n} were asked for`);
    const d = x.shape[axis];
    if (sizes && typeof d === 'number' && sizes.reduce((a, b) => a + b, 0) !== d) throw c.fail(`split sizes [${sizes}] do not add up to ${d} on axis ${axis} of ${formatShape(x.shape)}`);
    return Array.from({ length: n }, (_, k) => {
      let part: Dim;
      if (sizes) part = sizes[k];
      else if (typeof d === 'number') {
        const chunk = Math.ceil(d / n);
        part = k < n - 1 ? chunk : d - chunk * (n - 1);
      } else part = dimDivide(d, n) ?? unknownDim('split');
      return { dtype: x.dtype, shape: x.shape.map((dd, i) => (i === axis ? part : dd)) };
    });
  },
};

const INT_MAX = 2 ** 31;

const slice: OpDef = {
  opType: 'Slice', arity: [3, 5],
  infer: (c) => {
    const x = c.input(0);
    const r = x.shape.length;
    const starts = c.numbers(1);
    const ends = c.numbers(2);
    const axesIn = c.inputs[3] ? c.numbers(3) : Array.from({ length: starts?.length ?? 0 }, (_, i) => i);
    const steps = c.inputs[4] ? c.numbers(4) : starts?.map(() => 1);
    if (!starts || !ends || !axesIn || !steps) {
      const touched = axesIn ? new Set(axesIn.map((a) => axisOf(c, a, r))) : undefined;
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (!touched || touched.has(i) ? unknownDim('slice') : d)) }];
    }
    if (ends.length !== starts.length || axesIn.length !== starts.length || steps.length !== starts.length) {
      throw c.fail(`starts [${starts}], ends [${ends}], axes [${axesIn}] and steps [${steps}] must have equal lengths`);
    }
    const shape = [...x.shape];
    const picks: Array<{ axis: number; start: number; end: number; step: number }> = [];
    axesIn.forEach((a, k) => {
      const axis = axisOf(c, a, r);
      const step = steps[k];
      if (step === 0) throw c.fail('steps must not be 0');
      const d = x.shape[axis];
      if (typeof d !== 'number') {
        shape[axis] = starts[k] === 0 && ends[k] >= INT_MAX - 1 && step === 1 ? d : unknownDim('slice');
        return;
      }
      const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
      let start = starts[k] < 0 ? starts[k] + d : starts[k];
      let end = ends[k] < 0 ? ends[k] + d : ends[k];
      if (step > 0) { start = clamp(start, 0, d); end = clamp(end, 0, d); }
      else { start = clamp(start, 0, d - 1); end = clamp(end, -1, d - 1); }
      shape[axis] = Math.max(0, Math.ceil((end - start) / step));
      picks.push({ axis, start, end, step });
    });
    let values: Dim[] | undefined;
    if (r === 1 && x.values && picks.length === 1) {
      const p = picks[0];
      values = [];
      for (let i = p.start; p.step > 0 ? i < p.end : i > p.end; i += p.step) values.push(x.values[i]);
    }
    return [{ dtype: x.dtype, shape, values }];
  },
};

const gather: OpDef = {
  opType: 'Gather', arity: [2, 2], attrTypes: { axis: 'int' },
  infer: (c) => {
    const x = c.input(0);
    const idx = c.input(1);
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw c.fail(`indices must be int64 or int32, got ${idx.dtype}`);
    const axis = axisOf(c, c.int('axis', 0), x.shape.length);
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    let values: Dim[] | undefined;
    const ii = c.numbers(1);
    if (x.shape.length === 1 && x.values && ii) {
      const n = x.values.length;
      values = ii.map((i) => (i < 0 ? x.values![i + n] : x.values![i]));
      if (values.some((v) => v === undefined)) throw c.fail(`an index in [${ii}] is out of range for ${n} values`);
    }
    return [{ dtype: x.dtype, shape, values }];
  },
};

function axesOf(c: InferContext, i: number): number[] | undefined {
  return c.opset >= 13 ? (c.inputs[i] ? c.numbers(i) : undefined) : c.ints('axes');
}

const unsqueeze: OpDef = {
  opType: 'Unsqueeze', arity: [1, 2],
  infer: (c) => {
    const x = c.input(0);
    const axes = axesOf(c, 1);
    if (!axes) throw c.fail('needs constant axes (a known 1-D int64 input at opset 13+)');
    const r = x.shape.length + axes.length;
    const norm = axes.map((a) => axisOf(c, a, r));
    if (new Set(norm).size !== norm.length) throw c.fail(`axes [${axes}] repeat an axis`);
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < r; i++) shape.push(norm.includes(i) ? 1 : x.shape[j++]);
    return [{ dtype: x.dtype, shape, values: x.values }];
  },
};

const squeeze: OpDef = {
  opType: 'Squeeze', arity: [1, 2],
  infer: (c) => {
    const x = c.input(0);
    const given = c.inputs[1] !== undefined || (c.opset < 13 && c.ints('axes') !== undefined);
    const axes = axesOf(c, 1);
    if (given && !axes) throw c.fail('needs constant axes (a known 1-D int64 input at opset 13+)');
    const norm = axes ? axes.map((a) => axisOf(c, a, x.shape.length)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of norm) {
      const d = x.shape[a];
      if (typeof d === 'number' && d !== 1) throw c.fail(`cannot squeeze axis ${a} of ${formatShape(x.shape)}: its size is ${d}, not 1`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !norm.includes(i)), values: x.values }];
  },
};

const expand: OpDef = {
  opType: 'Expand', arity: [2, 2],
  infer: (c) => {
    const x = c.input(0);
    const target = dimValues(c, 1) ?? Array.from({ length: lengthOf(c, 1, 'shape') }, () => unknownDim('expand'));
    const r = broadcastShapes(x.shape, target);
    if ('error' in r) throw c.fail(`cannot expand ${formatShape(x.shape)} to ${formatShape(target)}: ${r.error}`);
    return [{ dtype: x.dtype, shape: r.shape }];
  },
};

const tile: OpDef = {
  opType: 'Tile', arity: [2, 2],
  infer: (c) => {
    const x = c.input(0);
    const reps = dimValues(c, 1);
    if (reps && reps.length !== x.shape.length) throw c.fail(`repeats [${reps}] must have one entry per axis of ${formatShape(x.shape)}`);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (reps ? dimProduct([d, reps[i]]) : unknownDim('tile'))) }];
  },
};

const shapeOp: OpDef = {
  opType: 'Shape', arity: [1, 1], attrTypes: { start: 'int', end: 'int' },
  infer: (c) => {
    const s = c.input(0).shape;
    const r = s.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const values = s.slice(clamp(c.int('start', 0)), clamp(c.int('end', r)));
    return [{ dtype: 'int64', shape: [values.length], values }];
  },
};

const size: OpDef = {
  opType: 'Size', arity: [1, 1],
  infer: (c) => [{ dtype: 'int64', shape: [], values: [dimProduct(c.input(0).shape)] }],
};

const range: OpDef = {
  opType: 'Range', arity: [3, 3],
  infer: (c) => {
    const [s, l, d] = [c.numbers(0), c.numbers(1), c.numbers(2)];
    const dtype = c.input(0).dtype;
    if (!s || !l || !d) return [{ dtype, shape: [unknownDim('range')] }];
    const n = Math.max(Math.ceil((l[0] - s[0]) / d[0]), 0);
    const values = n <= MAX_VALUES ? Array.from({ length: n }, (_, i) => s[0] + i * d[0]) : undefined;
    return [{ dtype, shape: [n], values }];
  },
};

const constantOfShape: OpDef = {
  opType: 'ConstantOfShape', arity: [1, 1], attrTypes: { value: 'tensor' },
  infer: (c) => {
    const v = c.attrs.value;
    const dtype = v && typeof v === 'object' && 'dtype' in v ? v.dtype : 'float32';
    const shape = dimValues(c, 0) ?? Array.from({ length: lengthOf(c, 0, 'shape') }, () => unknownDim('const'));
    return [{ dtype, shape }];
  },
};

const pad: OpDef = {
  opType: 'Pad', arity: [1, 4], attrTypes: { mode: 'string' },
  infer: (c) => {
    const x = c.input(0);
    const r = x.shape.length;
    const pads = c.inputs[1] ? c.numbers(1) : c.ints('pads');
    const axes = c.inputs[3] ? c.numbers(3) : Array.from({ length: r }, (_, i) => i);
    if (!pads || !axes) return [{ dtype: x.dtype, shape: x.shape.map(() => unknownDim('pad')) }];
    const k = axes.length;
    if (pads.length !== 2 * k) throw c.fail(`pads [${pads}] must have ${2 * k} entries for ${formatShape(x.shape)}`);
    const shape = [...x.shape];
    axes.forEach((a, i) => {
      const ax = axisOf(c, a, r);
      const d = shape[ax];
      const add = pads[i] + pads[i + k];
      shape[ax] = add === 0 ? d : typeof d === 'number' ? d + add : unknownDim('pad');
    });
    return [{ dtype: x.dtype, shape }];
  },
};

const sameAsFirst = (opType: string, arity: readonly [number, number], attrTypes?: OpDef['attrTypes']): OpDef => ({
  opType, arity, attrTypes, infer: (c) => [{ dtype: c.input(0).dtype, shape: c.input(0).shape }],
});

export const shapeOps: OpDef[] = [
  reshape, flatten, transpose, concat, split, slice, gather, unsqueeze, squeeze, expand, tile, shapeOp, size, range,
  constantOfShape, pad,
  sameAsFirst('Trilu', [1, 2], { upper: 'int' }),
  sameAsFirst('CumSum', [2, 2], { exclusive: 'int', reverse: 'int' }),
  sameAsFirst('ScatterND', [3, 3], { reduction: 'string' }),
  sameAsFirst('ScatterElements', [3, 3], { axis: 'int', reduction: 'string' }),
  {
    opType: 'GatherElements', arity: [2, 2], attrTypes: { axis: 'int' },
    infer: (c) => [{ dtype: c.input(0).dtype, shape: c.input(1).shape }],
  },
  {
    opType: 'NonZero', arity: [1, 1],
    infer: (c) => [{ dtype: 'int64', shape: [c.input(0).shape.length, unknownDim('nonzero')] }],
  },
];

/** True when a shape's element count is small enough for the builder to track its values. */
export function trackable(shape: readonly Dim[]): boolean {
  const n = numelOf(shape);
  return n !== undefined && n <= MAX_VALUES;
}

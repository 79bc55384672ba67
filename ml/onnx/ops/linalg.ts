/** Matrix products, convolutions and pooling. */
import { broadcastShapes, dimEqual, dimProduct, formatShape, isUnknown, unknownDim, type Dim } from '../shape.js';
import type { InferContext, OpDef, ValueType } from './types.js';

function sameDtype(c: InferContext, i: number, j: number): void {
  const a = c.input(i).dtype;
  const b = c.input(j).dtype;
  if (a !== b) throw c.fail(`inputs ${i} and ${j} must share a dtype, got ${a} and ${b}`);
}

function compatible(a: Dim, b: Dim): boolean {
  return dimEqual(a, b) || isUnknown(a) || isUnknown(b);
}

const matmul: OpDef = {
  opType: 'MatMul', arity: [2, 2],
  infer: (c) => {
    sameDtype(c, 0, 1);
    const a = c.input(0).shape;
    const b = c.input(1).shape;
    if (a.length === 0 || b.length === 0) throw c.fail(`inputs must have rank >= 1, got ${formatShape(a)} and ${formatShape(b)}`);
    const A = a.length === 1 ? [1, a[0]] : a;
    const B = b.length === 1 ? [b[0], 1] : b;
    const k1 = A[A.length - 1];
    const k2 = B[B.length - 2];
    if (!compatible(k1, k2)) throw c.fail(`inner dimensions differ: ${formatShape(a)} x ${formatShape(b)} (${k1} vs ${k2})`);
    const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2));
    if ('error' in batch) throw c.fail(`batch dimensions do not broadcast: ${formatShape(a)} x ${formatShape(b)} (${batch.error})`);
    const out: Dim[] = [...batch.shape];
    if (a.length > 1) out.push(A[A.length - 2]);
    if (b.length > 1) out.push(B[B.length - 1]);
    return [{ dtype: c.input(0).dtype, shape: out }];
  },
};

const gemm: OpDef = {
  opType: 'Gemm', arity: [2, 3], attrTypes: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' },
  infer: (c) => {
    sameDtype(c, 0, 1);
    const a = c.input(0).shape;
    const b = c.input(1).shape;
    if (a.length !== 2 || b.length !== 2) throw c.fail(`inputs must be matrices, got ${formatShape(a)} and ${formatShape(b)}`);
    const [m, k1] = c.int('transA', 0) ? [a[1], a[0]] : [a[0], a[1]];
    const [k2, n] = c.int('transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
    if (!compatible(k1, k2)) throw c.fail(`inner dimensions differ: ${formatShape(a)} x ${formatShape(b)} (${k1} vs ${k2})`);
    const cIn = c.inputs[2];
    if (cIn) {
      const r = broadcastShapes([m, n], cIn.shape);
      if ('error' in r || r.shape.length !== 2 || !dimEqual(r.shape[0], m) || !dimEqual(r.shape[1], n)) {
        throw c.fail(`C ${formatShape(cIn.shape)} does not broadcast to ${formatShape([m, n])}`);
      }
    }
    return [{ dtype: c.input(0).dtype, shape: [m, n] }];
  },
};

interface Window { kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; autoPad: string; ceil: boolean }

function windowOf(c: InferContext, spatial: number, kernel: number[]): Window {
  const strides = c.ints('strides') ?? Array(spatial).fill(1);
  const dilations = c.ints('dilations') ?? Array(spatial).fill(1);
  const pads = c.ints('pads') ?? Array(spatial * 2).fill(0);
  if (kernel.length !== spatial || strides.length !== spatial || dilations.length !== spatial || pads.length !== spatial * 2) {
    throw c.fail(`kernel_shape/strides/dilations/pads must have ${spatial} entries (pads ${spatial * 2}) for ${spatial} spatial dimensions`);
  }
  return { kernel, strides, dilations, pads, autoPad: c.string('auto_pad', 'NOTSET'), ceil: c.int('ceil_mode', 0) === 1 };
}

function windowOut(c: InferContext, input: Dim, i: number, w: Window): Dim {
  const k = w.kernel[i];
  const s = w.strides[i];
  const d = w.dilations[i];
  const span = d * (k - 1) + 1;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
    if (typeof input === 'number') return Math.ceil(input / s);
    return s === 1 ? input : unknownDim('conv');
  }
  const pad = w.autoPad === 'VALID' ? 0 : w.pads[i] + w.pads[i + w.kernel.length];
  if (typeof input !== 'number') return s === 1 && pad === span - 1 ? input : unknownDim('conv');
  const r = (input + pad - span) / s;
  const out = (w.ceil ? Math.ceil(r) : Math.floor(r)) + 1;
  if (out <= 0) throw c.fail(`window ${span} with padding ${pad} does not fit input size ${input} on spatial axis ${i}`);
  return out;
}

const conv: OpDef = {
  opType: 'Conv', arity: [2, 3],
  attrTypes: { auto_pad: 'string', dilations: 'ints', group: 'int', kernel_shape: 'ints', pads: 'ints', strides: 'ints' },
  infer: (c) => {
    sameDtype(c, 0, 1);
    const x = c.input(0).shape;
    const w = c.input(1).shape;
    if (x.length < 3 || w.length !== x.length) throw c.fail(`X ${formatShape(x)} and W ${formatShape(w)} must be [N,C,...] and [M,C/group,...] of equal rank`);
    const group = c.int('group', 1);
    const channels = dimProduct([w[1], group]);
    if (!compatible(x[1], channels)) throw c.fail(`X has ${x[1]} channels but W ${formatShape(w)} with group ${group} expects ${channels}`);
    const spatial = x.length - 2;
    const kernel = c.ints('kernel_shape') ?? w.slice(2).map((d) => (typeof d === 'number' ? d : c.fail(`W ${formatShape(w)} needs a numeric kernel`)));
    const b = c.inputs[2];
    if (b && (b.shape.length !== 1 || !compatible(b.shape[0], w[0]))) throw c.fail(`B ${formatShape(b.shape)} must be [${w[0]}]`);
    const win = windowOf(c, spatial, kernel);
    return [{ dtype: c.input(0).dtype, shape: [x[0], w[0], ...x.slice(2).map((d, i) => windowOut(c, d, i, win))] }];
  },
};

const convTranspose: OpDef = {
  opType: 'ConvTranspose', arity: [2, 3],
  attrTypes: { auto_pad: 'string', dilations: 'ints', group: 'int', kernel_shape: 'ints', output_padding: 'ints', output_shape: 'ints', pads: 'ints', strides: 'ints' },
  infer: (c) => {
    sameDtype(c, 0, 1);
    const x = c.input(0).shape;
    const w = c.input(1).shape;
    if (x.length < 3 || w.length !== x.length) throw c.fail(`X ${formatShape(x)} and W ${formatShape(w)} must be [N,C,...] and [C,M/group,...] of equal rank`);
    if (!compatible(x[1], w[0])) throw c.fail(`X has ${x[1]} channels but W ${formatShape(w)} expects ${w[0]}`);
    const spatial = x.length - 2;
    const kernel = c.ints('kernel_shape') ?? w.slice(2).map((d) => (typeof d === 'number' ? d : c.fail(`W ${formatShape(w)} needs a numeric kernel`)));
    const win = windowOf(c, spatial, kernel);
    const outPad = c.ints('output_padding') ?? Array(spatial).fill(0);
    const outShape = c.ints('output_shape');
    const dims = x.slice(2).map((d, i): Dim => {
      if (outShape) return outShape[i];
      if (typeof d !== 'number') return unknownDim('convT');
      const pad = win.autoPad === 'NOTSET' ? win.pads[i] + win.pads[i + spatial] : 0;
      const full = win.strides[i] * (d - 1) + outPad[i] + (kernel[i] - 1) * win.dilations[i] + 1;
      return win.autoPad === 'NOTSET' || win.autoPad === 'VALID' ? full - pad : d * win.strides[i];
    });
    return [{ dtype: c.input(0).dtype, shape: [x[0], dimProduct([w[1], c.int('group', 1)]), ...dims] }];
  },
};

function pool(opType: string): OpDef {
  return {
    opType, arity: [1, 1],
    attrTypes: { auto_pad: 'string', ceil_mode: 'int', count_include_pad: 'int', dilations: 'ints', kernel_shape: 'ints', pads: 'ints', strides: 'ints' },
    infer: (c) => {
      const x = c.input(0).shape;
      const kernel = c.ints('kernel_shape');
      if (!kernel) throw c.fail('needs the kernel_shape attribute');
      if (x.length !== kernel.length + 2) throw c.fail(`X ${formatShape(x)} must be [N,C] plus ${kernel.length} spatial dimensions`);
      const win = windowOf(c, kernel.length, kernel);
      const out: ValueType = { dtype: c.input(0).dtype, shape: [x[0], x[1], ...x.slice(2).map((d, i) => windowOut(c, d, i, win))] };
      return opType === 'MaxPool' && c.outputCount > 1 ? [out, { dtype: 'int64', shape: out.shape }] : [out];
    },
  };
}

function globalPool(opType: string): OpDef {
  return {
    opType, arity: [1, 1],
    infer: (c) => {
      const x = c.input(0).shape;
      if (x.length < 3) throw c.fail(`X ${formatShape(x)} must be [N,C,...spatial]`);
      return [{ dtype: c.input(0).dtype, shape: [x[0], x[1], ...x.slice(2).map(() => 1)] }];
    },
  };
}

export const linalgOps: OpDef[] = [
  matmul, gemm, conv, convTranspose, pool('MaxPool'), pool('AveragePool'),
  globalPool('GlobalAveragePool'), globalPool('GlobalMaxPool'),
];

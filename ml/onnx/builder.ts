/**
 * GraphBuilder: the builder core plus typed helpers for the ops models are made of (linear layers,
 * convolutions, attention, normalisations, reshapes). Each helper emits plain ONNX ops at opset >= 17.
 */
import { GraphCore, type GraphBuilderOptions, type NodeRecord, type TensorData } from './builder-core.js';
import { save as saveModel, toBytes as encode, type SaveOptions } from './serialize.js';
import { reduceAxesAsInput } from './ops/reduce.js';
import type { DType } from './dtype.js';
import type { Dim } from './shape.js';
import type { Attrs } from './ops/types.js';
import type { Tensor } from './tensor.js';

export type { GraphBuilderOptions, NodeRecord };

type Operand = Tensor | number;

/**
 * Builds an ONNX graph from TypeScript with shapes checked as you go.
 * @example
 * const g = new GraphBuilder({ name: 'tiny', opset: 17 });
 * const x = g.input('x', 'float32', ['batch', 4]);
 * const w = g.weight('fc.weight', new Float32Array(8 * 4), [8, 4]);
 * g.output(g.relu(g.linear(x, w)), 'y');
 * await g.save('/tmp/tiny.onnx');
 */
export class GraphBuilder extends GraphCore {
  constructor(options: GraphBuilderOptions) {
    super(options);
  }

  /** The model as ONNX bytes (weights inline). @example const s = await ort.InferenceSession.create(g.toBytes()) */
  toBytes(): Uint8Array {
    return encode(this);
  }

  /**
   * Writes the model; weights go to `<file>_data` when they exceed 2 GB or when `externalData` is set.
   * @example await g.save('/models/dit.onnx', { externalData: true })
   */
  save(file: string, options?: SaveOptions): Promise<{ model: string; data?: string }> {
    return saveModel(this, file, options);
  }

  // ---- constants ----

  /** A scalar constant of the dtype of `like` (or float32). @example g.scalar(0.5, x) */
  scalar(value: number, like?: Tensor | DType): Tensor {
    const dtype = typeof like === 'string' ? like : like?.dtype ?? 'float32';
    return this.constant([value], [], dtype);
  }

  /** A 1-D int64 constant (shapes, axes, indices). @example g.ints([0, -1]) */
  ints(values: readonly number[]): Tensor {
    return this.constant(values, [values.length], 'int64');
  }

  private operand(v: Operand, like: Tensor): Tensor {
    return typeof v === 'number' ? this.scalar(v, like) : v;
  }

  private binary(opType: string, a: Operand, b: Operand): Tensor {
    if (typeof a === 'number' && typeof b === 'number') throw new Error(`${opType}: at least one operand must be a tensor`);
    const ref = (typeof a === 'number' ? b : a) as Tensor;
    return this.op(opType, [this.operand(a, ref), this.operand(b, ref)]);
  }

  // ---- elementwise ----

  /** a + b with broadcasting (numbers become scalars of the other operand's dtype). @example g.add(x, 1) */
  add(a: Operand, b: Operand): Tensor { return this.binary('Add', a, b); }
  /** a - b with broadcasting. @example g.sub(x, y) */
  sub(a: Operand, b: Operand): Tensor { return this.binary('Sub', a, b); }
  /** a * b with broadcasting. @example g.mul(x, 0.5) */
  mul(a: Operand, b: Operand): Tensor { return this.binary('Mul', a, b); }
  /** a / b with broadcasting. @example g.div(x, 255) */
  div(a: Operand, b: Operand): Tensor { return this.binary('Div', a, b); }
  /** a ** b with broadcasting. @example g.pow(x, 2) */
  pow(a: Tensor, b: Operand): Tensor { return this.binary('Pow', a, b); }
  /** -x. @example g.neg(x) */
  neg(x: Tensor): Tensor { return this.op('Neg', [x]); }
  /** max(x, 0). @example g.relu(x) */
  relu(x: Tensor): Tensor { return this.op('Relu', [x]); }
  /** 1 / (1 + e^-x). @example g.sigmoid(x) */
  sigmoid(x: Tensor): Tensor { return this.op('Sigmoid', [x]); }
  /** tanh(x). @example g.tanh(x) */
  tanh(x: Tensor): Tensor { return this.op('Tanh', [x]); }
  /** e^x. @example g.exp(x) */
  exp(x: Tensor): Tensor { return this.op('Exp', [x]); }
  /** ln(x). @example g.log(x) */
  log(x: Tensor): Tensor { return this.op('Log', [x]); }
  /** sqrt(x). @example g.sqrt(x) */
  sqrt(x: Tensor): Tensor { return this.op('Sqrt', [x]); }
  /** erf(x). @example g.erf(x) */
  erf(x: Tensor): Tensor { return this.op('Erf', [x]); }
  /** 1 / x. @example g.reciprocal(x) */
  reciprocal(x: Tensor): Tensor { return this.op('Reciprocal', [x]); }
  /** x * sigmoid(x) (SiLU, swish). @example g.silu(x) */
  silu(x: Tensor): Tensor { return this.mul(x, this.sigmoid(x)); }

  /**
   * GELU. Exact: 0.5 x (1 + erf(x / sqrt 2)), built from Erf (opset 17 has no Gelu op); 'tanh' gives the
   * tanh approximation.
   * @example g.gelu(x)
   */
  gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
    if (approximate === 'tanh') {
      const inner = this.mul(this.add(x, this.mul(this.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return this.mul(this.mul(x, 0.5), this.add(this.tanh(inner), 1));
    }
    return this.mul(this.mul(x, 0.5), this.add(this.erf(this.mul(x, Math.SQRT1_2)), 1));
  }

  /** Elementwise select: cond ? a : b. @example g.where(mask, x, g.scalar(-Infinity, x)) */
  where(cond: Tensor, a: Operand, b: Operand): Tensor {
    const ref = (typeof a === 'number' ? b : a) as Tensor;
    return this.op('Where', [cond, this.operand(a, ref), this.operand(b, ref)]);
  }

  /** Converts to another dtype. @example g.cast(mask, 'float32') */
  cast(x: Tensor, to: DType): Tensor { return this.op('Cast', [x], { to }); }

  // ---- linear algebra ----

  /** Matrix product with numpy batching. @example g.matmul(q, g.transpose(k, [0, 1, 3, 2])) */
  matmul(a: Tensor, b: Tensor): Tensor { return this.op('MatMul', [a, b]); }

  /**
   * A linear layer with PyTorch's weight layout: x @ W^T + b, W [out, in], for x of any rank.
   * @example const y = g.linear(x, g.weight('fc.weight', w, [16, 8]), g.weight('fc.bias', b, [16]))
   */
  linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
    if (x.rank === 2) return this.op('Gemm', bias ? [x, weight, bias] : [x, weight], { transB: 1 });
    const y = this.matmul(x, this.transpose(weight, [1, 0]));
    return bias ? this.add(y, bias) : y;
  }

  /**
   * A convolution (NCHW); attributes as ONNX names them.
   * @example g.conv(x, w, b, { strides: [2, 2], pads: [1, 1, 1, 1] })
   */
  conv(x: Tensor, weight: Tensor, bias?: Tensor, attrs: Attrs = {}): Tensor {
    return this.op('Conv', bias ? [x, weight, bias] : [x, weight], attrs);
  }

  // ---- shapes ----

  /** Reshape; 0 copies a dimension, -1 is inferred. A Tensor shape is used as is. @example g.reshape(x, [0, -1]) */
  reshape(x: Tensor, shape: readonly number[] | Tensor): Tensor {
    return this.op('Reshape', [x, Array.isArray(shape) ? this.ints(shape as number[]) : (shape as Tensor)]);
  }
  /** Permutes axes. @example g.transpose(x, [0, 2, 1]) */
  transpose(x: Tensor, perm: readonly number[]): Tensor { return this.op('Transpose', [x], { perm: [...perm] }); }
  /** Joins along an axis. @example g.concat([a, b], 1) */
  concat(xs: readonly Tensor[], axis: number): Tensor { return this.op('Concat', xs, { axis }); }
  /** Splits into parts along an axis (equal parts, or the given sizes). @example const [q, k, v] = g.split(qkv, -1, 3) */
  split(x: Tensor, axis: number, parts: number | readonly number[]): Tensor[] {
    if (typeof parts === 'number') {
      return this.opMulti('Split', [x], this.opset >= 18 ? { axis, num_outputs: parts } : { axis }, parts);
    }
    return this.opMulti('Split', [x, this.ints(parts)], { axis }, parts.length);
  }
  /** Slice with constant starts/ends (axes and steps optional). @example g.slice(x, [0], [1], [1]) */
  slice(x: Tensor, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Tensor {
    return this.op('Slice', [x, this.ints(starts), this.ints(ends), axes ? this.ints(axes) : undefined, steps ? this.ints(steps) : undefined]);
  }
  /** Gathers along an axis with int64 indices (a tensor, a list, or one index that drops the axis). @example g.gather(table, ids, 0) */
  gather(x: Tensor, indices: Tensor | readonly number[] | number, axis = 0): Tensor {
    const idx = typeof indices === 'number' ? this.constant([indices], [], 'int64') : Array.isArray(indices) ? this.ints(indices as number[]) : (indices as Tensor);
    return this.op('Gather', [x, idx], { axis });
  }
  /** Inserts size-1 axes. @example g.unsqueeze(x, [0]) */
  unsqueeze(x: Tensor, axes: readonly number[]): Tensor { return this.op('Unsqueeze', [x, this.ints(axes)]); }
  /** Removes size-1 axes (all of them when axes is omitted). @example g.squeeze(x, [1]) */
  squeeze(x: Tensor, axes?: readonly number[]): Tensor { return this.op('Squeeze', [x, axes ? this.ints(axes) : undefined]); }
  /** Broadcasts to a shape. @example g.expand(bias, [2, 4, 8]) */
  expand(x: Tensor, shape: readonly number[] | Tensor): Tensor {
    return this.op('Expand', [x, Array.isArray(shape) ? this.ints(shape as number[]) : (shape as Tensor)]);
  }
  /** The shape of x as an int64 tensor (values tracked while building). @example g.shape(x) */
  shape(x: Tensor): Tensor { return this.op('Shape', [x]); }
  /** Flattens to 2-D at an axis. @example g.flatten(x, 1) */
  flatten(x: Tensor, axis = 1): Tensor { return this.op('Flatten', [x], { axis }); }

  // ---- reductions and normalisation ----

  private reduce(opType: string, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
    const k = keepdims ? 1 : 0;
    return reduceAxesAsInput(opType, this.opset)
      ? this.op(opType, [x, this.ints(axes)], { keepdims: k })
      : this.op(opType, [x], { axes: [...axes], keepdims: k });
  }
  /** Sum over axes (the axes input or attribute, whichever the opset wants). @example g.reduceSum(x, [-1]) */
  reduceSum(x: Tensor, axes: readonly number[], keepdims = true): Tensor { return this.reduce('ReduceSum', x, axes, keepdims); }
  /** Mean over axes. @example g.reduceMean(x, [-1]) */
  reduceMean(x: Tensor, axes: readonly number[], keepdims = true): Tensor { return this.reduce('ReduceMean', x, axes, keepdims); }
  /** Max over axes. @example g.reduceMax(x, [1], false) */
  reduceMax(x: Tensor, axes: readonly number[], keepdims = true): Tensor { return this.reduce('ReduceMax', x, axes, keepdims); }
  /** Softmax along an axis. @example g.softmax(scores, -1) */
  softmax(x: Tensor, axis = -1): Tensor { return this.op('Softmax', [x], { axis }); }

  /** LayerNormalization over the trailing axes from `axis`. @example g.layerNorm(x, gamma, beta) */
  layerNorm(x: Tensor, scale: Tensor, bias?: Tensor, axis = -1, epsilon = 1e-5): Tensor {
    return this.op('LayerNormalization', bias ? [x, scale, bias] : [x, scale], { axis, epsilon });
  }

  /** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * scale. @example g.rmsNorm(q, g.weight('q_norm', w, [64])) */
  rmsNorm(x: Tensor, scale?: Tensor, epsilon = 1e-6): Tensor {
    const ms = this.reduceMean(this.mul(x, x), [-1]);
    const y = this.div(x, this.sqrt(this.add(ms, epsilon)));
    return scale ? this.mul(y, scale) : y;
  }

  /**
   * Scaled dot-product attention on [..., L, D] tensors: softmax(q k^T / sqrt(D) + mask) v. `mask` is
   * additive (float, e.g. 0 / -inf) or boolean (true = attend).
   * @example g.attention(q, k, v, causalMask)
   */
  attention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor, scale?: number): Tensor {
    const d = q.shape[q.rank - 1];
    const s = scale ?? (typeof d === 'number' ? 1 / Math.sqrt(d) : undefined);
    if (s === undefined) throw new Error(`attention: the head size of q ${q.toString()} must be known, or pass scale`);
    const perm = [...Array(k.rank).keys()];
    [perm[k.rank - 2], perm[k.rank - 1]] = [perm[k.rank - 1], perm[k.rank - 2]];
    let scores = this.mul(this.matmul(q, this.transpose(k, perm)), s);
    if (mask) scores = mask.dtype === 'bool' ? this.where(mask, scores, -Infinity) : this.add(scores, mask);
    return this.matmul(this.softmax(scores, -1), v);
  }

  /** Resize by sizes or scales (mode 'nearest', 'linear' or 'cubic'). @example g.resize(mask, { sizes: [1, 1, 256, 256], mode: 'linear' }) */
  resize(x: Tensor, how: { sizes?: readonly number[]; scales?: readonly number[]; mode?: 'nearest' | 'linear' | 'cubic'; coordinateTransformationMode?: string }): Tensor {
    const attrs: Attrs = { mode: how.mode ?? 'nearest', coordinate_transformation_mode: how.coordinateTransformationMode ?? 'half_pixel' };
    if (how.sizes) return this.op('Resize', [x, undefined, undefined, this.ints(how.sizes)], attrs);
    if (how.scales) return this.op('Resize', [x, undefined, this.constant(how.scales, [how.scales.length], 'float32')], attrs);
    throw new Error('resize: give sizes or scales');
  }

  /** The known dims of a value (throws when one is symbolic), for code that needs numbers. @example const [n, c] = g.dims(x) */
  dims(x: Tensor): number[] {
    return x.shape.map((d: Dim) => {
      if (typeof d !== 'number') throw new Error(`${x.toString()}: dimension ${d} is symbolic`);
      return d;
    });
  }
}

export type { TensorData };

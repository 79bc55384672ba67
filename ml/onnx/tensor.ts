/** A value in a graph being built: its name, dtype and (inferred) shape. */
import type { DType } from './dtype.js';
import { formatShape, type Dim, type Shape } from './shape.js';
import type { NodeRecord } from './builder-core.js';

/** Where a value comes from. */
export type TensorKind = 'input' | 'weight' | 'constant' | 'node';

/**
 * A handle on a value of the graph being built (not data): pass it to ops, read its shape and dtype.
 * @example const y = g.relu(x); y.shape // same as x.shape
 */
export class Tensor {
  constructor(
    /** The builder that owns it (values of two builders cannot mix). */
    readonly owner: object,
    /** The value's name in the ONNX graph. */
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly kind: TensorKind,
    /** Element values known while building (small int tensors from constants and shapes). */
    readonly values?: readonly Dim[],
    /** The node that computes it (for kind 'node'). */
    readonly producer?: NodeRecord,
  ) {}

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** `name: dtype[dims]`, for messages. */
  toString(): string {
    return `${this.name}: ${this.dtype}${formatShape(this.shape)}`;
  }
}

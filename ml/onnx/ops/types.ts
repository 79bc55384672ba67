/**
 * The op table's types: what an op declares (attribute types, arity, a shape and dtype rule) and the slot
 * for its gradient rule, which reverse-mode differentiation fills.
 */
import type { DType, TypedArray } from '../dtype.js';
import type { Dim, Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { GraphBuilder, NodeRecord } from '../builder.js';

/** ONNX attribute kinds the builder writes. */
export type AttrType = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor';

/** An attribute whose kind is spelled out (for ops outside the table, or a float that looks like an int). */
export interface TypedAttr { readonly attrType: AttrType; readonly value: AttrValue }

/** A tensor-valued attribute (ConstantOfShape's `value`, Constant's `value`). */
export interface TensorAttr { readonly dtype: DType; readonly dims: Shape; readonly data: TypedArray }

/** Attribute values, typed loosely: numbers, strings, their arrays, tensors, or an explicit {attrType, value}. */
export type AttrValue = number | string | boolean | readonly number[] | readonly string[] | TensorAttr | TypedAttr;
/** A node's attributes by name. */
export type Attrs = Readonly<Record<string, AttrValue | undefined>>;

/**
 * What the builder knows about a value while building: dtype, shape and, for small tensors computed from
 * constants and shapes, the element values themselves (symbols where a dimension is symbolic).
 */
export interface ValueType {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly values?: readonly Dim[];
}

/** What a shape rule sees. `fail` throws a ShapeError naming the op, the node and the given shapes. */
export interface InferContext {
  readonly opType: string;
  readonly node: string;
  readonly opset: number;
  /** Inputs in order; undefined where an optional input is omitted. */
  readonly inputs: readonly (ValueType | undefined)[];
  readonly attrs: Attrs;
  /** How many outputs the node was asked for. */
  readonly outputCount: number;
  fail(detail: string): never;
  /** The input at index i, which must be present. */
  input(i: number): ValueType;
  int(name: string, fallback: number): number;
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  ints(name: string): number[] | undefined;
  floats(name: string): number[] | undefined;
  /** The known values of input i as numbers (undefined when unknown at build time or symbolic). */
  numbers(i: number): number[] | undefined;
}

/** What a gradient rule sees: the forward node and the gradients flowing into its outputs. */
export interface GradientContext {
  readonly builder: GraphBuilder;
  readonly node: NodeRecord;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  /** d(loss)/d(output i), undefined where an output does not reach the loss. */
  readonly outputGrads: readonly (Tensor | undefined)[];
}

/**
 * Emits the backward ops of one node and returns d(loss)/d(input i) for each input (undefined where the
 * input is not differentiable). Filled by the autodiff issue; empty for now.
 */
export type GradientRule = (ctx: GradientContext) => readonly (Tensor | undefined)[];

/**
 * One entry of the op table.
 * @example const relu: OpDef = { opType: 'Relu', arity: [1, 1], infer: (c) => [c.input(0)] };
 */
export interface OpDef {
  readonly opType: string;
  /** '' (the default ONNX domain) unless stated. */
  readonly domain?: string;
  /** Minimum and maximum number of inputs (Infinity for variadic ops). */
  readonly arity: readonly [number, number];
  /** The opset where the op (in this form) appears. */
  readonly since?: number;
  /** Attribute kinds, so that `alpha: 1` is written as a float. */
  readonly attrTypes?: Readonly<Record<string, AttrType>>;
  /** Shape and dtype of each output (and their values where they can be known while building). */
  infer(ctx: InferContext): ValueType[];
  /** Reverse-mode rule; the autodiff issue fills it. */
  gradient?: GradientRule;
}

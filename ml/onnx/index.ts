/**
 * ml/onnx: a typed builder that emits ONNX models from TypeScript, with shape inference per op and a slot
 * for each op's gradient rule.
 */

// The builder
export { GraphBuilder } from './builder.js';
export { GraphCore } from './builder-core.js';
export type { GraphBuilderOptions, NodeRecord, Initializer, OpOptions, TensorData, WeightStorage } from './builder-core.js';
export { Tensor } from './tensor.js';
export type { TensorKind } from './tensor.js';

// Serialisation
export { modelProto, toBytes, save, tensorValue, IR_VERSION, INLINE_LIMIT } from './serialize.js';
export type { SaveOptions } from './serialize.js';

// Shapes and dtypes
export { ShapeError, formatShape, broadcastShapes, dimProduct, dimDivide, dimEqual, shapeEqual, numelOf, isUnknown } from './shape.js';
export type { Dim, Shape } from './shape.js';
export {
  ONNX_DTYPE, DTYPE_BYTES, dtypeFromOnnx, toDType, isFloat, bytesOf, typedArrayFrom, toNumbers,
  toFloat16, fromFloat16, toBFloat16, fromBFloat16,
} from './dtype.js';
export type { DType, TypedArray } from './dtype.js';

// The op table
export { getOp, registerOp, listOps } from './ops/table.js';
export type {
  OpDef, InferContext, ValueType, GradientRule, GradientContext, Attrs, AttrValue, AttrType, TypedAttr, TensorAttr,
} from './ops/types.js';

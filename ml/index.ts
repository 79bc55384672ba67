/**
 * ml: Cinegraph's machine-learning layer. It depends on nothing else of ours (nodes -> ml).
 *
 * - ml/onnx: a typed ONNX builder (shapes inferred per op, a gradient-rule slot per op, external data).
 * - ml/runtime: ONNX Runtime sessions on a device with cpu fallback, a session cache under a memory budget,
 *   input checks before each run, and a device lock.
 *
 * @example
 * import { GraphBuilder, createSession, ort } from '../ml/index.js';
 * const g = new GraphBuilder({ name: 'double' });
 * g.output(g.mul(g.input('x', 'float32', ['n']), 2), 'y');
 * const s = await createSession(g.toBytes(), { device: 'cpu' });
 * const { y } = await s.run({ x: new ort.Tensor('float32', new Float32Array([1, 2]), [2]) });
 * await s.release();
 */

// The ONNX builder
export {
  GraphBuilder, Tensor, ShapeError, save, toBytes, modelProto, tensorValue, IR_VERSION, INLINE_LIMIT,
  getOp, registerOp, listOps, formatShape, broadcastShapes, dimProduct, dimDivide, dimEqual, shapeEqual, numelOf, isUnknown,
  ONNX_DTYPE, DTYPE_BYTES, dtypeFromOnnx, toDType, isFloat, bytesOf, typedArrayFrom, toNumbers,
  toFloat16, fromFloat16, toBFloat16, fromBFloat16,
} from './onnx/index.js';
export type {
  GraphBuilderOptions, NodeRecord, Initializer, OpOptions, TensorData, WeightStorage, TensorKind, SaveOptions,
  Dim, Shape, DType, TypedArray, OpDef, InferContext, ValueType, GradientRule, GradientContext, Attrs, AttrValue,
  AttrType, TypedAttr, TensorAttr,
} from './onnx/index.js';

// The runtime
export {
  createSession, sessionCache, releaseAllSessions, resetProviderFailures, ort, checkInputs, describe, InputCheckError,
  SessionCache, DEVICES, EXECUTION_PROVIDERS, DEVICE_ENV, parseDevice, resolveDevice, autoDevice, cudaInstalled,
  isAccelerator, withDevice, setDeviceConcurrency, deviceConcurrency, deviceBusy,
} from './runtime/index.js';
export type { CheckedSession, SessionOptions, RuntimeLog, Feeds, TensorInfo, CacheEntry, Device, ConcreteDevice } from './runtime/index.js';

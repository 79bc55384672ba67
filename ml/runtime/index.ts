/** ml/runtime: ONNX Runtime sessions on a chosen device, cached, input-checked and serialised per device. */
export { createSession, sessionCache, releaseAllSessions, resetProviderFailures, cpuThreads, ort } from './session.js';
export type { CheckedSession, SessionOptions, RuntimeLog, Feeds } from './session.js';
export { checkInputs, describe, InputCheckError } from './check.js';
export type { TensorInfo } from './check.js';
export { SessionCache } from './cache.js';
export type { CacheEntry } from './cache.js';
export {
  DEVICES, EXECUTION_PROVIDERS, DEVICE_ENV, parseDevice, resolveDevice, autoDevice, cudaInstalled, isAccelerator,
} from './devices.js';
export type { Device, ConcreteDevice } from './devices.js';
export { withDevice, setDeviceConcurrency, deviceConcurrency, deviceBusy } from './lock.js';

/**
 * The device a transformers.js model runs on, chosen by the runtime's rules (ml/runtime/devices.ts): the
 * node's choice, else `CINEGRAPH_DEVICE`, else auto (CUDA when its provider is installed, else cpu).
 * transformers.js creates its own ONNX Runtime sessions; a device whose provider does not load falls back
 * to cpu with one log line (see `loadModel`), and runs on an accelerator take the runtime's device lock.
 */
import { DEVICES, resolveDevice, withDevice, type ConcreteDevice } from '../runtime/index.js';

/** Devices a model node may ask for (the runtime's table). */
export const MODEL_DEVICES = DEVICES;

/**
 * The concrete device for a choice.
 * @example modelDevice('auto') // 'cpu' on a machine without CUDA, unless CINEGRAPH_DEVICE says otherwise
 */
export function modelDevice(choice?: string): ConcreteDevice {
  return resolveDevice(choice === undefined || choice === '' ? undefined : choice);
}

/**
 * Runs model work under the runtime's device lock (a no-op queue on cpu).
 * @example await onDevice(loaded.device, () => model(inputs));
 */
export function onDevice<T>(device: string, fn: () => Promise<T>): Promise<T> {
  return withDevice(device as ConcreteDevice, fn);
}

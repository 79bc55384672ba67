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

/**
 * Runs a frame's whole model work (pre-processing, the runs, post-processing) so that on cpu it holds the
 * CPU lock, and on an accelerator only its runs take the device's (`onDevice` inside). On cpu the model's
 * threads take every core, and work beside them only slows them: measured on 2 cores, 8 ms of other work
 * during a 178 ms SAM2 run made it 206 ms. On an accelerator a frame's CPU work overlaps another's run.
 * @example const masks = await frameOnDevice(loaded.device, async () => post(await onDevice(loaded.device, () => model(pre(frame)))));
 */
export function frameOnDevice<T>(device: string, fn: () => Promise<T>): Promise<T> {
  return device === 'cpu' ? withDevice('cpu', fn) : fn();
}

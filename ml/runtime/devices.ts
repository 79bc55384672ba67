/**
 * Devices and their execution providers. A device is what users choose (per node or through
 * CINEGRAPH_DEVICE); the frozen table says which ORT execution providers each one asks for, in order.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A device choice. 'auto' picks the best one this machine can load. */
export type Device = 'cpu' | 'cuda' | 'webgpu' | 'auto';
/** A concrete device (after 'auto' is resolved). */
export type ConcreteDevice = Exclude<Device, 'auto'>;

/** Every accepted device name. */
export const DEVICES: readonly Device[] = Object.freeze(['cpu', 'cuda', 'webgpu', 'auto'] as const);

/**
 * Device -> ORT execution providers, in order. Listing 'cpu' after an accelerator lets ORT place ops the
 * accelerator lacks on the CPU; it does not make ORT fall back when the accelerator itself fails to load
 * (it throws), which createSession handles.
 * @example EXECUTION_PROVIDERS.cuda // ['cuda', 'cpu']
 */
export const EXECUTION_PROVIDERS: Readonly<Record<ConcreteDevice, readonly string[]>> = Object.freeze({
  cpu: Object.freeze(['cpu']),
  cuda: Object.freeze(['cuda', 'cpu']),
  webgpu: Object.freeze(['webgpu', 'cpu']),
});

/** The environment variable that sets the default device. */
export const DEVICE_ENV = 'CINEGRAPH_DEVICE';

/**
 * Checks a device name (from a widget, a flag or the environment) and returns it typed.
 * @example parseDevice('cuda') // 'cuda'
 */
export function parseDevice(value: string, where = 'device'): Device {
  const v = value.trim().toLowerCase();
  if ((DEVICES as readonly string[]).includes(v)) return v as Device;
  throw new Error(`${where}: unknown device '${value}'; use one of ${DEVICES.join(', ')}`);
}

/**
 * The device to use: the explicit choice, else CINEGRAPH_DEVICE, else 'auto'; 'auto' resolved to a
 * concrete device.
 * @example resolveDevice(undefined) // 'cpu' on a machine without CUDA, unless CINEGRAPH_DEVICE says otherwise
 */
export function resolveDevice(requested?: Device | string, env: NodeJS.ProcessEnv = process.env): ConcreteDevice {
  const raw = requested ?? env[DEVICE_ENV];
  const d = raw === undefined || raw === '' ? 'auto' : parseDevice(raw, requested === undefined ? DEVICE_ENV : 'device');
  return d === 'auto' ? autoDevice() : d;
}

let binding: { dir: string | undefined } | undefined;

/** Folder of onnxruntime-node's native binding, where optional provider libraries are installed (looked up once: model nodes ask per frame). */
function bindingDir(): string | undefined {
  return (binding ??= { dir: findBindingDir() }).dir;
}

function findBindingDir(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const pkg = req.resolve('onnxruntime-node/package.json');
    return path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

let cuda: boolean | undefined;

/** True when the CUDA provider library is installed next to onnxruntime-node's binding (looked for once: model nodes ask per frame). */
export function cudaInstalled(): boolean {
  if (cuda === undefined) {
    const dir = bindingDir();
    cuda = dir !== undefined && existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
  }
  return cuda;
}

/**
 * What 'auto' means here: CUDA when its provider is installed, else the CPU. WebGPU is only used when asked
 * for: in Node it needs a Dawn adapter, and probing for one on a headless machine costs seconds and fails.
 * @example autoDevice() // 'cpu'
 */
export function autoDevice(): ConcreteDevice {
  return cudaInstalled() ? 'cuda' : 'cpu';
}

/** True for devices whose work is serialised by the device lock. */
export function isAccelerator(d: ConcreteDevice): boolean {
  return d !== 'cpu';
}

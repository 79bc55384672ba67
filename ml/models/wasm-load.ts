/**
 * Finding and instantiating the project's WebAssembly kernels (ml/models/wasm/, compiled by
 * `npm run build:wasm` into dist/ml/models/). A module is looked for next to this file (dist/) and in dist/
 * from the sources (tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The part of the WebAssembly API used here (the project's lib settings carry no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

/**
 * A kernel's exports, or why it cannot be used (no file, no WebAssembly, or no SIMD: compiling fails).
 * @example const loaded = loadKernel<{ decideMask(...args: number[]): number }>('mask-decide.wasm'); if ('problem' in loaded) console.log(loaded.problem);
 */
export function loadKernel<T>(fileName: string): { exports: T } | { problem: string } {
  const candidates = [new URL(`./${fileName}`, import.meta.url), new URL(`../../dist/ml/models/${fileName}`, import.meta.url)];
  const file = candidates.map((u) => fileURLToPath(u)).find((f) => existsSync(f));
  try {
    if (!file) throw new Error(`no ${fileName} in ${candidates.map((u) => fileURLToPath(new URL('.', u))).join(' or ')} (npm run build:wasm)`);
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) throw new Error('this runtime has no WebAssembly');
    const instance = new wasm.Instance(new wasm.Module(readFileSync(file)), { env: { abort: () => { throw new Error(`${fileName} aborted`); } } });
    return { exports: instance.exports as T };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** The memory every kernel module exports. */
export interface KernelMemory {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/** One WebAssembly page, the unit `memory.grow` counts in. */
export const WASM_PAGE = 65536;

/** Rounds a byte count up to 16 (v128 alignment). */
export const align16 = (bytes: number) => (bytes + 15) & ~15;

/** A kernel module loaded on first use, which tests can turn off to compare it with the JavaScript path. */
export interface KernelSwitch<T> {
  /** The module's exports, or undefined when it is missing, unusable or turned off. */
  load(): T | undefined;
  /** 'wasm-simd', or 'js' with the reason the module is not used. */
  describe(): { kernel: 'wasm-simd' | 'js'; reason?: string };
  /** Turns the module off (false) or back on (true). */
  use(on: boolean): void;
}

/**
 * `loadKernel` once, on first use, behind an on/off switch.
 * @example const masks = kernelSwitch<MaskExports>('mask-decide.wasm'); const wasm = masks.load(); masks.describe() // { kernel: 'wasm-simd' }
 */
export function kernelSwitch<T>(fileName: string): KernelSwitch<T> {
  let exports: T | undefined;
  let state: 'unloaded' | 'loaded' | 'missing' | 'disabled' = 'unloaded';
  let problem = '';
  const load = () => {
    if (state === 'disabled' || state === 'missing') return undefined;
    if (state === 'loaded') return exports;
    const loaded = loadKernel<T>(fileName);
    if ('problem' in loaded) (problem = loaded.problem), (state = 'missing');
    else (exports = loaded.exports), (state = 'loaded');
    return exports;
  };
  return {
    load,
    describe: () => (load() ? { kernel: 'wasm-simd' } : { kernel: 'js', reason: state === 'disabled' ? 'disabled' : problem }),
    use(on) {
      if (!on) state = 'disabled';
      else if (state === 'disabled') state = exports ? 'loaded' : 'unloaded';
    },
  };
}

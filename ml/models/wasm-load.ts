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

/**
 * The WebAssembly build of the resize kernel (wasm/resize-planes.ts, compiled by `npm run build:wasm`):
 * `resizeRows` of planes.ts with a pixel's three channels in one SIMD vector, the same bits about three
 * times faster. The module is looked for next to this file (dist/) and in dist/ from the sources (tests);
 * without it, or without WebAssembly SIMD, `wasmResizeInto` returns false, `resizeKernel()` says why, and the
 * JavaScript kernel runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resizeSampling, type PlaneJob } from './planes.js';

/** Where the built module may be: beside the compiled file, or in dist/ when running the TypeScript sources. */
const CANDIDATES = [new URL('./resize-planes.wasm', import.meta.url), new URL('../../dist/ml/models/resize-planes.wasm', import.meta.url)];

/** The part of the WebAssembly API used here (the project's lib settings carry no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  resizeRows(emb: number, n: number, ew: number, cols: number, fracs: number, toWidth: number, rowYi: number, rowY: number, rows: number, cache: number, o0: number, o1: number, o2: number, table: number, out: number, stride: number, plane: number): void;
}

let exports: Exports | undefined;
let state: 'unloaded' | 'loaded' | 'missing' | 'disabled' = 'unloaded';
let problem = '';

function load(): Exports | undefined {
  if (state === 'disabled' || state === 'missing') return undefined;
  if (state === 'loaded') return exports;
  const file = CANDIDATES.map((u) => fileURLToPath(u)).find((f) => existsSync(f));
  try {
    if (!file) throw new Error(`no resize-planes.wasm in ${CANDIDATES.map((u) => fileURLToPath(new URL('.', u))).join(' or ')} (npm run build:wasm)`);
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) throw new Error('this runtime has no WebAssembly');
    // Compiling fails where the runtime lacks WebAssembly SIMD: then the JavaScript kernel runs.
    const instance = new wasm.Instance(new wasm.Module(readFileSync(file)), { env: { abort: () => { throw new Error('resize-planes.wasm aborted'); } } });
    exports = instance.exports as unknown as Exports;
    state = 'loaded';
  } catch (error) {
    problem = (error as Error).message;
    state = 'missing';
  }
  return exports;
}

/**
 * Which resize kernel pre-processing uses: 'wasm-simd', or 'js' with the reason the module is not used.
 * @example resizeKernel() // { kernel: 'wasm-simd' }
 */
export function resizeKernel(): { kernel: 'wasm-simd' | 'js'; reason?: string } {
  return load() ? { kernel: 'wasm-simd' } : { kernel: 'js', reason: state === 'disabled' ? 'disabled' : problem };
}

/**
 * Turns the WebAssembly kernel off (false) or back on (true): tests compare both kernels.
 * @example useWasmResize(false); // the JavaScript kernel from now on
 */
export function useWasmResize(on: boolean): void {
  if (!on) state = 'disabled';
  else if (state === 'disabled') state = exports ? 'loaded' : 'unloaded';
}

/** Rounds a byte count up to 16 (v128 alignment). */
const align = (bytes: number) => (bytes + 15) & ~15;

/**
 * A job's resized image rows, [0, toHeight), through the WebAssembly kernel into `out`'s planes (rows
 * `paddedWidth` apart; the padding is not touched). False when the module is not available.
 * @example if (!wasmResizeInto(job, out)) resizeRows(...); // the JavaScript kernel
 */
export function wasmResizeInto(job: PlaneJob, out: Float32Array): boolean {
  const wasm = load();
  if (!wasm) return false;
  const { rgb, width, height, toWidth, toHeight, table, order, paddedWidth: pw, paddedHeight: ph } = job;
  const { ew, n, cols: inputCols, fracs: inputFracs, rowYi: yis, rowY: ys } = resizeSampling(width, height, toWidth, toHeight);
  const emb = 0;
  const cols = align(emb + n * (height + 3));
  const fracs = cols + 4 * toWidth;
  const rowYi = align(fracs + 4 * toWidth);
  const rowY = rowYi + 4 * toHeight;
  const cache = align(rowY + 4 * toHeight);
  const tab = align(cache + 48 * ew);
  const image = align(tab + 4 * 768);
  const end = image + 4 * 3 * toWidth * toHeight;
  const pages = Math.ceil(end / 65536) - wasm.memory.buffer.byteLength / 65536;
  if (pages > 0) wasm.memory.grow(pages);
  const buffer = wasm.memory.buffer;
  const u8 = new Uint8Array(buffer);
  const i32 = new Int32Array(buffer);
  const f32 = new Float32Array(buffer);
  // The embedded input: black border, the image's rows at (1, 1).
  u8.fill(0, emb, emb + n * (height + 3));
  for (let y = 0; y < height; y++) u8.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), emb + (y + 1) * n + 3);
  for (let x = 0, c = cols >> 2; x < toWidth; x++) i32[c + x] = inputCols[x]! * 48;
  i32.set(inputFracs, fracs >> 2);
  i32.set(yis, rowYi >> 2);
  i32.set(ys, rowY >> 2);
  for (let c = 0; c < 3; c++) f32.set(table.subarray(order[c]! * 256, order[c]! * 256 + 256), (tab >> 2) + c * 256);
  wasm.resizeRows(emb, n, ew, cols, fracs, toWidth, rowYi, rowY, toHeight, cache, order[0], order[1], order[2], tab, image, toWidth, toWidth * toHeight);
  const planeIn = toWidth * toHeight;
  const planeOut = pw * ph;
  for (let c = 0; c < 3; c++) {
    const from = (image >> 2) + c * planeIn;
    if (pw === toWidth) out.set(f32.subarray(from, from + planeIn), c * planeOut);
    else for (let y = 0; y < toHeight; y++) out.set(f32.subarray(from + y * toWidth, from + (y + 1) * toWidth), c * planeOut + y * pw);
  }
  return true;
}

/**
 * The WebAssembly build of the resize kernel (wasm/resize-planes.ts, compiled by `npm run build:wasm`):
 * `resizeRows` of planes.ts four output values at a time (i16 dot products over expanded input rows),
 * the same bits several times faster. The module is looked for next to this file (dist/) and in dist/ from the sources (tests);
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
  resizePlanes(rgb: number, width: number, height: number, emb: number, cols: number, fracs: number, toWidth: number, rowYi: number, rowY: number, rows: number, ring: number, out: number, stride: number, plane: number, o0: number, o1: number, o2: number): void;
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

/** The layout of the last job: while it holds, the output region's padding is still zero from before. */
let laidOut = '';

/**
 * A job's resized planes through the WebAssembly kernel into `out` (3 planes of paddedWidth x
 * paddedHeight), the padding zero. False when the module is not available.
 * @example if (!wasmResizeInto(job, out)) fillRows(job, out, 0, job.paddedHeight); // the JavaScript kernel
 */
export function wasmResizeInto(job: PlaneJob, out: Float32Array): boolean {
  const wasm = load();
  if (!wasm) return false;
  const { rgb, width, height, toWidth, toHeight, table, order, paddedWidth: pw, paddedHeight: ph } = job;
  const { cols: inputCols, fracs: inputFracs, rowYi: yis, rowY: ys } = resizeSampling(width, height, toWidth, toHeight);
  const w4 = (toWidth + 3) & ~3;
  // The table sits at 0: the kernel adds its plane offsets to table indices.
  const input = 3 * 1024;
  const emb = align(input + rgb.length);
  const cols = align(emb + 3 * (width + 3) * (height + 3));
  const fracs = cols + 4 * w4;
  const rowYi = fracs + 4 * w4;
  const rowY = rowYi + 4 * toHeight;
  const ring = align(rowY + 4 * toHeight);
  const image = align(ring + 2 * 3 * 4 * w4);
  const values = 3 * pw * ph;
  const end = image + 4 * values;
  const pages = Math.ceil(end / 65536) - wasm.memory.buffer.byteLength / 65536;
  if (pages > 0) wasm.memory.grow(pages);
  const buffer = wasm.memory.buffer;
  const i32 = new Int32Array(buffer);
  const f32 = new Float32Array(buffer);
  for (let c = 0; c < 3; c++) f32.set(table.subarray(order[c]! * 256, order[c]! * 256 + 256), c * 256);
  new Uint8Array(buffer).set(rgb, input);
  i32.set(inputCols, cols >> 2);
  i32.set(inputFracs, fracs >> 2);
  // Columns past the image (up to a multiple of 4) read its last column; their values are never stored.
  for (let x = toWidth; x < w4; x++) (i32[(cols >> 2) + x] = inputCols[toWidth - 1]!), (i32[(fracs >> 2) + x] = 0);
  i32.set(yis, rowYi >> 2);
  i32.set(ys, rowY >> 2);
  // The kernel writes only the image's part of the output region, so its padding stays zero while the layout does.
  const layout = [width, height, toWidth, toHeight, pw, ph].join();
  if (layout !== laidOut) f32.fill(0, image >> 2, (image >> 2) + values);
  laidOut = layout;
  wasm.resizePlanes(input, width, height, emb, cols, fracs, toWidth, rowYi, rowY, toHeight, ring, image, pw, pw * ph, order[0], order[1], order[2]);
  out.set(f32.subarray(image >> 2, (image >> 2) + values));
  return true;
}

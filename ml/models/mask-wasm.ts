/**
 * The WebAssembly build of the mask decision (wasm/mask-decide.ts, compiled by `npm run build:wasm`):
 * `decideMask` of mask-upscale.ts four pixels at a time, in f32 instead of double precision (the margin
 * covers both). It leaves the pixels too close to the threshold to the caller's exact pass. Without the
 * module (wasm-load.ts), or without WebAssembly SIMD, `wasmDecideMasks` returns nothing, `maskKernel()`
 * says why, and the JavaScript pass runs.
 */
import { align16, kernelSwitch, WASM_PAGE, type KernelMemory } from './wasm-load.js';

interface Exports extends KernelMemory {
  decideMask(src: number, n: number, lw: number, rowAt: number, rowW: number, oh: number, ow: number, colAt: number, colW: number, w4: number, line: number, threshold: number, relative: number, absolute: number, out: number, union: number, unsure: number, unsureCount: number): number;
}

const kernelModule = kernelSwitch<Exports>('mask-decide.wasm');

/**
 * Which mask kernel post-processing uses: 'wasm-simd', or 'js' with the reason the module is not used.
 * @example maskKernel() // { kernel: 'wasm-simd' }
 */
export function maskKernel(): { kernel: 'wasm-simd' | 'js'; reason?: string } {
  return kernelModule.describe();
}

/**
 * Turns the WebAssembly mask kernel off (false) or back on (true): tests compare both.
 * @example useWasmMasks(false); // the JavaScript pass from now on
 */
export function useWasmMasks(on: boolean): void {
  kernelModule.use(on);
}

/** Four taps per frame row and per frame column: low-resolution row / column indices and their weights. */
export interface MaskTaps {
  rowIndex: ArrayLike<number>;
  rowWeight: ArrayLike<number>;
  colIndex: ArrayLike<number>;
  colWeight: ArrayLike<number>;
}

/** What the kernel decided for one map: its bytes (0 / 255), set pixels, and the pixels it left undecided. */
export interface KernelMask {
  data: Uint8Array;
  area: number;
  unsure: Int32Array;
}


/** The kernel's layout for one geometry: byte offsets in its memory. */
function layout(low: readonly [number, number], oh: number, ow: number) {
  const [lh, lw] = low;
  const w4 = (ow + 3) & ~3;
  const src = 0;
  const rowAt = align16(4 * lh * lw + 16); // rows are read in fours: up to 3 values past the last one
  const rowW = rowAt + 16 * oh;
  const colAt = rowW + 16 * oh;
  const colW = colAt + 16 * w4;
  const line = colW + 16 * w4;
  const out = line + align16(4 * ((lw + 3) & ~3));
  const union = out + align16(oh * ow);
  const unsure = union + align16(oh * ow);
  const unsureCount = unsure + 4 * oh * ow;
  return { w4, src, rowAt, rowW, colAt, colW, line, out, union, unsure, unsureCount, end: unsureCount + 16 };
}

/** The taps last written into the kernel's memory (a stream's frames share them). */
let written: { taps: MaskTaps; key: string } | undefined;

/**
 * Decides each map's pixels against `threshold` with the WebAssembly kernel, the union OR-ed into `union`
 * (oh x ow bytes). A pixel within `margin.relative` x the map's max|logit| + `margin.absolute` of the
 * threshold is left unsure (see mask-upscale.ts). Undefined when the module is not available.
 * @example const decided = wasmDecideMasks(maps, [256, 256], 224, 288, taps, 0, { relative: 1e-4, absolute: 0 }, union);
 */
export function wasmDecideMasks(maps: readonly Float32Array[], low: readonly [number, number], oh: number, ow: number, taps: MaskTaps, threshold: number, margin: { relative: number; absolute: number }, union: Uint8Array): KernelMask[] | undefined {
  const wasm = kernelModule.load();
  if (!wasm) return undefined;
  const [, lw] = low;
  const at = layout(low, oh, ow);
  const size = wasm.memory.buffer.byteLength;
  if (at.end > size) (wasm.memory.grow(Math.ceil((at.end - size) / WASM_PAGE)), (written = undefined));
  const buffer = wasm.memory.buffer;
  const key = `${low[0]}x${lw} ${oh}x${ow}`;
  if (written?.taps !== taps || written.key !== key) {
    const i32 = new Int32Array(buffer);
    const f32 = new Float32Array(buffer);
    for (let i = 0; i < 4 * oh; i++) (i32[(at.rowAt >> 2) + i] = 4 * lw * taps.rowIndex[i]!), (f32[(at.rowW >> 2) + i] = taps.rowWeight[i]!);
    // Column taps tap-major; the columns past the frame (up to a multiple of 4) read column 0 with weight 0.
    for (let k = 0; k < 4; k++) {
      for (let x = 0; x < at.w4; x++) {
        const inside = x < ow;
        i32[(at.colAt >> 2) + k * at.w4 + x] = inside ? 4 * taps.colIndex[4 * x + k]! : 0;
        f32[(at.colW >> 2) + k * at.w4 + x] = inside ? taps.colWeight[4 * x + k]! : 0;
      }
    }
    written = { taps, key };
  }
  const bytes = new Uint8Array(buffer);
  bytes.fill(0, at.union, at.union + oh * ow);
  const results: KernelMask[] = [];
  for (const map of maps) {
    new Float32Array(buffer, at.src, map.length).set(map);
    const area = wasm.decideMask(at.src, map.length, lw, at.rowAt, at.rowW, oh, ow, at.colAt, at.colW, at.w4, at.line, threshold, margin.relative, margin.absolute, at.out, at.union, at.unsure, at.unsureCount);
    const count = new Int32Array(buffer, at.unsureCount, 1)[0]!;
    results.push({ data: bytes.slice(at.out, at.out + oh * ow), area, unsure: new Int32Array(buffer, at.unsure, count).slice() });
  }
  union.set(bytes.subarray(at.union, at.union + oh * ow));
  return results;
}

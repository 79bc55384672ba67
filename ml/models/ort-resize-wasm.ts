/**
 * The WebAssembly build of ONNX Runtime's bilinear Resize (wasm/ort-resize.ts, compiled by
 * `npm run build:wasm`): `resizePlanes` of ort-resize.ts, the same bits, four values at a time, and row
 * copies between layouts, for Idefics3's tiles. The module has its own memory, grown to the largest job:
 * a job copies its planes in, resizes and copies inside, and copies its result out. Without the module
 * (wasm-load.ts), or without WebAssembly SIMD, `resizeJob` returns nothing, `ortResizeKernel()` says why,
 * and the JavaScript path runs.
 */
import { resizeAxis, type Axis } from './ort-resize.js';
import { align16, kernelSwitch, WASM_PAGE, type KernelMemory } from './wasm-load.js';

interface Exports extends KernelMemory {
  resizeRect(src: number, srcPlane: number, channels: number, rowA: number, rowB: number, rowD1: number, rowD2: number, rows: number, colA: number, colB: number, colD1: number, colD2: number, colRun: number, cols: number, out: number, outPlane: number, outRow: number): void;
  copyRect(src: number, srcPlane: number, srcRow: number, dst: number, dstPlane: number, dstRow: number, channels: number, rows: number, rowBytes: number): void;
}

const kernelModule = kernelSwitch<Exports>('ort-resize.wasm');

/**
 * Which Resize kernel Idefics3's tiling uses: 'wasm-simd', or 'js' with the reason the module is not used.
 * @example ortResizeKernel() // { kernel: 'wasm-simd' }
 */
export function ortResizeKernel(): { kernel: 'wasm-simd' | 'js'; reason?: string } {
  return kernelModule.describe();
}

/**
 * Turns the WebAssembly Resize off (false) or back on (true): tests compare both.
 * @example useWasmOrtResize(false); // the JavaScript path from now on
 */
export function useWasmOrtResize(on: boolean): void {
  kernelModule.use(on);
}


/** Planes in the module's memory: `at` (byte offset), `channels` planes of `height` x `width` f32. */
export interface WasmPlanes {
  at: number;
  channels: number;
  height: number;
  width: number;
}

/** A job's use of the module's memory: planes in and out, resizes and copies between them. */
export interface ResizeJob {
  /** Copies `channels` planes of `height` x `width` into the module's memory. */
  put(values: Float32Array, channels: number, height: number, width: number): WasmPlanes;
  /** Room for planes (contents undefined until written). */
  planes(channels: number, height: number, width: number): WasmPlanes;
  /** `from` resized as ORT's bilinear Resize to `to`'s size, into `to`. */
  resize(from: WasmPlanes, to: WasmPlanes): void;
  /** The `height` x `width` rectangle of `from` at (`y`, `x`) into `to` at its top-left. */
  copy(from: WasmPlanes, y: number, x: number, to: WasmPlanes): void;
  /** `planes`' values into `out` from `offset`. */
  read(planes: WasmPlanes, out: Float32Array, offset: number): void;
}

/**
 * A job over at most `bytes` of planes (their f32 values x 4; the resize tables are counted here), or
 * undefined when the module is not available. The memory grows once, here, so views stay valid in the job.
 * @example const job = resizeJob(4 * (a + b)); const src = job.put(pixels, 3, 796, 1024); ...
 */
export function resizeJob(bytes: number): ResizeJob | undefined {
  const wasm = kernelModule.load();
  if (!wasm) return undefined;
  const tables = 1 << 20;
  const need = align16(bytes) + 64 * 16 + tables * 4;
  const size = wasm.memory.buffer.byteLength;
  if (need > size) wasm.memory.grow(Math.ceil((need - size) / WASM_PAGE));
  let top = 0;
  const take = (n: number) => {
    const at = top;
    top = align16(top + n);
    if (top > need) throw new Error(`internal: resize job needs more than its ${need} bytes`);
    return at;
  };
  const buffer = wasm.memory.buffer;
  const f32 = new Float32Array(buffer);
  const i32 = new Int32Array(buffer);
  const planes = (channels: number, height: number, width: number): WasmPlanes => ({ at: take(4 * channels * height * width), channels, height, width });
  /** One axis' tables: byte offsets of the two inputs read (`scale` bytes per input step) and their weights. */
  const axis = (a: Axis, n: number, scale: number, padded: number) => {
    const [pa, pb, p1, p2] = [take(4 * padded), take(4 * padded), take(4 * padded), take(4 * padded)];
    for (let i = 0; i < padded; i++) {
      const inside = i < n;
      i32[(pa >> 2) + i] = inside ? a.i1[i]! * scale : 0;
      i32[(pb >> 2) + i] = inside ? a.i2[i]! * scale : 0;
      f32[(p1 >> 2) + i] = inside ? a.d1[i]! : 0;
      f32[(p2 >> 2) + i] = inside ? a.d2[i]! : 0;
    }
    return [pa, pb, p1, p2] as const;
  };
  return {
    put(values, channels, height, width) {
      const p = planes(channels, height, width);
      f32.set(values.subarray(0, channels * height * width), p.at >> 2);
      return p;
    },
    planes,
    resize(from, to) {
      const ry = resizeAxis(from.height, to.height);
      const rx = resizeAxis(from.width, to.width);
      const w4 = (to.width + 3) & ~3;
      const [ra, rb, r1, r2] = axis(ry, to.height, 4 * from.width, to.height);
      const [ca, cb, c1, c2] = axis(rx, to.width, 4, w4);
      const runs = take(w4);
      for (let g = 0; g < w4; g += 4) {
        const consecutive = (i: Int32Array) => i[g + 1] === i[g]! + 1 && i[g + 2] === i[g]! + 2 && i[g + 3] === i[g]! + 3;
        i32[(runs >> 2) + (g >> 2)] = g + 4 <= to.width && consecutive(rx.i1) && consecutive(rx.i2) ? 1 : 0;
      }
      const plane = 4 * from.height * from.width;
      wasm.resizeRect(from.at, plane, from.channels, ra, rb, r1, r2, to.height, ca, cb, c1, c2, runs, to.width, to.at, 4 * to.height * to.width, 4 * to.width);
    },
    copy(from, y, x, to) {
      const at = from.at + 4 * (y * from.width + x);
      wasm.copyRect(at, 4 * from.height * from.width, 4 * from.width, to.at, 4 * to.height * to.width, 4 * to.width, from.channels, to.height, 4 * to.width);
    },
    read(p, out, offset) {
      out.set(f32.subarray(p.at >> 2, (p.at >> 2) + p.channels * p.height * p.width), offset);
    },
  };
}

/**
 * SAM's mask post-processing, computed only where the frame needs it. transformers.js'
 * `post_process_masks` upscales each low-resolution logit map to the padded model input (1024x1024) with
 * ONNX Runtime's bilinear Resize, crops the padding, resizes that to the frame with the same Resize, then
 * thresholds: about a million interpolated values per mask, most of which the second resize never reads
 * when the frame is smaller than the model input. Here the second resize's sampling positions pick the
 * rows and columns of the upscaled map it reads; only those are interpolated, and the threshold is fused
 * into the last pass. The arithmetic is ORT's (`SetupUpsampleBilinear` and its NCHW kernel: half-pixel
 * coordinates, f32 weights, the four products summed in its order), emulated with `Math.fround`, so the
 * values match ORT's to the last bit unless ORT's build contracts the products into FMAs; a threshold
 * decision can then only differ for a value within about 1e-6 of the threshold. Binary masks need only each
 * value's side of the threshold: `upscaleMasks` finds it in double precision and falls back to the exact
 * values near the threshold.
 */
import type { RawImage } from '../../engine/index.js';
import { wasmDecideMasks, type MaskTaps } from './mask-wasm.js';
import { mix, resizeAxis, type Axis } from './ort-resize.js';

/** The sizes `post_process_masks` works with, as [height, width] pairs. */
export interface MaskGeometry {
  /** The logit maps' size (SAM: 256x256). */
  low: readonly [number, number];
  /** The padded model input the logits are first upscaled to (`pad_size`, else `size`; SAM: 1024x1024). */
  padded: readonly [number, number];
  /** The resized image inside the padded input (`reshaped_input_sizes[i]`); the rest is cropped. */
  reshaped: readonly [number, number];
  /** The frame (`original_sizes[i]`). */
  original: readonly [number, number];
}

/** The sorted distinct values of two index arrays, and each value's position among them. */
function used(a: Int32Array, b: Int32Array, size: number): { list: Int32Array; at: Int32Array } {
  const at = new Int32Array(size).fill(-1);
  for (const v of a) at[v] = 0;
  for (const v of b) at[v] = 0;
  let n = 0;
  for (let v = 0; v < size; v++) if (at[v] === 0) at[v] = n++;
  const list = new Int32Array(n);
  for (let v = 0; v < size; v++) if (at[v]! >= 0) list[at[v]!] = v;
  return { list, at };
}

/** The sampling plan of one geometry: both resizes' axes and the upscaled rows / columns the second reads. */
interface Plan {
  geometry: MaskGeometry;
  ry: Axis;
  rx: Axis;
  rows: { list: Int32Array; at: Int32Array };
  cols: { list: Int32Array; at: Int32Array };
  uy: Axis;
  ux: Axis;
  up: Float32Array;
  /** The real-arithmetic weights of both resizes composed, per frame row and per frame column (`taps`). */
  rowTaps: Taps;
  colTaps: Taps;
  /** Scratch of the JavaScript pass (made on its first use): the low-resolution rows `rowTaps` reads, each interpolated to the frame's columns. */
  across?: Float64Array;
  /** The same taps with plain low-resolution row indices, for the WebAssembly kernel. */
  kernelTaps: MaskTaps;
}

/**
 * Four (index, weight) taps per frame row (or column): the low-resolution rows (columns) its value is
 * interpolated from through both resizes, with the products of their weights. A row's indices point into
 * `lowRows` (the rows any frame row reads), a column's straight into the map's columns.
 */
interface Taps {
  index: Int32Array;
  weight: Float64Array;
  lowRows: Int32Array;
}

/** The composed taps of a resize `outer` of a resize `inner`: the second reads the first at `outer.i1/i2`. */
function taps(outer: Axis, inner: Axis, n: number): Taps {
  const index = new Int32Array(4 * n), weight = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    // ORT weighs the first neighbour with d2, the second with d1.
    const a = outer.i1[i]!, b = outer.i2[i]!, wa = outer.d2[i]!, wb = outer.d1[i]!;
    const sources = [inner.i1[a]!, inner.i2[a]!, inner.i1[b]!, inner.i2[b]!];
    const weights = [wa * inner.d2[a]!, wa * inner.d1[a]!, wb * inner.d2[b]!, wb * inner.d1[b]!];
    for (let k = 0; k < 4; k++) (index[4 * i + k] = sources[k]!), (weight[4 * i + k] = weights[k]!);
  }
  const distinct = [...new Set(index)].sort((x, y) => x - y);
  return { index, weight, lowRows: Int32Array.from(distinct) };
}

/** Recent plans by geometry: a stream's frames share one, and making it costs about a millisecond. */
const plans = new Map<string, Plan>();
const MAX_PLANS = 8;

/** The plan of a geometry, made once and kept among the recent ones. */
function planFor(geometry: MaskGeometry): Plan {
  const key = [geometry.low, geometry.padded, geometry.reshaped, geometry.original].map((s) => `${s[0]}x${s[1]}`).join(' ');
  let found = plans.get(key);
  if (found) plans.delete(key);
  else found = plan(geometry);
  plans.set(key, found); // most recent last
  if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value!);
  return found;
}

function plan(geometry: MaskGeometry): Plan {
  for (const [name, [h, w]] of Object.entries(geometry) as [string, readonly [number, number]][]) {
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new Error(`mask post-processing: ${name} size must be two positive integers, got ${h}x${w}`);
  }
  const [rh, rw] = geometry.reshaped;
  const [ph, pw] = geometry.padded;
  if (rh > ph || rw > pw) throw new Error(`mask post-processing: the resized image (${rh}x${rw}) is larger than the padded input (${ph}x${pw})`);
  // Last resize (crop -> frame): which crop rows / columns it reads, and with which weights.
  const ry = resizeAxis(rh, geometry.original[0]);
  const rx = resizeAxis(rw, geometry.original[1]);
  const rows = used(ry.i1, ry.i2, rh);
  const cols = used(rx.i1, rx.i2, rw);
  // First resize (logits -> padded input), at just those rows and columns (the crop keeps the top-left).
  const uy = resizeAxis(geometry.low[0], ph);
  const ux = resizeAxis(geometry.low[1], pw);
  const rowTaps = taps(ry, uy, geometry.original[0]);
  const colTaps = taps(rx, ux, geometry.original[1]);
  const kernelTaps = { rowIndex: rowTaps.index.slice(), rowWeight: rowTaps.weight, colIndex: colTaps.index, colWeight: colTaps.weight };
  // Row taps index the compact list of the low-resolution rows read.
  const at = new Int32Array(geometry.low[0]);
  rowTaps.lowRows.forEach((row, k) => (at[row] = k));
  for (let i = 0; i < rowTaps.index.length; i++) rowTaps.index[i] = at[rowTaps.index[i]!]!;
  const up = new Float32Array(rows.list.length * cols.list.length);
  return { geometry, ry, rx, rows, cols, uy, ux, up, rowTaps, colTaps, kernelTaps };
}

/** Calls `each(index, value)` for every frame pixel with the logit `post_process_masks` gives it. */
function frameValues(p: Plan, src: Float32Array, each: (index: number, value: number) => void): void {
  const [lh, lw] = p.geometry.low;
  const [oh, ow] = p.geometry.original;
  if (src.length !== lh * lw) throw new Error(`mask post-processing: a map has ${src.length} values, expected ${lh}x${lw}`);
  const { ry, rx, rows, cols, uy, ux, up } = p;
  const nr = rows.list.length;
  const nc = cols.list.length;
  for (let r = 0; r < nr; r++) {
    const Y = rows.list[r]!;
    const y1 = uy.i1[Y]! * lw, y2 = uy.i2[Y]! * lw, dy1 = uy.d1[Y]!, dy2 = uy.d2[Y]!;
    for (let c = 0; c < nc; c++) {
      const X = cols.list[c]!;
      const x1 = ux.i1[X]!, x2 = ux.i2[X]!;
      up[r * nc + c] = mix(src[y1 + x1]!, src[y1 + x2]!, src[y2 + x1]!, src[y2 + x2]!, ux.d1[X]!, ux.d2[X]!, dy1, dy2);
    }
  }
  for (let y = 0; y < oh; y++) {
    const r1 = rows.at[ry.i1[y]!]! * nc, r2 = rows.at[ry.i2[y]!]! * nc, dy1 = ry.d1[y]!, dy2 = ry.d2[y]!;
    for (let x = 0; x < ow; x++) {
      const c1 = cols.at[rx.i1[x]!]!, c2 = cols.at[rx.i2[x]!]!;
      each(y * ow + x, mix(up[r1 + c1]!, up[r1 + c2]!, up[r2 + c1]!, up[r2 + c2]!, rx.d1[x]!, rx.d2[x]!, dy1, dy2));
    }
  }
}

/**
 * The logits `post_process_masks` computes for the frame (before its threshold), for one low-resolution
 * map: float32, `original` height x width.
 * @example const values = frameLogits(map, { low: [256, 256], padded: [1024, 1024], reshaped: [1024, 1024], original: [224, 288] });
 */
export function frameLogits(map: Float32Array, geometry: MaskGeometry): Float32Array {
  const out = new Float32Array(geometry.original[0] * geometry.original[1]);
  frameValues(planFor(geometry), map, (i, v) => (out[i] = v));
  return out;
}

/** Binary masks (0/255) at the frame's size, the union of them, and each mask's area in pixels. */
export interface UpscaledMasks {
  masks: RawImage[];
  union: RawImage;
  areas: number[];
}

/** The frame logit at (x, y) alone: its four upscaled samples, each from four logits (as frameValues). */
function valueAt(p: Plan, src: Float32Array, x: number, y: number): number {
  const lw = p.geometry.low[1];
  const { ry, rx, uy, ux } = p;
  const sample = (Y: number, X: number) => {
    const y1 = uy.i1[Y]! * lw, y2 = uy.i2[Y]! * lw, x1 = ux.i1[X]!, x2 = ux.i2[X]!;
    return mix(src[y1 + x1]!, src[y1 + x2]!, src[y2 + x1]!, src[y2 + x2]!, ux.d1[X]!, ux.d2[X]!, uy.d1[Y]!, uy.d2[Y]!);
  };
  const Y1 = ry.i1[y]!, Y2 = ry.i2[y]!, X1 = rx.i1[x]!, X2 = rx.i2[x]!;
  return mix(sample(Y1, X1), sample(Y1, X2), sample(Y2, X1), sample(Y2, X2), rx.d1[x]!, rx.d2[x]!, ry.d1[y]!, ry.d2[y]!);
}

/**
 * How far from the threshold a value computed with other roundings than ORT's (double precision here,
 * f32 in the WebAssembly kernel) must lie for ORT's value to be on the same side: `relative` of the map's
 * largest |logit|, plus `absolute` (the kernel rounds the threshold to f32).
 *
 * Why that is safe: the interpolations weigh the logits with non-negative weights summing to 1, so ORT's
 * f32 value, about twenty roundings of at most 2^-24 each relative to the sum of |weight x logit|, is
 * within 2e-6 x max|logit| of the real-arithmetic value; the kernel's f32 value (about a dozen roundings,
 * with f32 weights) is as close, and the double-precision one far closer.
 */
function marginFor(threshold: number): { relative: number; absolute: number } {
  return { relative: 1e-4, absolute: 1e-6 * Math.abs(threshold) };
}

/** A map's margin (see `marginFor`). */
function marginOf(src: Float32Array, threshold: number): number {
  const { relative, absolute } = marginFor(threshold);
  let largest = 0;
  for (let i = 0; i < src.length; i++) {
    const a = Math.abs(src[i]!);
    if (a > largest) largest = a;
  }
  return relative * largest + absolute;
}

/**
 * The mask at `threshold` into `data` and `union` (255 where set), and its area. Each frame value is first
 * computed in double precision from the composed weights (two separable passes, four taps each), then
 * compared with the threshold; only a value within `margin` of it (`marginOf`) is recomputed with ORT's
 * f32 arithmetic (`valueAt`), which decides it.
 */
function decideMask(p: Plan, src: Float32Array, threshold: number, margin: number, data: Uint8Array, union: Uint8Array): number {
  const [oh, ow] = p.geometry.original;
  const lw = p.geometry.low[1];
  const { rowTaps, colTaps } = p;
  const across = (p.across ??= new Float64Array(rowTaps.lowRows.length * ow));
  // Each low-resolution row read, interpolated to the frame's columns.
  const ci = colTaps.index, cw = colTaps.weight, lowRows = rowTaps.lowRows;
  for (let r = 0, o = 0; r < lowRows.length; r++) {
    const row = lowRows[r]! * lw;
    for (let x = 0, k = 0; x < ow; x++, k += 4, o++) {
      across[o] = cw[k]! * src[row + ci[k]!]! + cw[k + 1]! * src[row + ci[k + 1]!]! + cw[k + 2]! * src[row + ci[k + 2]!]! + cw[k + 3]! * src[row + ci[k + 3]!]!;
    }
  }
  const ri = rowTaps.index, rw = rowTaps.weight;
  let area = 0;
  for (let y = 0, i = 0; y < oh; y++) {
    const k = 4 * y;
    const a0 = ri[k]! * ow, a1 = ri[k + 1]! * ow, a2 = ri[k + 2]! * ow, a3 = ri[k + 3]! * ow;
    const w0 = rw[k]!, w1 = rw[k + 1]!, w2 = rw[k + 2]!, w3 = rw[k + 3]!;
    for (let x = 0; x < ow; x++, i++) {
      const d = w0 * across[a0 + x]! + w1 * across[a1 + x]! + w2 * across[a2 + x]! + w3 * across[a3 + x]! - threshold;
      // NaN (a NaN logit) is neither: ORT's arithmetic decides it too.
      if (d > margin || (!(d < -margin) && valueAt(p, src, x, y) > threshold)) (data[i] = 255), (union[i] = 255), area++;
    }
  }
  return area;
}

/**
 * Turns low-resolution mask logits (one `low`-sized map each) into binary masks at the frame's size as
 * `post_process_masks` does (upscale to `padded`, crop to `reshaped`, resize to `original`,
 * `value > threshold`), computing only the upscaled values the last resize reads.
 *
 * Each pixel is decided on a double-precision value of the two resizes composed; only the few whose value
 * lies within a rounding margin of the threshold are recomputed with ORT's arithmetic (see `decideMask`),
 * so the masks are the ones the processor's values give.
 * @example
 * const { masks, union } = upscaleMasks([logitsA, logitsB], { low: [256, 256], padded: [1024, 1024], reshaped: [1024, 1024], original: [224, 288] }, 0);
 */
export function upscaleMasks(maps: readonly Float32Array[], geometry: MaskGeometry, threshold = 0): UpscaledMasks {
  const p = planFor(geometry);
  const [oh, ow] = geometry.original;
  const [lh, lw] = geometry.low;
  const union = new Uint8Array(oh * ow);
  const masks: RawImage[] = [];
  const areas: number[] = [];
  for (const src of maps) if (src.length !== lh * lw) throw new Error(`mask post-processing: a map has ${src.length} values, expected ${lh}x${lw}`);
  const decided = wasmDecideMasks(maps, geometry.low, oh, ow, p.kernelTaps, threshold, marginFor(threshold), union);
  maps.forEach((src, i) => {
    let data: Uint8Array;
    let area: number;
    if (decided) {
      ({ data, area } = decided[i]!);
      // The pixels too close to call in f32: ORT's arithmetic decides them.
      for (const j of decided[i]!.unsure) {
        const y = Math.floor(j / ow);
        if (valueAt(p, src, j - y * ow, y) > threshold) (data[j] = 255), (union[j] = 255), area++;
      }
    } else {
      data = new Uint8Array(oh * ow);
      area = decideMask(p, src, threshold, marginOf(src, threshold), data, union);
    }
    masks.push({ width: ow, height: oh, channels: 1, data });
    areas.push(area);
  });
  return { masks, union: { width: ow, height: oh, channels: 1, data: union }, areas };
}

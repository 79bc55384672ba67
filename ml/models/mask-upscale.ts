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
 * decision can then only differ for a value within about 1e-6 of the threshold.
 */
import type { RawImage } from '../../engine/index.js';
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
  /** Each frame row's / column's span of low-resolution rows / columns, [from, to). */
  lowRows: Span;
  lowCols: Span;
}

interface Span {
  from: Int32Array;
  to: Int32Array;
}

/** Each output position's span of the source positions it is interpolated from, through two resizes. */
function span(outer: Axis, inner: Axis, n: number): Span {
  const from = new Int32Array(n), to = new Int32Array(n);
  for (let i = 0; i < n; i++) (from[i] = inner.i1[outer.i1[i]!]!), (to[i] = inner.i2[outer.i2[i]!]! + 1);
  return { from, to };
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
  const lowRows = span(ry, uy, geometry.original[0]);
  const lowCols = span(rx, ux, geometry.original[1]);
  return { geometry, ry, rx, rows, cols, uy, ux, up: new Float32Array(rows.list.length * cols.list.length), lowRows, lowCols };
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

/** Each logit's sign class: 1 above `hi`, 2 below `lo`, 0 in between (undecided). */
function signClasses(src: Float32Array, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    out[i] = v > hi ? 1 : v < lo ? 2 : 0;
  }
  return out;
}

/**
 * The mask at threshold 0 into `data` and `union` (255 where set), and its area. Per frame row, each
 * low-resolution column's class over the row's span of rows (the AND of the classes: 1 all above, 2 all
 * below, 0 mixed); a pixel ANDs its span of columns the same way, and only a mixed one is interpolated.
 */
function signedMask(p: Plan, src: Float32Array, data: Uint8Array, union: Uint8Array): number {
  const [oh, ow] = p.geometry.original;
  const lw = p.geometry.low[1];
  const { from: rowFrom, to: rowTo } = p.lowRows;
  const { from: colFrom, to: colTo } = p.lowCols;
  const signs = signClasses(src, -1e-30, 1e-30);
  const status = new Uint8Array(lw);
  let spanFrom = -1, spanTo = -1, area = 0;
  for (let y = 0; y < oh; y++) {
    const r0 = rowFrom[y]!, r1 = rowTo[y]!;
    if (r0 !== spanFrom || r1 !== spanTo) {
      status.set(signs.subarray(r0 * lw, (r0 + 1) * lw));
      for (let r = r0 + 1; r < r1; r++) for (let j = 0, k = r * lw; j < lw; j++, k++) status[j]! &= signs[k]!;
      (spanFrom = r0), (spanTo = r1);
    }
    for (let x = 0, i = y * ow; x < ow; x++, i++) {
      const c0 = colFrom[x]!, c1 = colTo[x]!;
      let cls = status[c0]!;
      for (let c = c0 + 1; c < c1; c++) cls &= status[c]!;
      if (cls === 1 || (cls === 0 && valueAt(p, src, x, y) > 0)) (data[i] = 255), (union[i] = 255), area++;
    }
  }
  return area;
}

/**
 * Turns low-resolution mask logits (one `low`-sized map each) into binary masks at the frame's size as
 * `post_process_masks` does (upscale to `padded`, crop to `reshaped`, resize to `original`,
 * `value > threshold`), computing only the upscaled values the last resize reads.
 *
 * With the default threshold 0, a frame pixel whose logits (the few low-resolution ones its value is
 * interpolated from) are all above 1e-30, or all below -1e-30, is decided without interpolating: the
 * interpolations weigh them with non-negative weights, one of each pair at least 1/2, so the value keeps
 * their sign (never smaller in magnitude than 1e-30 / 16, far from underflow). Only pixels near the mask's
 * edge are interpolated, exactly as above.
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
  for (const src of maps) {
    if (src.length !== lh * lw) throw new Error(`mask post-processing: a map has ${src.length} values, expected ${lh}x${lw}`);
    const data = new Uint8Array(oh * ow);
    let area = 0;
    if (threshold !== 0) frameValues(p, src, (i, v) => v > threshold && ((data[i] = 255), (union[i] = 255), area++));
    else area = signedMask(p, src, data, union);
    masks.push({ width: ow, height: oh, channels: 1, data });
    areas.push(area);
  }
  return { masks, union: { width: ow, height: oh, channels: 1, data: union }, areas };
}

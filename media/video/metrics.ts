/**
 * Frame-difference maths, pure functions over raw pixels. A frame is reduced once to a signature (a
 * per-channel colour histogram and a small grey thumbnail); two signatures compare by
 * - `histogram`: total-variation distance of the colour histograms, 0 (same colours) .. 1 (disjoint);
 * - `pixels`: the fraction of thumbnail pixels where some colour channel moved by more than `delta` (so a
 *   red object on a blue ground of the same brightness still counts);
 * - `ssim`: mean structural similarity of the thumbnails over 8x8 windows, 1 = identical.
 * Histograms catch cuts and colour changes; pixels and SSIM catch objects appearing in an unchanged palette.
 */

/** Interleaved 8-bit pixels (structurally the engine's RawImage). */
export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** What a frame is compared by. */
export interface FrameSignature {
  /** 3 x BINS normalized histograms (R, G, B), each summing to 1. */
  hist: Float32Array;
  /** RGB thumbnail, `tw` x `th` x 3, row-major (box-averaged). */
  thumb: Float32Array;
  tw: number;
  th: number;
}

/** Distances between two frames. */
export interface FrameDistance {
  histogram: number;
  pixels: number;
  ssim: number;
}

const BINS = 16;
/** Width of the grey thumbnails (height follows the aspect). */
export const THUMB_WIDTH = 64;

/**
 * Reduces a frame to its signature (one pass over the pixels).
 * @example const sig = signature({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 */
export function signature(image: Pixels, thumbWidth = THUMB_WIDTH): FrameSignature {
  const { width, height, channels, data } = image;
  const tw = Math.max(1, Math.min(thumbWidth, width));
  const th = Math.max(1, Math.min(height, Math.round((tw * height) / width)));
  const hist = new Float32Array(3 * BINS);
  const sum = new Float32Array(tw * th * 3);
  const count = new Float32Array(tw * th);
  const colX = new Int32Array(width);
  for (let x = 0; x < width; x++) colX[x] = Math.min(tw - 1, Math.floor((x * tw) / width));
  const grey = channels >= 3;
  for (let y = 0; y < height; y++) {
    const row = Math.min(th - 1, Math.floor((y * th) / height)) * tw;
    let p = y * width * channels;
    for (let x = 0; x < width; x++, p += channels) {
      const r = data[p]!;
      const g = grey ? data[p + 1]! : r;
      const b = grey ? data[p + 2]! : r;
      hist[r >> 4]!++;
      hist[BINS + (g >> 4)]!++;
      hist[2 * BINS + (b >> 4)]!++;
      const cell = row + colX[x]!;
      sum[3 * cell]! += r;
      sum[3 * cell + 1]! += g;
      sum[3 * cell + 2]! += b;
      count[cell]!++;
    }
  }
  const n = width * height;
  for (let i = 0; i < hist.length; i++) hist[i]! /= n;
  for (let i = 0; i < sum.length; i++) sum[i] = count[(i / 3) | 0] ? sum[i]! / count[(i / 3) | 0]! : 0;
  return { hist, thumb: sum, tw, th };
}

/**
 * Colour-histogram distance: the mean over R, G, B of the total variation (half the L1 distance), 0..1.
 * @example histogramDistance(sigA, sigA) // 0
 */
export function histogramDistance(a: FrameSignature, b: FrameSignature): number {
  let total = 0;
  for (let i = 0; i < a.hist.length; i++) total += Math.abs(a.hist[i]! - b.hist[i]!);
  return total / 2 / 3;
}

function sameShape(a: FrameSignature, b: FrameSignature): boolean {
  return a.tw === b.tw && a.th === b.th;
}

/**
 * Fraction of thumbnail pixels where a colour channel changed by more than `delta` (0..255); 1 for unlike shapes.
 * @example pixelChange(sigA, sigB, 24) // 0.05 when an object covers 5% of the frame
 */
export function pixelChange(a: FrameSignature, b: FrameSignature, delta = 24): number {
  if (!sameShape(a, b)) return 1;
  let changed = 0;
  for (let i = 0; i < a.thumb.length; i += 3) {
    const d = Math.max(Math.abs(a.thumb[i]! - b.thumb[i]!), Math.abs(a.thumb[i + 1]! - b.thumb[i + 1]!), Math.abs(a.thumb[i + 2]! - b.thumb[i + 2]!));
    if (d > delta) changed++;
  }
  return changed / (a.tw * a.th);
}

function grey(thumb: Float32Array): Float32Array {
  const out = new Float32Array(thumb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * thumb[3 * i]! + 0.587 * thumb[3 * i + 1]! + 0.114 * thumb[3 * i + 2]!;
  return out;
}

/**
 * Mean SSIM of the grey levels of the thumbnails over non-overlapping 8x8 windows (1 = identical); 0 for unlike shapes.
 * @example ssim(sigA, sigA) // 1
 */
export function ssim(a: FrameSignature, b: FrameSignature): number {
  if (!sameShape(a, b)) return 0;
  const ga = grey(a.thumb);
  const gb = grey(b.thumb);
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  const win = Math.min(8, a.tw, a.th);
  let total = 0;
  let windows = 0;
  for (let y0 = 0; y0 + win <= a.th; y0 += win) {
    for (let x0 = 0; x0 + win <= a.tw; x0 += win) {
      let ma = 0, mb = 0;
      for (let y = y0; y < y0 + win; y++) for (let x = x0; x < x0 + win; x++) (ma += ga[y * a.tw + x]!), (mb += gb[y * a.tw + x]!);
      const n = win * win;
      ma /= n;
      mb /= n;
      let va = 0, vb = 0, cov = 0;
      for (let y = y0; y < y0 + win; y++) {
        for (let x = x0; x < x0 + win; x++) {
          const da = ga[y * a.tw + x]! - ma;
          const db = gb[y * a.tw + x]! - mb;
          va += da * da;
          vb += db * db;
          cov += da * db;
        }
      }
      va /= n - 1 || 1;
      vb /= n - 1 || 1;
      cov /= n - 1 || 1;
      total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      windows++;
    }
  }
  return windows ? total / windows : 1;
}

/**
 * Every distance between two signatures.
 * @example compareSignatures(sigA, sigB) // { histogram: 0.8, pixels: 0.9, ssim: 0.1 } across a cut
 */
export function compareSignatures(a: FrameSignature, b: FrameSignature, delta = 24): FrameDistance {
  return { histogram: histogramDistance(a, b), pixels: pixelChange(a, b, delta), ssim: ssim(a, b) };
}

/** Thresholds deciding "a visual change" and "near-identical". */
export interface ChangeThresholds {
  /** Histogram distance at or above which frames differ (default 0.25). */
  histogram: number;
  /** Changed-pixel fraction at or above which frames differ (default 0.02). */
  pixels: number;
  /** Frames are near-identical when both the histogram distance and the pixel fraction are below this (default 0.01). */
  duplicate: number;
}

/** The default thresholds. */
export const DEFAULT_THRESHOLDS: ChangeThresholds = { histogram: 0.25, pixels: 0.02, duplicate: 0.01 };

/**
 * Whether two frames show a visual change: a colour shift (histogram) or a local change (pixels).
 * @example isChange({ histogram: 0.01, pixels: 0.06, ssim: 0.9 }) // true: an object appeared
 */
export function isChange(d: FrameDistance, t: ChangeThresholds = DEFAULT_THRESHOLDS): boolean {
  return d.histogram >= t.histogram || d.pixels >= t.pixels;
}

/**
 * Whether two frames are near-identical (a duplicate to drop).
 * @example isDuplicate({ histogram: 0.002, pixels: 0, ssim: 0.99 }) // true
 */
export function isDuplicate(d: FrameDistance, t: ChangeThresholds = DEFAULT_THRESHOLDS): boolean {
  return d.histogram < t.duplicate && d.pixels < t.duplicate;
}

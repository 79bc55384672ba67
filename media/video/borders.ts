/**
 * Letterbox and pillarbox detection: uniform dark bars along the edges of a frame, and cropping them.
 */
import type { Pixels } from './metrics.js';

/** Bar sizes in pixels on each side. */
export interface Borders {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Options of border detection. */
export interface BorderOptions {
  /** Grey level at or below which a pixel counts as black (default 24). */
  threshold?: number;
  /** Fraction of a line's pixels allowed above the threshold (noise, a logo's edge; default 0.02). */
  tolerance?: number;
  /** Bars thinner than this fraction of the side are ignored (default 0.02). */
  minFraction?: number;
}

const NONE: Borders = { top: 0, bottom: 0, left: 0, right: 0 };

/**
 * Finds dark bars along the edges. A frame that is dark all over has no borders (it is a dark frame).
 * @example detectBorders(letterboxed) // { top: 30, bottom: 30, left: 0, right: 0 }
 */
export function detectBorders(image: Pixels, options: BorderOptions = {}): Borders {
  const { width, height, channels, data } = image;
  const threshold = options.threshold ?? 24;
  const tolerance = options.tolerance ?? 0.02;
  const minFraction = options.minFraction ?? 0.02;
  const bright = (x: number, y: number) => {
    const p = (y * width + x) * channels;
    const r = data[p]!;
    const grey = channels >= 3 ? 0.299 * r + 0.587 * data[p + 1]! + 0.114 * data[p + 2]! : r;
    return grey > threshold;
  };
  const darkRow = (y: number) => {
    let n = 0;
    for (let x = 0; x < width; x++) if (bright(x, y)) n++;
    return n <= tolerance * width;
  };
  const darkCol = (x: number, top: number, bottom: number) => {
    let n = 0;
    for (let y = top; y < bottom; y++) if (bright(x, y)) n++;
    return n <= tolerance * (bottom - top);
  };
  let top = 0;
  while (top < height && darkRow(top)) top++;
  if (top === height) return { ...NONE };
  let bottom = 0;
  while (bottom < height - top && darkRow(height - 1 - bottom)) bottom++;
  let left = 0;
  while (left < width && darkCol(left, top, height - bottom)) left++;
  let right = 0;
  while (right < width - left && darkCol(width - 1 - right, top, height - bottom)) right++;
  const keep = (n: number, side: number) => (n >= Math.max(2, minFraction * side) ? n : 0);
  return { top: keep(top, height), bottom: keep(bottom, height), left: keep(left, width), right: keep(right, width) };
}

/**
 * The bars common to every frame (the smallest on each side), so no frame loses picture.
 * @example commonBorders([{ top: 30, ... }, { top: 28, ... }]) // { top: 28, ... }
 */
export function commonBorders(all: readonly Borders[]): Borders {
  if (!all.length) return { ...NONE };
  return {
    top: Math.min(...all.map((b) => b.top)),
    bottom: Math.min(...all.map((b) => b.bottom)),
    left: Math.min(...all.map((b) => b.left)),
    right: Math.min(...all.map((b) => b.right)),
  };
}

/** Whether any side has a bar. */
export function hasBorders(b: Borders): boolean {
  return b.top + b.bottom + b.left + b.right > 0;
}

/**
 * The crop box inside the borders. With `multiple` (e.g. 16), the box shrinks a little more, evenly, so that
 * its sides are multiples of it (as the model's sizes require).
 * @example cropBox(256, 192, { top: 20, bottom: 20, left: 0, right: 0 }, 16) // { x: 0, y: 24, width: 256, height: 144 }
 */
export function cropBox(width: number, height: number, b: Borders, multiple = 1): { x: number; y: number; width: number; height: number } {
  let x = b.left;
  let y = b.top;
  let w = width - b.left - b.right;
  let h = height - b.top - b.bottom;
  if (multiple > 1) {
    const w2 = Math.max(multiple, Math.floor(w / multiple) * multiple);
    const h2 = Math.max(multiple, Math.floor(h / multiple) * multiple);
    if (w2 <= w) (x += Math.floor((w - w2) / 2)), (w = w2);
    if (h2 <= h) (y += Math.floor((h - h2) / 2)), (h = h2);
  }
  return { x, y, width: w, height: h };
}

/**
 * Copies a rectangle out of an image.
 * @example crop(frame, { x: 0, y: 24, width: 256, height: 144 })
 */
export function crop<P extends Pixels>(image: P, box: { x: number; y: number; width: number; height: number }): P {
  const { channels } = image;
  const out = new Uint8Array(box.width * box.height * channels);
  const rowBytes = box.width * channels;
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * image.width + box.x) * channels;
    out.set(image.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { ...image, width: box.width, height: box.height, data: out };
}

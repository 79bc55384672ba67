/**
 * Run-length encoding of binary masks, so ground truth stays small, JSON-safe and exact.
 * Row-major runs that alternate between 0 and set pixels, starting with a (possibly empty) run of zeros.
 */
import type { RawImage } from '../image/raw.js';

/** A run-length encoded binary mask: `size` is [height, width]; `counts` alternate 0-runs and 255-runs. */
export interface Rle {
  size: [number, number];
  counts: number[];
}

/**
 * Encodes a mask (any non-zero pixel counts as set).
 * @example encodeRle(mask) // { size: [240, 320], counts: [5130, 12, 308, ...] }
 */
export function encodeRle(mask: RawImage): Rle {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  const n = mask.width * mask.height;
  for (let p = 0; p < n; p++) {
    const v = mask.data[p * mask.channels] ? 1 : 0;
    if (v === current) run++;
    else {
      counts.push(run);
      current = v;
      run = 1;
    }
  }
  counts.push(run);
  return { size: [mask.height, mask.width], counts };
}

/**
 * Decodes an RLE back to a 0/255 mask; a run total that does not match the size is an error.
 * @example const mask = decodeRle(truth.transitions[0].masks.source);
 */
export function decodeRle(rle: Rle): RawImage {
  const [height, width] = rle.size;
  const data = new Uint8Array(width * height);
  let p = 0;
  rle.counts.forEach((run, i) => {
    if (p + run > data.length) throw new Error(`RLE runs exceed the mask size ${width}x${height}`);
    if (i % 2 === 1) data.fill(255, p, p + run);
    p += run;
  });
  if (p !== data.length) throw new Error(`RLE runs cover ${p} pixels, the mask has ${data.length}`);
  return { width, height, channels: 1, data };
}

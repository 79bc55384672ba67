/** Drawing detections for previews: box outlines on a copy of the image. */
import type { RawImage } from '../../engine/index.js';
import type { ScoredBox } from './boxes.js';

/** Outline colours, one per phrase in order of first appearance. */
const COLORS: readonly (readonly [number, number, number])[] = [
  [255, 64, 64], [64, 200, 255], [255, 210, 40], [120, 255, 120], [255, 120, 255], [255, 160, 60],
];

/**
 * Returns an RGB copy of `image` with each box outlined (2 px; one colour per phrase).
 * @example const preview = drawBoxes(frame, [{ phrase: 'cup', score: 0.9, box: [10, 10, 50, 40] }]);
 */
export function drawBoxes(image: RawImage, boxes: readonly ScoredBox[], thickness = 2): RawImage {
  const { width, height, channels } = image;
  let out: Uint8Array;
  if (channels === 3) out = image.data.slice(0, width * height * 3);
  else {
    out = new Uint8Array(width * height * 3);
    const gray = channels < 3;
    for (let i = 0, j = 0; i < width * height; i++, j += channels) {
      out[i * 3] = image.data[j]!;
      out[i * 3 + 1] = image.data[gray ? j : j + 1]!;
      out[i * 3 + 2] = image.data[gray ? j : j + 2]!;
    }
  }
  return outlineBoxes({ width, height, channels: 3, data: out }, boxes, thickness);
}

/**
 * Outlines each box on an RGB image in place (2 px; one colour per phrase) and returns it: for an image
 * just made, such as an overlay, where a copy would be wasted.
 * @example const preview = outlineBoxes(overlayMask(frame, mask, [0, 200, 255]), boxes);
 */
export function outlineBoxes(image: RawImage, boxes: readonly ScoredBox[], thickness = 2): RawImage {
  const { width, height, channels, data: out } = image;
  if (channels !== 3) throw new Error(`outlineBoxes: expected an RGB image, got ${channels} channel(s); use drawBoxes`);
  const phrases = [...new Set(boxes.map((b) => b.phrase))];
  for (const b of boxes) {
    const color = COLORS[phrases.indexOf(b.phrase) % COLORS.length]!;
    const [x0, y0, x1, y1] = b.box.map(Math.round) as [number, number, number, number];
    const [r, g, bl] = color;
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      const band = y < y0 + thickness || y >= y1 - thickness;
      const end = Math.min(width, x1);
      for (let x = Math.max(0, x0); x < end; x++) {
        // Inside a side band, every pixel is on the edge; between them, only the left and right bands.
        if (!band && x >= x0 + thickness && x < x1 - thickness) x = x1 - thickness;
        if (x >= end) break;
        const o = (y * width + x) * 3;
        (out[o] = r!), (out[o + 1] = g!), (out[o + 2] = bl!);
      }
    }
  }
  return image;
}

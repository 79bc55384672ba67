/**
 * Hard-edged shapes: drawn into RGB buffers and rasterised into masks with the same coverage test, so the
 * ground-truth masks match the rendered pixels exactly.
 */
import type { RawImage, Rgb } from '../image/raw.js';
import type { Shape } from './palette.js';

// Math's functions as locals: a global lookup in a hot loop is slow inside vm contexts (jest).
const { abs, ceil, floor, max, min } = Math;

/** An object in world coordinates: `size` is its half extent (radius of a circle) in pixels. */
export interface SynthObject {
  id: number;
  shape: Shape;
  color: string;
  cx: number;
  cy: number;
  size: number;
}

/** A pixel box: left, top, width, height. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether the world point (x, y) lies inside the object. */
export function inside(o: SynthObject, x: number, y: number): boolean {
  const dx = x - o.cx;
  const dy = y - o.cy;
  const s = o.size;
  switch (o.shape) {
    case 'circle':
      return dx * dx + dy * dy <= s * s;
    case 'square':
      return abs(dx) <= s && abs(dy) <= s;
    case 'triangle':
      // Apex up at (cx, cy - s), base along y = cy + s, base half-width s.
      return dy >= -s && dy <= s && abs(dx) <= (s * (dy + s)) / (2 * s);
  }
}

/** Visits the pixels (of a width x height view at camera cx, cy) covered by the object. */
function forEachPixel(o: SynthObject, width: number, height: number, camX: number, camY: number, visit: (p: number) => void): void {
  const x0 = max(0, floor(o.cx - o.size - camX) - 1);
  const x1 = min(width - 1, ceil(o.cx + o.size - camX) + 1);
  const y0 = max(0, floor(o.cy - o.size - camY) - 1);
  const y1 = min(height - 1, ceil(o.cy + o.size - camY) + 1);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) if (inside(o, x + 0.5 + camX, y + 0.5 + camY)) visit(y * width + x);
  }
}

/**
 * Paints an object into an RGB buffer.
 * @example drawObject(rgb, 320, 240, obj, [220, 30, 30], 0, 0);
 */
export function drawObject(data: Uint8Array, width: number, height: number, o: SynthObject, rgb: Rgb, camX: number, camY: number): void {
  forEachPixel(o, width, height, camX, camY, (p) => {
    data[p * 3] = rgb[0];
    data[p * 3 + 1] = rgb[1];
    data[p * 3 + 2] = rgb[2];
  });
}

/**
 * The object's binary mask (0/255) in a view.
 * @example const m = objectMask(obj, 320, 240, 0, 0);
 */
export function objectMask(o: SynthObject, width: number, height: number, camX: number, camY: number): RawImage {
  const data = new Uint8Array(width * height);
  forEachPixel(o, width, height, camX, camY, (p) => (data[p] = 255));
  return { width, height, channels: 1, data };
}

/** A mask of the given value everywhere (255: the whole frame changed; 0: nothing). */
export function constantMask(width: number, height: number, value: 0 | 255): RawImage {
  return { width, height, channels: 1, data: new Uint8Array(width * height).fill(value) };
}

/**
 * The tight box of a mask's set pixels, or null when it is empty.
 * @example maskBox(objectMask(obj, 320, 240, 0, 0)) // { x: 40, y: 20, width: 33, height: 33 }
 */
export function maskBox(mask: RawImage): Box | null {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[y * mask.width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

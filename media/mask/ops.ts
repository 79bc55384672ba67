/**
 * Binary and grey plane operations for weight-free masks: difference, box blur, threshold, morphology,
 * hole filling. A plane is one byte per pixel, row-major, `width * height` long.
 */
import type { RawImage } from '../image/raw.js';

// Math's functions as locals: a global lookup in a hot loop is slow inside vm contexts (jest).
const { max, min, round } = Math;

/**
 * Per-pixel absolute difference of two images of the same size: the largest difference over the colour
 * channels (alpha ignored). Images with different channel counts are compared on their grey/colour values.
 * @example const d = absDiff(a, b); // Uint8Array(width * height)
 */
export function absDiff(a: RawImage, b: RawImage): Uint8Array {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`cannot compare a ${a.width}x${a.height} image with a ${b.width}x${b.height} image: frames must be aligned and the same size`);
  }
  const n = a.width * a.height;
  const out = new Uint8Array(n);
  const ca = a.channels >= 3 ? 3 : 1;
  const cb = b.channels >= 3 ? 3 : 1;
  for (let p = 0; p < n; p++) {
    let m = 0;
    for (let c = 0; c < 3; c++) {
      const va = a.data[p * a.channels + (ca === 3 ? c : 0)]!;
      const vb = b.data[p * b.channels + (cb === 3 ? c : 0)]!;
      const d = va > vb ? va - vb : vb - va;
      if (d > m) m = d;
    }
    out[p] = m;
  }
  return out;
}

/** One box-blur pass along rows (dx=1) or columns, with clamped edges. */
function boxPass(src: Uint8Array, width: number, height: number, radius: number, horizontal: boolean): Uint8Array {
  const out = new Uint8Array(src.length);
  const [len, lines] = horizontal ? [width, height] : [height, width];
  const step = horizontal ? 1 : width;
  const size = 2 * radius + 1;
  for (let line = 0; line < lines; line++) {
    const base = horizontal ? line * width : line;
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += src[base + min(len - 1, max(0, k)) * step]!;
    for (let i = 0; i < len; i++) {
      out[base + i * step] = round(sum / size);
      const add = min(len - 1, i + radius + 1);
      const drop = max(0, i - radius);
      sum += src[base + add * step]! - src[base + drop * step]!;
    }
  }
  return out;
}

/**
 * Box blur of radius r applied twice (close to a Gaussian); r = 0 returns the input.
 * @example const smooth = blur(diff, 320, 240, 2);
 */
export function blur(plane: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  let p = plane;
  for (let pass = 0; pass < 2 && radius > 0; pass++) p = boxPass(boxPass(p, width, height, radius, true), width, height, radius, false);
  return p;
}

/**
 * 255 where the plane is at least `level`, else 0.
 * @example threshold(diff, 28)
 */
export function threshold(plane: Uint8Array, level: number): Uint8Array {
  const out = new Uint8Array(plane.length);
  for (let i = 0; i < plane.length; i++) out[i] = plane[i]! >= level ? 255 : 0;
  return out;
}

/** Max (dilate) or min (erode) over a (2r+1) window along one axis, for binary planes. */
function binaryPass(src: Uint8Array, width: number, height: number, radius: number, horizontal: boolean, dilate: boolean): Uint8Array {
  const out = new Uint8Array(src.length);
  const [len, lines] = horizontal ? [width, height] : [height, width];
  const step = horizontal ? 1 : width;
  for (let line = 0; line < lines; line++) {
    const base = horizontal ? line * width : line;
    // Count of set pixels in the window; out of bounds counts as unset (dilate) or set (erode).
    let count = 0;
    const at = (i: number) => (i < 0 || i >= len ? (dilate ? 0 : 1) : src[base + i * step] ? 1 : 0);
    for (let k = -radius; k <= radius; k++) count += at(k);
    for (let i = 0; i < len; i++) {
      out[base + i * step] = (dilate ? count > 0 : count === 2 * radius + 1) ? 255 : 0;
      count += at(i + radius + 1) - at(i - radius);
    }
  }
  return out;
}

/**
 * Dilation with a square of side 2r+1.
 * @example dilate(mask, w, h, 2)
 */
export function dilate(plane: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return plane;
  return binaryPass(binaryPass(plane, width, height, radius, true, true), width, height, radius, false, true);
}

/**
 * Erosion with a square of side 2r+1.
 * @example erode(mask, w, h, 1)
 */
export function erode(plane: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return plane;
  return binaryPass(binaryPass(plane, width, height, radius, true, false), width, height, radius, false, false);
}

/**
 * Opening (erode then dilate): removes specks smaller than the square.
 * @example open(mask, w, h, 1)
 */
export function open(plane: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return dilate(erode(plane, width, height, radius), width, height, radius);
}

/**
 * Closing (dilate then erode): joins nearby parts and fills thin gaps.
 * @example close(mask, w, h, 2)
 */
export function close(plane: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return erode(dilate(plane, width, height, radius), width, height, radius);
}

/**
 * Sets every unset pixel that the frame's border cannot reach (4-connected): a ring becomes a disc, so a
 * grown or shrunk object gives its whole area, not only the rim that changed.
 * @example fillHoles(mask, w, h)
 */
export function fillHoles(plane: Uint8Array, width: number, height: number): Uint8Array {
  const reached = new Uint8Array(plane.length);
  const stack: number[] = [];
  const push = (p: number) => {
    if (!plane[p] && !reached[p]) {
      reached[p] = 1;
      stack.push(p);
    }
  };
  for (let x = 0; x < width; x++) (push(x), push((height - 1) * width + x));
  for (let y = 0; y < height; y++) (push(y * width), push(y * width + width - 1));
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % width;
    if (x > 0) push(p - 1);
    if (x < width - 1) push(p + 1);
    if (p >= width) push(p - width);
    if (p < plane.length - width) push(p + width);
  }
  const out = new Uint8Array(plane.length);
  for (let i = 0; i < plane.length; i++) out[i] = plane[i] || !reached[i] ? 255 : 0;
  return out;
}

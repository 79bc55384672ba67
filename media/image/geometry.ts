/**
 * Geometry: resize (sharp kernels, plus an exact area-average resample), crop, nearest-neighbour resize.
 */
import { fromSharp, rawImage, toSharp, type RawImage } from './raw.js';

/**
 * How a resize fits the requested box (sharp's names).
 * @example resizeImage(img, { width: 64, height: 64, fit: RESIZE_FITS[1] }) // cover
 */
export const RESIZE_FITS = ['fill', 'cover', 'contain', 'inside', 'outside'] as const;
export type ResizeFit = (typeof RESIZE_FITS)[number];

/**
 * Resampling methods: sharp's kernels, and `area` (each output pixel averages the source area it covers).
 * @example resizeImage(img, { width: 128, method: 'area' })
 */
export const RESIZE_METHODS = ['lanczos3', 'cubic', 'linear', 'nearest', 'area'] as const;
export type ResizeMethod = (typeof RESIZE_METHODS)[number];

/** What `resizeImage` is asked for. */
export interface ResizeOptions {
  /** Target width; 0 or absent keeps the aspect ratio from `height`. */
  width?: number;
  /** Target height; 0 or absent keeps the aspect ratio from `width`. */
  height?: number;
  /**
   * When both sides are given: `fill` stretches to exactly width x height, `cover` fills the box and crops
   * the overflow (centred), `contain` fits inside and pads (black, transparent for RGBA), `inside` fits
   * inside without padding, `outside` covers the box without cropping. Default `fill`.
   */
  fit?: ResizeFit;
  /** Default `lanczos3`. */
  method?: ResizeMethod;
}

/**
 * Resizes an image or mask (any channel count).
 * @example const thumb = await resizeImage(img, { width: 256, height: 256, fit: 'cover', method: 'area' });
 */
export async function resizeImage(img: RawImage, options: ResizeOptions): Promise<RawImage> {
  const width = options.width || 0;
  const height = options.height || 0;
  const fit = options.fit ?? 'fill';
  const method = options.method ?? 'lanczos3';
  if (width < 0 || height < 0 || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new Error(`resize needs whole, non-negative sides, got ${options.width}x${options.height}`);
  }
  if (!width && !height) throw new Error('resize needs a width or a height (0 means "keep the aspect ratio")');
  if (!RESIZE_FITS.includes(fit)) throw new Error(`unknown resize fit "${fit}"; use one of ${RESIZE_FITS.join(', ')}`);
  if (!RESIZE_METHODS.includes(method)) throw new Error(`unknown resize method "${method}"; use one of ${RESIZE_METHODS.join(', ')}`);
  // One side given: the other follows the aspect ratio, and the box is filled exactly.
  const w = width || Math.max(1, Math.round((img.width * height) / img.height));
  const h = height || Math.max(1, Math.round((img.height * width) / img.width));
  const boxFit = width && height ? fit : 'fill';
  if (method === 'area') return areaResizeFit(img, w, h, boxFit);
  const alpha = img.channels === 2 || img.channels === 4 ? 0 : 1;
  return fromSharp(
    toSharp(img).resize({
      width: w,
      height: h,
      fit: boxFit,
      kernel: method,
      background: { r: 0, g: 0, b: 0, alpha },
    }),
  );
}

/** Area resize with the same fit rules as sharp. */
function areaResizeFit(img: RawImage, width: number, height: number, fit: ResizeFit): RawImage {
  if (fit === 'fill') return areaResize(img, width, height);
  const sx = width / img.width;
  const sy = height / img.height;
  const s = fit === 'cover' || fit === 'outside' ? Math.max(sx, sy) : Math.min(sx, sy);
  const w = Math.max(1, Math.round(img.width * s));
  const h = Math.max(1, Math.round(img.height * s));
  const scaled = areaResize(img, w, h);
  if (fit === 'inside' || fit === 'outside') return scaled;
  if (fit === 'cover') return cropImage(scaled, { x: (w - width) >> 1, y: (h - height) >> 1, width, height });
  // contain: pad, centred, onto black (transparent when there is alpha)
  const out = rawImage(width, height, img.channels);
  pasteInto(out, scaled, (width - w) >> 1, (height - h) >> 1);
  return out;
}

/** Per output position: the source indices it covers and their weights (summing to 1). */
function areaWeights(src: number, dst: number): Array<{ from: number; weights: Float64Array }> {
  const scale = src / dst;
  const out: Array<{ from: number; weights: Float64Array }> = [];
  for (let d = 0; d < dst; d++) {
    const start = d * scale;
    const end = Math.min(src, (d + 1) * scale);
    const first = Math.floor(start);
    const last = Math.min(src - 1, Math.ceil(end) - 1);
    const weights = new Float64Array(last - first + 1);
    for (let s = first; s <= last; s++) weights[s - first] = (Math.min(end, s + 1) - Math.max(start, s)) / (end - start);
    out.push({ from: first, weights });
  }
  return out;
}

/**
 * Resamples by area averaging: each output pixel is the mean of the source area it covers, weighted by
 * coverage (OpenCV's INTER_AREA for downscaling; smooth, no ringing, exact for integer factors).
 * @example const half = areaResize(img, img.width / 2, img.height / 2);
 */
export function areaResize(img: RawImage, width: number, height: number): RawImage {
  const c = img.channels;
  const xs = areaWeights(img.width, width);
  const ys = areaWeights(img.height, height);
  // rows: float[img.height][width][c]
  const rows = new Float64Array(img.height * width * c);
  for (let y = 0; y < img.height; y++) {
    const srcRow = y * img.width * c;
    const dstRow = y * width * c;
    for (let x = 0; x < width; x++) {
      const { from, weights } = xs[x]!;
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let i = 0; i < weights.length; i++) sum += weights[i]! * img.data[srcRow + (from + i) * c + k]!;
        rows[dstRow + x * c + k] = sum;
      }
    }
  }
  const out = rawImage(width, height, c);
  for (let y = 0; y < height; y++) {
    const { from, weights } = ys[y]!;
    for (let x = 0; x < width * c; x++) {
      let sum = 0;
      for (let i = 0; i < weights.length; i++) sum += weights[i]! * rows[(from + i) * width * c + x]!;
      out.data[y * width * c + x] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}

/**
 * Nearest-neighbour resize (each output pixel copies the source pixel under its centre): keeps binary
 * masks binary.
 * @example const fitted = resizeNearest(mask, image.width, image.height);
 */
export function resizeNearest(img: RawImage, width: number, height: number): RawImage {
  if (img.width === width && img.height === height) return img;
  const c = img.channels;
  const out = rawImage(width, height, c);
  const xs = Int32Array.from({ length: width }, (_, x) => Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width)));
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const s = (sy * img.width + xs[x]!) * c;
      const d = (y * width + x) * c;
      for (let k = 0; k < c; k++) out.data[d + k] = img.data[s + k]!;
    }
  }
  return out;
}

/** A rectangle in pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Cuts out a rectangle; a region that is empty or reaches outside the image is an error giving both sizes.
 * @example const face = cropImage(img, { x: 10, y: 20, width: 64, height: 64 });
 */
export function cropImage(img: RawImage, region: Region): RawImage {
  const { x, y, width, height } = region;
  if (![x, y, width, height].every(Number.isInteger)) throw new Error(`crop region must be whole pixels, got ${width}x${height} at (${x}, ${y})`);
  if (width < 1 || height < 1) throw new Error(`crop region ${width}x${height} is empty`);
  if (x < 0 || y < 0 || x + width > img.width || y + height > img.height) {
    throw new Error(
      `crop region ${width}x${height} at (${x}, ${y}) spans x ${x}..${x + width}, y ${y}..${y + height}, outside the ${img.width}x${img.height} image`,
    );
  }
  const c = img.channels;
  const out = rawImage(width, height, c);
  for (let row = 0; row < height; row++) {
    const s = ((y + row) * img.width + x) * c;
    out.data.set(img.data.subarray(s, s + width * c), row * width * c);
  }
  return out;
}

/**
 * Copies `src` into `dst` at (x, y), clipped to `dst`; both must have the same channel count.
 * @example pasteInto(sheet, tile, 8, 8);
 */
export function pasteInto(dst: RawImage, src: RawImage, x: number, y: number): void {
  if (dst.channels !== src.channels) throw new Error(`cannot paste ${src.channels}-channel pixels into a ${dst.channels}-channel image`);
  const c = dst.channels;
  const x0 = Math.max(0, x);
  const x1 = Math.min(dst.width, x + src.width);
  if (x1 <= x0) return;
  for (let row = Math.max(0, y); row < Math.min(dst.height, y + src.height); row++) {
    const s = ((row - y) * src.width + (x0 - x)) * c;
    dst.data.set(src.data.subarray(s, s + (x1 - x0) * c), (row * dst.width + x0) * c);
  }
}

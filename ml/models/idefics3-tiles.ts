/**
 * A fast path for `Idefics3ImageProcessor._call` (SmolVLM's image processor) with the same output, bit for
 * bit. transformers.js resizes each pre-processed image to a multiple of the tile size with an ONNX
 * Resize, cuts the tiles out with one ONNX Slice each, resizes a global view with another Resize, then
 * concatenates twice: each step a fresh 3-30 MB buffer (page faults and garbage collections), about
 * 100-200 ms for two frames on a 2-core machine. Here the same Resize arithmetic (ort-resize-wasm.ts,
 * else ort-resize.ts) writes the tiles straight into one reused buffer. A batch of several prompts (which
 * transformers.js pads) and images whose tiles differ in size go through transformers.js unchanged.
 */
import { Idefics3ImageProcessor, Tensor as HfTensor } from '@huggingface/transformers';
import { onesMask } from './ones-mask.js';
import { releasePixels, takePixels } from './plane-pool.js';
import { resizePlanes } from './ort-resize.js';
import { resizeJob } from './ort-resize-wasm.js';
import type { PreprocessedImage } from './preprocess.js';

type Processor = Record<string, any>;

/** One image's tiles: the resized image's size, the split, and the tile size. */
interface TilePlan {
  height: number;
  width: number;
  rows: number;
  cols: number;
  tileHeight: number;
  tileWidth: number;
  /** Whether a global view (the whole image resized to one tile) follows the tiles. */
  global: boolean;
  frames: number;
}

/** `split_image`'s geometry for an image resized to `height` x `width`, tiles at most `max` a side. */
function tilePlan(height: number, width: number, max: number): TilePlan {
  if (height > max || width > max) {
    const rows = Math.ceil(height / max);
    const cols = Math.ceil(width / max);
    // The global view is resized to max x max (or copied when the image already is that size).
    return { height, width, rows, cols, tileHeight: Math.ceil(height / rows), tileWidth: Math.ceil(width / cols), global: true, frames: rows * cols + 1 };
  }
  return { height, width, rows: 0, cols: 0, tileHeight: height, tileWidth: width, global: false, frames: 1 };
}

/** The top-left corner of tile (r, c) in the resized image (the last row / column ends at its edge). */
function tileCorner(p: TilePlan, r: number, c: number): [number, number] {
  return [r === p.rows - 1 ? p.height - p.tileHeight : r * p.tileHeight, c === p.cols - 1 ? p.width - p.tileWidth : c * p.tileWidth];
}

/** Copies tile (r, c) of 3 planes of `resized` into `out` at `offset` (the same corners as `split_image`). */
function copyTile(resized: Float32Array, p: TilePlan, r: number, c: number, out: Float32Array, offset: number): void {
  const [y0, x0] = tileCorner(p, r, c);
  for (let ch = 0; ch < 3; ch++) {
    for (let y = 0; y < p.tileHeight; y++) {
      const from = ch * p.height * p.width + (y0 + y) * p.width + x0;
      out.set(resized.subarray(from, from + p.tileWidth), offset + (ch * p.tileHeight + y) * p.tileWidth);
    }
  }
}

/**
 * One image's frames (its tiles, then the global view; or the image resized to max x max) written into
 * `out` from `offset` by the WebAssembly Resize, the same values as the JavaScript path below. Returns
 * how many frames, or 0 when the module is not available.
 */
function framesInWasm(pixels: Float32Array, ih: number, iw: number, p: TilePlan, split: boolean, max: number, out: Float32Array, offset: number): number {
  const frame = 3 * p.tileHeight * p.tileWidth;
  const job = resizeJob(4 * (3 * ih * iw + 3 * p.height * p.width + frame + 3 * max * max));
  if (!job) return 0;
  const src = job.put(pixels, 3, ih, iw);
  if (!split) {
    const whole = job.planes(3, max, max);
    job.resize(src, whole);
    job.read(whole, out, offset);
    return 1;
  }
  const resized = job.planes(3, p.height, p.width);
  job.resize(src, resized);
  const tile = job.planes(3, p.tileHeight, p.tileWidth);
  let n = 0;
  for (let r = 0; r < p.rows; r++) {
    for (let c = 0; c < p.cols; c++) {
      const [y0, x0] = tileCorner(p, r, c);
      job.copy(resized, y0, x0, tile);
      job.read(tile, out, offset + n++ * frame);
    }
  }
  if (!p.global || (p.height === max && p.width === max)) job.read(resized, out, offset + n++ * frame);
  else {
    const view = job.planes(3, max, max);
    job.resize(resized, view);
    job.read(view, out, offset + n++ * frame);
  }
  return n;
}

/**
 * What `imageProcessor(images, options)` returns for an Idefics3 image processor (pixel_values
 * [1, frames, 3, h, w], pixel_attention_mask, sizes, and rows / cols with `return_row_col_info`), or
 * undefined where transformers.js must do it. `pixel_values.data` may be a reused buffer: hand it back with
 * `releasePixels` once the vision encoder has read it.
 * @example const inputs = await idefics3Inputs(processor.image_processor, [a, b], { return_row_col_info: true });
 */
export async function idefics3Inputs(ip: Processor, images: unknown, options: { do_image_splitting?: boolean | null; return_row_col_info?: boolean } = {}): Promise<Record<string, any> | undefined> {
  if (!Array.isArray(images) || images.length === 0 || Array.isArray(images[0])) return undefined; // one prompt's images only
  const list = (await Promise.all(images.map((x) => ip.preprocess(x)))) as PreprocessedImage[];
  const max = ip.max_image_size?.longest_edge as number;
  const split = options.do_image_splitting ?? ip.do_image_splitting;
  const plans = list.map((x) => {
    if (!split) return tilePlan(max, max, max); // one frame: the image resized to max x max
    const size = ip.get_resize_for_vision_encoder(x.pixel_values, max) as { height: number; width: number };
    return tilePlan(size.height, size.width, max);
  });
  const [h, w] = [plans[0]!.tileHeight, plans[0]!.tileWidth];
  if (!Number.isInteger(max) || plans.some((p) => p.tileHeight !== h || p.tileWidth !== w || (p.global && (h !== max || w !== max)))) return undefined;
  const frames = plans.reduce((n, p) => n + p.frames, 0);
  const frameSize = 3 * h * w;
  const out = takePixels(frames * frameSize);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    const p = plans[i]!;
    const [, ih, iw] = x.pixel_values.dims as number[];
    const done = framesInWasm(x.pixel_values.data as Float32Array, ih!, iw!, p, split, max, out, at * frameSize);
    if (done) {
      at += done;
      releasePixels(x.pixel_values.data);
      continue;
    }
    if (!split) {
      resizePlanes(x.pixel_values.data as Float32Array, 3, ih!, iw!, max, max, out, at++ * frameSize);
    } else {
      const resized = resizePlanes(x.pixel_values.data as Float32Array, 3, ih!, iw!, p.height, p.width, takePixels(3 * p.height * p.width));
      for (let r = 0; r < p.rows; r++) for (let c = 0; c < p.cols; c++) copyTile(resized, p, r, c, out, at++ * frameSize);
      // The last frame: the image itself when it is one tile (or already max x max), else the global view.
      if (!p.global || (p.height === max && p.width === max)) out.set(resized, at++ * frameSize);
      else resizePlanes(resized, 3, p.height, p.width, max, max, out, at++ * frameSize);
      releasePixels(resized);
    }
    releasePixels(x.pixel_values.data);
  }
  return {
    pixel_values: new HfTensor('float32', out, [1, frames, 3, h, w]),
    pixel_attention_mask: onesMask('bool', [1, frames, h, w]),
    original_sizes: list.map((x) => x.original_size),
    reshaped_input_sizes: list.map((x) => x.reshaped_input_size),
    ...(options.return_row_col_info ? { rows: [plans.map((p) => p.rows)], cols: [plans.map((p) => p.cols)] } : {}),
  };
}

/**
 * Routes an Idefics3 image processor's calls through `idefics3Inputs` where it applies (the original
 * `_call` otherwise). Idempotent; other processors are left alone.
 * @example installIdefics3Tiles(loaded.processor.image_processor);
 */
export function installIdefics3Tiles(ip: Processor | undefined): void {
  const original = (Idefics3ImageProcessor.prototype as unknown as Processor)._call;
  if (!ip || ip._call !== original || Object.prototype.hasOwnProperty.call(ip, '_call')) return;
  ip._call = async (images: unknown, options: Record<string, any> = {}) => (await idefics3Inputs(ip, images, options)) ?? original.call(ip, images, options);
}

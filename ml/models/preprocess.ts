/**
 * A fast path for transformers.js' image pre-processing (`ImageProcessor.preprocess`) with the same output,
 * bit for bit. The float work transformers.js does in several passes over the whole image (u8 -> f32
 * copy, rescale, normalise, pad, flip, HWC -> CHW permute) is one pass through a per-channel table of the
 * 256 values each byte can become, computed with transformers.js' own arithmetic (f64 operations, each
 * result rounded to f32 as its Float32Array stores round it). The resize before it is the same as
 * transformers.js': for bilinear (GroundingDINO, SAM, SAM2) libvips' fixed-point resize reproduced pixel
 * for pixel and fused with that pass (planes.ts; in WebAssembly SIMD where built, planes-wasm.ts); for the other
 * filters the same sharp call as transformers.js'. Configurations it does not cover (margin cropping,
 * thumbnails, centre crops, box/hamming resampling, other subclasses' overrides) go through
 * transformers.js unchanged.
 */
import sharp from 'sharp';
import { sharpThreads } from '../../media/image/sharp-threads.js';
import { GroundingDinoImageProcessor, ImageProcessor, RawImage as HfImage, SamImageProcessor, Tensor as HfTensor } from '@huggingface/transformers';
import { fillPlanes } from './plane-fill.js';
import { onesMask } from './ones-mask.js';
import type { ChannelOrder } from './planes.js';

sharpThreads(); // both cores for each resize (see sharp-threads.ts)

/** What `ImageProcessor.preprocess` returns for one image. */
export interface PreprocessedImage {
  /** [height, width] before resizing. */
  original_size: [number, number];
  /** [height, width] after resizing, before padding. */
  reshaped_input_size: [number, number];
  /** float32 [3, H, W] (or [1, 3, H, W] with `batched`), normalised, padded. */
  pixel_values: HfTensor;
}

/** The raw pixels the fast path reads: a transformers.js RawImage or anything shaped like one. */
export interface PixelSource {
  data: ArrayLike<number> & { length: number };
  width: number;
  height: number;
  channels: number;
}

type Processor = ImageProcessor & Record<string, any>;

const BASE = ImageProcessor.prototype as unknown as Record<string, unknown>;
/** transformers.js' numbering of PIL's resampling filters (utils/image.js RESAMPLING_MAPPING). */
const RESAMPLING: Record<string | number, string> = { 0: 'nearest', 1: 'lanczos', 2: 'bilinear', 3: 'bicubic', 4: 'box', 5: 'hamming' };
/** The original `preprocess` of processors `installFastPreprocess` routed through the fast path. */
const originals = new WeakMap<object, unknown>();

/**
 * Why `processor` cannot take the fast path (undefined when it can).
 * @example fastPathProblem(processor.image_processor) // undefined, or 'do_center_crop'
 */
export function fastPathProblem(processor: Processor): string | undefined {
  const own = (name: string) => (processor[name] === BASE[name] || (name === 'preprocess' && originals.get(processor) === BASE.preprocess) ? undefined : `${name} is overridden`);
  for (const name of ['preprocess', 'resize', 'rescale', 'pad_image']) {
    const problem = own(name);
    if (problem) return problem;
  }
  if (processor.do_crop_margin) return 'do_crop_margin';
  if (processor.do_thumbnail) return 'do_thumbnail';
  if (processor.do_center_crop) return 'do_center_crop';
  if (!processor.do_convert_rgb) return 'do_convert_rgb is off';
  if (processor.do_resize) {
    const method = RESAMPLING[processor.resample] ?? processor.resample;
    if (!['nearest', 'bilinear', 'bicubic', 'lanczos'].includes(method)) return `resample ${String(processor.resample)}`;
  }
  if (processor.do_normalize) {
    for (const v of [processor.image_mean, processor.image_std]) {
      const values = Array.isArray(v) ? v : [v];
      if ((Array.isArray(v) && v.length !== 3) || values.some((x) => typeof x !== 'number')) return 'image_mean / image_std are not 3 numbers';
    }
  }
  return undefined;
}

/** RGB bytes of an image (transformers.js' `rgb()`): grey replicated, alpha dropped; 3 channels as is. */
function rgbBytes(image: PixelSource): Uint8Array | Uint8ClampedArray {
  const { data, channels } = image;
  if (channels === 3) return data instanceof Uint8Array || data instanceof Uint8ClampedArray ? data : Uint8Array.from(data);
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  if (channels === 1) for (let i = 0; i < n; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[i]!;
  else if (channels === 4) for (let i = 0; i < n; i++) (out[i * 3] = data[i * 4]!), (out[i * 3 + 1] = data[i * 4 + 1]!), (out[i * 3 + 2] = data[i * 4 + 2]!);
  else throw new Error(`image pre-processing: expected 1, 3 or 4 channels, got ${channels}`);
  return out;
}

/**
 * `RawImage.resize` of transformers.js on Node, call for call: sharp's affine transform with the filter as
 * interpolator (nearest, bilinear, bicubic) or sharp's lanczos3 resize, then `.rotate().raw()` as its loader
 * does. Returns RGB bytes.
 */
async function resizeLikeTransformers(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number, toWidth: number, toHeight: number, method: string): Promise<Uint8Array | Uint8ClampedArray> {
  if (width === toWidth && height === toHeight) return rgb;
  let img = sharp(rgb, { raw: { width, height, channels: 3 } });
  img =
    method === 'lanczos'
      ? img.resize({ width: toWidth, height: toHeight, fit: 'fill', kernel: 'lanczos3' })
      : img.affine([toWidth / width, 0, 0, toHeight / height], { interpolator: method as 'bilinear' });
  const { data, info } = await img.rotate().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== toWidth || info.height !== toHeight) throw new Error(`internal: sharp resized to ${info.width}x${info.height}, expected ${toWidth}x${toHeight}`);
  return info.channels === 3 ? data : rgbBytes({ data, width: info.width, height: info.height, channels: info.channels });
}

/**
 * The f32 value each byte becomes in channel c, as transformers.js computes it: `rescale_factor * v`, then
 * `(v - mean[c]) / std[c]`, each rounded to f32.
 */
function valueTable(processor: Processor): Float32Array {
  const table = new Float32Array(3 * 256);
  const channel = (v: unknown, c: number) => (Array.isArray(v) ? v[c] : v) as number;
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      let x = v;
      if (processor.do_rescale) x = Math.fround(processor.rescale_factor * x);
      if (processor.do_normalize) x = Math.fround((x - channel(processor.image_mean, c)) / channel(processor.image_std, c));
      table[c * 256 + v] = x;
    }
  }
  return table;
}

const tables = new WeakMap<object, Float32Array>();

/** The padded size `pad_image` would produce for an image of `width` x `height`. */
function paddedSize(processor: Processor, width: number, height: number): [number, number] {
  if (!processor.do_pad) return [width, height];
  const pad = processor.pad_size;
  if (pad) {
    if (typeof pad === 'number') return [pad, pad];
    if (pad === 'square') return [Math.max(width, height), Math.max(width, height)];
    return [pad.width, pad.height];
  }
  const d = processor.size_divisibility;
  if (d) return [Math.ceil(width / d) * d, Math.ceil(height / d) * d];
  return [width, height];
}

/**
 * Pre-processes one image as `processor.preprocess(image)` does, bit for bit, or returns undefined when the
 * processor's configuration is one the fast path does not cover (see `fastPathProblem`). `batched` gives
 * `pixel_values` the leading batch dimension ([1, 3, H, W]), as `processor(image)` stacks a single image.
 * `lend`: `pixel_values` may be the resize kernel's own memory (no copy), which the caller must hand back
 * with `releasePixels` once the model has read it.
 * @example
 * const out = await fastPreprocess(processor.image_processor, hfImage, { batched: true });
 * // out.pixel_values: float32[1, 3, 800, 1028] for a 288x224 frame and GroundingDINO's processor
 */
export async function fastPreprocess(processor: Processor, image: PixelSource, options: { batched?: boolean; lend?: boolean } = {}): Promise<PreprocessedImage | undefined> {
  if (fastPathProblem(processor) !== undefined) return undefined;
  const { width, height } = image;
  let rgb = rgbBytes(image);
  let [w, h] = [width, height];
  let resized = false;
  if (processor.do_resize) {
    [w, h] = processor.get_resize_output_image_size(new HfImage(rgb as Uint8ClampedArray, width, height, 3), processor.size) as [number, number];
    const method = RESAMPLING[processor.resample] ?? processor.resample;
    // Bilinear (GroundingDINO, SAM, SAM2): libvips' resize reproduced in planes.ts, fused with the table.
    // Other filters: sharp's own resize, then the table.
    if (method === 'bilinear') resized = w !== width || h !== height;
    else rgb = await resizeLikeTransformers(rgb, width, height, w, h, method);
  }
  let table = tables.get(processor);
  if (!table) tables.set(processor, (table = valueTable(processor)));
  const [pw, ph] = paddedSize(processor, w, h);
  // RGB -> BGR happens after normalisation in transformers.js: output plane c is source channel 2 - c.
  const order: ChannelOrder = processor.do_flip_channel_order === true ? [2, 1, 0] : [0, 1, 2];
  const out = resized
    ? fillPlanes({ rgb, width, height, resize: true, toWidth: w, toHeight: h, paddedWidth: pw, paddedHeight: ph, table, order }, options.lend)
    : fillPlanes({ rgb, width: w, height: h, resize: false, toWidth: w, toHeight: h, paddedWidth: pw, paddedHeight: ph, table, order });
  return {
    original_size: [height, width],
    reshaped_input_size: [h, w],
    pixel_values: new HfTensor('float32', out, options.batched ? [1, 3, ph, pw] : [3, ph, pw]),
  };
}

/**
 * Routes `processor.preprocess` (the image processor of a transformers.js processor) through `fastPreprocess`
 * where it applies, so that every processor call (`processor(images, text)`, Idefics3's tiling, ...) gets
 * the fast path. Calls with per-call overrides, and configurations it does not cover, run the original.
 * Idempotent.
 * @example installFastPreprocess(loaded.processor.image_processor);
 */
export function installFastPreprocess(processor: Processor | undefined): void {
  if (!processor || typeof processor.preprocess !== 'function' || originals.has(processor)) return;
  const original = processor.preprocess as (image: HfImage, overrides?: Record<string, unknown>) => Promise<PreprocessedImage>;
  if (original !== BASE.preprocess) return;
  originals.set(processor, original);
  processor.preprocess = async (image: HfImage, overrides: Record<string, unknown> = {}) => {
    const plain = Object.values(overrides).every((v) => v === null || v === undefined);
    return (plain && (await fastPreprocess(processor, image))) || original.call(processor, image, overrides);
  };
}

/** Image processors whose `_call(image)` is `preprocess` + stacking (+ GroundingDINO's all-ones pixel_mask). */
const PLAIN_CALLS = new Set<unknown>([ImageProcessor.prototype, SamImageProcessor.prototype, GroundingDinoImageProcessor.prototype].map((p) => (p as unknown as Record<string, unknown>)._call));

/**
 * What `imageProcessor(image)` returns for one image (`pixel_values` [1, 3, H, W], `original_sizes`,
 * `reshaped_input_sizes`, and GroundingDINO's `pixel_mask`), through the fast path where it applies:
 * without the batch copy either. Other processors are called as they are. `lend` as in `fastPreprocess`.
 * @example const { pixel_values, original_sizes } = await imageInputs(processor.image_processor, hfImage);
 */
export async function imageInputs(imageProcessor: Processor, image: HfImage, options: { lend?: boolean } = {}): Promise<Record<string, any>> {
  const fast = PLAIN_CALLS.has(imageProcessor._call) ? await fastPreprocess(imageProcessor, image, { batched: true, lend: options.lend }) : undefined;
  if (!fast) return (imageProcessor as unknown as (image: HfImage) => Promise<Record<string, any>>)(image);
  const inputs: Record<string, any> = { pixel_values: fast.pixel_values, original_sizes: [fast.original_size], reshaped_input_sizes: [fast.reshaped_input_size] };
  if (imageProcessor._call === (GroundingDinoImageProcessor.prototype as unknown as Record<string, unknown>)._call) {
    const [, , h, w] = fast.pixel_values.dims as number[];
    inputs.pixel_mask = onesMask('int64', [1, h!, w!]);
  }
  return inputs;
}

/**
 * Box-prompted segmentation with SAM or SAM2 through transformers.js: boxes (frame pixels) -> one binary
 * mask per box at the frame's size. Pre-processing (resize, normalise, box rescaling) is the model's own
 * processor's (its image part through the bit-exact fast path of preprocess.ts); post-processing
 * (upscale, crop the padding, resize to the frame, threshold) is `post_process_masks`' computed only where
 * the frame needs it (mask-upscale.ts).
 */
import { SamImageProcessor, SamProcessor, RawImage as HfImage, Tensor as HfTensor } from '@huggingface/transformers';
import type { RawImage } from '../../engine/index.js';
import type { ScoredBox } from './boxes.js';
import { DEFAULT_MODELS, type ModelDtype } from './families.js';
import { toHfImage } from './image.js';
import { frameOnDevice, onDevice } from './device.js';
import { checkFeeds, loadModel, type HfProcessor, type LoadedModel } from './load.js';
import { upscaleMasks } from './mask-upscale.js';
import { imageInputs } from './preprocess.js';
import { releasePixels } from './plane-pool.js';

/** A box as corners `[x0, y0, x1, y1]` in frame pixels, or a detection carrying one. */
export type BoxPrompt = readonly [number, number, number, number] | readonly number[] | ScoredBox;

/** Options of `segmentBoxes`. */
export interface SegmentOptions {
  /** Hub id or local folder of a SAM or SAM2 model. Default onnx-community/sam2.1-hiera-tiny-ONNX. */
  model?: string;
  /** Logit above which a pixel is in the mask. Default 0. */
  maskThreshold?: number;
  device?: string;
  dtype?: ModelDtype;
  cacheDir?: string;
  allowRemote?: boolean;
  log?: { info(message: string): void; warn(message: string): void };
  /** The frame's image inputs, started earlier with `prepareSegmentImage` (same image and model). */
  prepared?: Promise<PreparedImage>;
}

/** A frame's image inputs for a segmenter, computed ahead (`prepareSegmentImage`). */
export interface PreparedImage {
  model: string;
  image: RawImage;
  inputs: Record<string, any> | undefined;
}

/** Masks for boxes: one per box (0/255, the frame's size) with the model's IoU estimate, and their union. */
export interface SegmentResult {
  masks: RawImage[];
  scores: number[];
  union: RawImage;
  /** Each mask's set pixels. */
  areas: number[];
}

/**
 * Checks and normalises box prompts against the frame: four finite numbers, x0 < x1 and y0 < y1 after
 * clamping to the frame. The error names the box by index.
 * @example boxCorners([[10, 10, 50, 40]], 64, 48) // [[10, 10, 50, 40]]
 */
export function boxCorners(boxes: readonly BoxPrompt[], width: number, height: number): [number, number, number, number][] {
  return boxes.map((b, i) => {
    const c = Array.isArray(b) ? b : (b as ScoredBox).box;
    if (!Array.isArray(c) || c.length !== 4 || c.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new Error(`box ${i}: expected [x0, y0, x1, y1] (four numbers, frame pixels), got ${JSON.stringify(b)}`);
    }
    const [x0, y0, x1, y1] = [Math.max(0, c[0]!), Math.max(0, c[1]!), Math.min(width, c[2]!), Math.min(height, c[3]!)];
    if (!(x1 > x0 && y1 > y0)) throw new Error(`box ${i}: [${c.join(', ')}] is empty inside the ${width}x${height} frame`);
    return [x0, y0, x1, y1];
  });
}

/**
 * The union of binary masks of one size (an empty mask of `width` x `height` when there are none).
 * @example unionMasks([a, b], 64, 48).data // 255 where a or b is set
 */
export function unionMasks(masks: readonly RawImage[], width: number, height: number): RawImage {
  const data = new Uint8Array(width * height);
  for (const m of masks) for (let i = 0; i < data.length; i++) if (m.data[i]) data[i] = 255;
  return { width, height, channels: 1, data };
}

/**
 * What `processor(image, prompts)` gives for a SAM / SAM2 processor, with the image through
 * `imageInputs` (the fast path, no batch copy) where the processor is transformers.js' own.
 * @example const inputs = await promptInputs(loaded.processor, hfImage, { input_boxes: [[[12, 8, 36, 32]]] });
 */
export async function promptInputs(
  processor: HfProcessor,
  image: HfImage,
  prompts: { input_boxes?: number[][][]; input_points?: number[][][]; input_labels?: number[][] },
  prepared?: Record<string, any>,
): Promise<Record<string, any>> {
  const ip = processor.image_processor;
  if (!ownCall(processor)) return processor(image, prompts);
  const inputs = { ...(prepared ?? (await imageInputs(ip, image))) };
  if (prompts.input_points) {
    inputs.input_points = ip.reshape_input_points(prompts.input_points, inputs.original_sizes, inputs.reshaped_input_sizes);
    if (prompts.input_labels) inputs.input_labels = ip.add_input_labels(prompts.input_labels, inputs.input_points);
  }
  if (prompts.input_boxes) inputs.input_boxes = ip.reshape_input_points(prompts.input_boxes, inputs.original_sizes, inputs.reshaped_input_sizes, true);
  return inputs;
}

/** Whether the processor's call is transformers.js' SAM / SAM2 one (image inputs, then the prompts rescaled). */
function ownCall(processor: HfProcessor): boolean {
  return processor._call === SamProcessor.prototype._call && processor.image_processor?._call === SamImageProcessor.prototype._call;
}

/**
 * Starts a frame's image work for segmentation (resize, normalise: the bulk of SAM's pre-processing,
 * which needs no boxes) so that it runs while something else does, e.g. the detector finding the boxes.
 * Pass the promise to `segmentBoxes` as `prepared`. Never rejects: a failure shows up in `segmentBoxes`.
 * @example const prepared = prepareSegmentImage(frame, { model }); const boxes = await detectPhrases(frame, 'cup'); await segmentBoxes(frame, boxes, { model, prepared });
 */
export function prepareSegmentImage(image: RawImage, options: SegmentOptions = {}): Promise<PreparedImage> {
  const model = options.model ?? DEFAULT_MODELS.segment;
  return (async () => {
    const { processor } = await loadModel(model, { ...options, task: 'segment' });
    // Lent pixels: segmentBoxes hands them back.
    return { model, image, inputs: ownCall(processor) ? await imageInputs(processor.image_processor, toHfImage(image, 'segmentBoxes image').rgb(), { lend: true }) : undefined };
  })().catch(() => ({ model, image, inputs: undefined }));
}

/** The padded size `post_process_masks` upscales to: its `pad_size` option's default, `pad_size ?? size`. */
function paddedSize(processor: HfProcessor): [number, number] | undefined {
  const pad = processor.image_processor?.pad_size ?? processor.image_processor?.size;
  return Number.isInteger(pad?.height) && Number.isInteger(pad?.width) ? [pad.height, pad.width] : undefined;
}

/**
 * Segments each box: the best of the model's multimask outputs per box, resized to the frame.
 * @example
 * const { masks, union } = await segmentBoxes(frame, [[12, 8, 36, 32]], { model: '/models/tiny-sam2' });
 * // masks[0].width === frame.width; masks[0].data holds 0 or 255
 */
export async function segmentBoxes(image: RawImage, boxes: readonly BoxPrompt[], options: SegmentOptions = {}): Promise<SegmentResult> {
  const hfImage = toHfImage(image, 'segmentBoxes image').rgb();
  const corners = boxCorners(boxes, image.width, image.height);
  if (corners.length === 0) {
    if (options.prepared) releasePixels((await options.prepared).inputs?.pixel_values?.data);
    return { masks: [], scores: [], union: unionMasks([], image.width, image.height), areas: [] };
  }
  const loaded = await loadModel(options.model ?? DEFAULT_MODELS.segment, { ...options, task: 'segment' });
  return frameOnDevice(loaded.device, () => segmentLoaded(loaded, image, hfImage, corners, options));
}

/** segmentBoxes' model work, its boxes checked and the model loaded (on cpu, holding the CPU lock). */
async function segmentLoaded(loaded: LoadedModel, image: RawImage, hfImage: HfImage, corners: [number, number, number, number][], options: SegmentOptions): Promise<SegmentResult> {
  const { model, processor, family, resolved, device } = loaded;
  const decoder = model.sessions.prompt_encoder_mask_decoder!;
  const ahead = options.prepared ? await options.prepared : undefined;
  const matches = ahead?.image === image && ahead.model === (options.model ?? DEFAULT_MODELS.segment);
  if (!matches) releasePixels(ahead?.inputs?.pixel_values?.data);
  // Lent pixels (the resize kernel's memory), handed back once the encoder has read them.
  const own = (matches && ahead.inputs) || (ownCall(processor) ? await imageInputs(processor.image_processor, hfImage, { lend: true }) : undefined);
  let inputs: Record<string, any> | undefined;
  let out: Record<string, any>;
  try {
    if (family === 'sam2' || decoder.inputNames.includes('input_boxes')) {
      inputs = await promptInputs(processor, hfImage, { input_boxes: [corners] }, own);
      // SamModel (v1) reads input_labels before it looks at boxes; boxes-only decoders ignore them.
      if (family === 'sam' && !inputs.input_points) inputs.input_labels = inputs.input_boxes;
    } else {
      // Exports whose decoder has no box input take a box as its two corners, labelled 2 and 3 (SAM's convention).
      inputs = await promptInputs(processor, hfImage, { input_points: corners.map(([x0, y0, x1, y1]) => [[x0, y0], [x1, y1]]), input_labels: corners.map(() => [2, 3]) }, own);
    }
    checkFeeds(resolved.name, 'vision_encoder', model.sessions.model!, inputs); // transformers.js names the encoder session 'model'
    const feeds = inputs;
    out = await onDevice(device, () => model(feeds));
  } finally {
    releasePixels(own?.pixel_values?.data);
  }
  // pred_masks: float32[1,N,K,h,w] low-resolution logits. Only each box's best output (highest IoU estimate)
  // is upscaled: the processor resizes every output on its own, so the chosen masks are the same.
  const [, n, k, lh, lw] = out.pred_masks.dims as [number, number, number, number, number];
  const iou = out.iou_scores.data as Float32Array;
  const logits = out.pred_masks.data as Float32Array;
  const chosen: Float32Array[] = [];
  const scores: number[] = [];
  for (let b = 0; b < n; b++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (iou[b * k + j]! > iou[b * k + best]!) best = j;
    chosen.push(logits.subarray((b * k + best) * lh * lw, (b * k + best + 1) * lh * lw));
    scores.push(iou[b * k + best]!);
  }
  const threshold = options.maskThreshold ?? 0;
  const padded = paddedSize(processor);
  if (padded) {
    const { masks, union, areas } = upscaleMasks(chosen, { low: [lh, lw], padded, reshaped: inputs.reshaped_input_sizes[0], original: inputs.original_sizes[0] }, threshold);
    return { masks, scores, union, areas };
  }
  // A processor without a fixed padded size: its own post-processing.
  const stacked = new Float32Array(n * lh * lw);
  chosen.forEach((m, b) => stacked.set(m, b * lh * lw));
  const [masks] = (await processor.post_process_masks(new HfTensor('float32', stacked, [1, n, 1, lh, lw]), inputs.original_sizes, inputs.reshaped_input_sizes, {
    mask_threshold: threshold,
  })) as { dims: number[]; data: Uint8Array }[];
  const [, , h, w] = masks!.dims as [number, number, number, number];
  const result: RawImage[] = [];
  for (let b = 0; b < n; b++) {
    const src = masks!.data.subarray(b * h * w, (b + 1) * h * w);
    const data = new Uint8Array(h * w);
    for (let i = 0; i < data.length; i++) if (src[i]) data[i] = 255;
    result.push({ width: w, height: h, channels: 1, data });
  }
  const areas = result.map((m) => m.data.reduce((n, v) => n + (v ? 1 : 0), 0));
  return { masks: result, scores, union: unionMasks(result, image.width, image.height), areas };
}

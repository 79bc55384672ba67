/**
 * Phrase grounding with GroundingDINO through transformers.js: phrases -> scored pixel boxes. The text is
 * GroundingDINO's ("red cup. person."), the image goes through the model's own processor, and the raw
 * logits and boxes are decoded here (boxes.ts) so each box carries the phrase it answers.
 */
import type { RawImage } from '../../engine/index.js';
import { decodeGroundingOutputs, parsePhrases, type ScoredBox } from './boxes.js';
import { DEFAULT_MODELS, type ModelDtype } from './families.js';
import { GroundingDinoProcessor, RawImage as HfImage } from '@huggingface/transformers';
import { toHfImage } from './image.js';
import { imageInputs } from './preprocess.js';
import { releasePixels } from './plane-pool.js';
import { frameOnDevice, onDevice } from './device.js';
import { checkFeeds, loadModel, type HfProcessor, type LoadedModel } from './load.js';

/** Options of `detectPhrases`. */
export interface DetectOptions {
  /** Hub id or local folder of a GroundingDINO model. Default onnx-community/grounding-dino-tiny-ONNX. */
  model?: string;
  /** Keep a box when its best token probability exceeds this. Default 0.35 (GroundingDINO's demo value). */
  boxThreshold?: number;
  /** Label a box with a phrase when that phrase's best token probability exceeds this. Default 0.25. */
  textThreshold?: number;
  /** Non-maximum suppression overlap per phrase. Default 0.5. */
  iouThreshold?: number;
  device?: string;
  dtype?: ModelDtype;
  cacheDir?: string;
  allowRemote?: boolean;
  log?: { info(message: string): void; warn(message: string): void };
}

/**
 * GroundingDINO's text for phrases and where each phrase's tokens sit in it.
 * @example groundingText(tokenizer, ['red cup', 'person']) // { text: 'red cup. person.', spans: [[1, 2], [4]] }
 */
export function groundingText(tokenizer: { encode(text: string, options?: Record<string, unknown>): number[] }, phrases: readonly string[]): { text: string; spans: number[][] } {
  const spans: number[][] = [];
  let at = 1; // after [CLS]
  for (const p of phrases) {
    const n = tokenizer.encode(p.toLowerCase(), { add_special_tokens: false }).length;
    if (n === 0) throw new Error(`phrase "${p}" has no tokens for this model's tokenizer`);
    spans.push(Array.from({ length: n }, (_, i) => at + i));
    at += n + 1; // the phrase's tokens, then "."
  }
  return { text: phrases.map((p) => `${p.toLowerCase()}.`).join(' '), spans };
}

/**
 * Finds each phrase in an image: boxes in the image's pixels, best first, at most one per object and
 * phrase after non-maximum suppression.
 * @example
 * const boxes = await detectPhrases(frame, ['red square', 'blue circle'], { model: '/models/tiny-gdino', boxThreshold: 0.35 });
 * // [{ phrase: 'red square', score: 0.99, box: [8, 16, 24, 32] }]
 */
export async function detectPhrases(image: RawImage, phrases: string | readonly string[], options: DetectOptions = {}): Promise<ScoredBox[]> {
  const list = parsePhrases(phrases);
  if (list.length === 0) return [];
  const hfImage = toHfImage(image, 'detectPhrases image');
  const loaded = await loadModel(options.model ?? DEFAULT_MODELS.ground, { ...options, task: 'ground' });
  return detectWith(loaded, hfImage, image, list, options);
}

/**
 * What `processor(image, text)` gives for a GroundingDINO processor (tokens, `pixel_values`,
 * `pixel_mask`, sizes), with the image through `imageInputs` (bit-exact fast path, no batch copy) where
 * the processor is transformers.js' own.
 * @example const inputs = await groundingInputs(loaded.processor, hfImage, 'red cup. person.');
 */
export async function groundingInputs(processor: HfProcessor, image: HfImage, text: string, options: { lend?: boolean } = {}): Promise<Record<string, any>> {
  if (processor._call !== GroundingDinoProcessor.prototype._call) return processor(image, text);
  return { ...processor.tokenizer(text, {}), ...(await imageInputs(processor.image_processor, image, options)) };
}

function detectWith(loaded: LoadedModel, hfImage: ReturnType<typeof toHfImage>, image: RawImage, phrases: string[], options: DetectOptions): Promise<ScoredBox[]> {
  return frameOnDevice(loaded.device, () => detectHolding(loaded, hfImage, image, phrases, options));
}

async function detectHolding(loaded: LoadedModel, hfImage: ReturnType<typeof toHfImage>, image: RawImage, phrases: string[], options: DetectOptions): Promise<ScoredBox[]> {
  const { model, processor, resolved } = loaded;
  const maxText = Number(model.config.max_text_len ?? 256);
  const { text, spans } = groundingText(processor.tokenizer, phrases);
  const inputs = await groundingInputs(processor, hfImage.rgb(), text, { lend: true });
  let out: Record<string, any>;
  try {
    const length = inputs.input_ids.dims[1] as number;
    if (length > maxText) throw new Error(`phrases too long for ${resolved.name}: ${length} tokens, the model reads at most ${maxText}; ground fewer phrases per call`);
    const expected = Number(inputs.input_ids.data[spans.at(-1)!.at(-1)! + 1]);
    const dot = processor.tokenizer.encode('.', { add_special_tokens: false })[0];
    if (expected !== dot) throw new Error(`internal: phrase token positions do not line up with the tokenized text "${text}"`);
    checkFeeds(resolved.name, 'model', model.sessions.model!, inputs);
    out = await onDevice(loaded.device, () => model(inputs));
  } finally {
    releasePixels(inputs.pixel_values?.data); // lent, and read by the model: the next frame's
  }
  const [, queries, slots] = out.logits.dims as number[];
  return decodeGroundingOutputs(out.logits.data, out.pred_boxes.data, queries!, slots!, spans, phrases, image.width, image.height, {
    boxThreshold: options.boxThreshold ?? 0.35,
    textThreshold: options.textThreshold ?? 0.25,
    iouThreshold: options.iouThreshold ?? 0.5,
  });
}

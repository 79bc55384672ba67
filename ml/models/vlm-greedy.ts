/**
 * Greedy decoding for SmolVLM / Idefics3 exports (vision_encoder, embed_tokens, decoder_model_merged) with
 * exactly the ONNX calls transformers.js' `generate` makes and the same tokens, without its per-token
 * bookkeeping: generate() copies the last logits row, rebuilds the attention mask and the position ids
 * from scratch in BigInts, wraps every input and output, and runs the logits-processor and
 * stopping-criteria machinery each token; here a token costs an argmax over the logits ORT returned and
 * three small tensors. Used only where it gives the same answer: cpu tensors, greedy search, no logits
 * processor in the model's generation config (checked with transformers.js' own
 * `_get_logits_processor`), float32 logits, a prompt without padding. Anything else goes to `generate`.
 */
import { Tensor as HfTensor } from '@huggingface/transformers';
import type { HfModel } from './load.js';
import { releasePixels } from './plane-pool.js';

type OrtTensor = { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> & { length: number } };
type OrtSession = {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly { name: string; type?: string; shape?: readonly (number | string)[]; isTensor?: boolean }[];
  readonly outputMetadata?: readonly { name: string; type?: string }[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
};
type Model = HfModel & Record<string, any>;

const SESSIONS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const;
const DECODER_INPUTS = new Set(['inputs_embeds', 'attention_mask', 'position_ids', 'use_cache_branch', 'num_logits_to_keep']);

const ort = (type: string, data: ArrayLike<unknown>, dims: number[]) => (new HfTensor(type as 'int64', data as BigInt64Array, dims) as unknown as { ort_tensor: unknown }).ort_tensor;

/**
 * Why greedy decoding of `model` on `device` must go through transformers.js' `generate` (undefined when
 * `greedyGenerate` gives the same tokens).
 * @example greedyProblem(loaded.model, 'cpu') // undefined for SmolVLM on cpu
 */
export function greedyProblem(model: Model, device: string): string | undefined {
  if (device !== 'cpu') return `device ${device}`;
  const sessions = model.sessions as unknown as Record<string, OrtSession>;
  const missing = SESSIONS.filter((s) => !sessions[s]);
  if (missing.length) return `no ${missing.join(', ')} session`;
  if (Object.keys(sessions).length !== SESSIONS.length) return `sessions ${Object.keys(sessions).join(', ')}`;
  if (!(model.config?.image_token_id ?? model.config?.image_token_index)) return 'no image_token_id in the config';
  const decoder = sessions.decoder_model_merged!;
  const other = decoder.inputNames.filter((n) => !DECODER_INPUTS.has(n) && !n.startsWith('past_key_values.'));
  if (other.length) return `decoder inputs ${other.join(', ')}`;
  if (!decoder.inputNames.includes('inputs_embeds') || !decoder.outputNames.includes('logits')) return 'the decoder does not read inputs_embeds or give logits';
  const logits = decoder.outputMetadata?.find((m) => m.name === 'logits');
  if (logits?.type !== 'float32') return `logits of type ${logits?.type ?? 'unknown'}`;
  for (const name of decoder.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
    if (!decoder.outputNames.includes(name.replace('past_key_values', 'present'))) return `no present output for ${name}`;
  }
  if (sessions.embed_tokens!.inputNames.join() !== 'input_ids') return `embed_tokens inputs ${sessions.embed_tokens!.inputNames.join(', ')}`;
  return undefined;
}

/** The generation config transformers.js would use, and why it needs generate() (undefined when greedy applies). */
function generationConfig(model: Model, maxNewTokens: number, promptLength: number): { eos: number[]; maxLength: number } | string {
  const config = model._prepare_generation_config(null, { do_sample: false, max_new_tokens: maxNewTokens });
  if (config.do_sample || (config.num_beams ?? 1) > 1 || (config.num_return_sequences ?? 1) > 1) return 'not a greedy search';
  const processors = model._get_logits_processor(config, promptLength, null);
  if (processors.processors.length > 0) return `logits processors ${processors.processors.map((p: object) => p.constructor.name).join(', ')}`;
  const eos = config.eos_token_id === null || config.eos_token_id === undefined ? [] : [config.eos_token_id].flat().map(Number);
  return { eos, maxLength: promptLength + maxNewTokens };
}

/** Index of the largest of `n` values from `offset` (the first on ties, as transformers.js' `max`). */
function argmax(data: Float32Array, offset: number, n: number): number {
  let best = data[offset]!;
  let at = 0;
  for (let i = 1; i < n; i++) {
    const v = data[offset + i]!;
    if (v > best) (best = v), (at = i);
  }
  return at;
}

/**
 * Greedy search over processor inputs (`input_ids`, `attention_mask`, optional `pixel_values` and
 * `pixel_attention_mask`): the generated token ids, the stopping token included (what `generate` appends
 * after the prompt). Returns undefined, having run nothing, when `greedyProblem` or the generation config
 * say transformers.js' `generate` must do it.
 * @example const ids = await greedyGenerate(model, inputs, { maxNewTokens: 256 }); processor.batch_decode([ids], { skip_special_tokens: true })
 */
export async function greedyGenerate(
  model: Model,
  inputs: Record<string, any>,
  options: { maxNewTokens: number; device: string; stopped?: () => boolean },
): Promise<number[] | undefined> {
  if (greedyProblem(model, options.device) !== undefined) return undefined;
  const ids = inputs.input_ids as { dims: number[]; data: BigInt64Array };
  const mask = inputs.attention_mask as { dims: number[]; data: BigInt64Array } | undefined;
  if (ids?.dims.length !== 2 || ids.dims[0] !== 1) return undefined;
  if (mask && (mask.dims[1] !== ids.dims[1] || mask.data.some((v) => v !== 1n))) return undefined; // padding: generate() handles it
  const length = ids.dims[1]!;
  const config = generationConfig(model, options.maxNewTokens, length);
  if (typeof config === 'string') return undefined;

  const sessions = model.sessions as unknown as Record<(typeof SESSIONS)[number], OrtSession>;
  const decoder = sessions.decoder_model_merged;
  // The prompt: token embeddings with each image token's row replaced by the next image feature.
  const embedded = (await sessions.embed_tokens.run({ input_ids: (ids as unknown as { ort_tensor: unknown }).ort_tensor })).inputs_embeds!;
  const hidden = embedded.dims.at(-1)!;
  if (inputs.pixel_values && length !== 1) {
    const vision = sessions.vision_encoder;
    const feeds: Record<string, unknown> = {};
    for (const name of vision.inputNames) {
      if (!inputs[name]) throw new Error(`internal: the vision encoder reads "${name}", which the processor did not give`);
      feeds[name] = inputs[name].ort_tensor;
    }
    const features = (await vision.run(feeds)).image_features!;
    releasePixels(inputs.pixel_values.data); // read by the encoder (and nothing else from here on): reused for the next call
    if (features.dims.at(-1) !== hidden) throw new Error(`image features are ${features.dims.at(-1)} wide, token embeddings ${hidden}`);
    const imageToken = BigInt(model.config.image_token_index ?? model.config.image_token_id);
    const target = embedded.data as Float32Array;
    const source = features.data as Float32Array;
    let row = 0;
    for (let t = 0; t < length; t++) {
      if (ids.data[t] !== imageToken) continue;
      if ((row + 1) * hidden > source.length) throw new Error(`more image tokens in the prompt than image features (${source.length / hidden})`);
      target.set(source.subarray(row * hidden, (row + 1) * hidden), t * hidden);
      row++;
    }
    if (row * hidden !== source.length) throw new Error(`Number of tokens and features do not match: tokens: ${row}, features ${source.length / hidden}`);
  }

  // Empty caches for the first step, as transformers.js' addPastKeyValues makes them.
  let past: Record<string, unknown> = {};
  for (const meta of decoder.inputMetadata ?? []) {
    if (!meta.name.startsWith('past_key_values.')) continue;
    const shape = (meta.shape ?? []).map((d) => (typeof d === 'number' ? d : d === 'batch_size' ? 1 : 0));
    past[meta.name] = ort(meta.type ?? 'float32', meta.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), shape);
  }
  const uses = new Set(decoder.inputNames);
  // Each cache input and the output that feeds it on the next step.
  const carried = decoder.inputNames.filter((n) => n.startsWith('past_key_values.')).map((n) => [n, n.replace('past_key_values', 'present')] as const);
  const ones = new BigInt64Array(config.maxLength).fill(1n);
  const generated: number[] = [];
  let embeds: unknown = embedded;
  let position = 0;
  for (let step = 0; ; step++) {
    const n = step === 0 ? length : 1;
    const total = length + step;
    const feeds: Record<string, unknown> = { inputs_embeds: embeds, ...past };
    if (uses.has('attention_mask')) feeds.attention_mask = ort('int64', ones.subarray(0, total).slice(), [1, total]);
    if (uses.has('position_ids')) {
      const positions = new BigInt64Array(n);
      for (let i = 0; i < n; i++) positions[i] = BigInt(position + i);
      feeds.position_ids = ort('int64', positions, [1, n]);
    }
    if (uses.has('use_cache_branch')) feeds.use_cache_branch = ort('bool', [step > 0], [1]);
    if (uses.has('num_logits_to_keep')) feeds.num_logits_to_keep = ort('int64', [1n], []);
    const out = await decoder.run(feeds);
    position += n;
    const logits = out.logits!;
    const vocab = logits.dims.at(-1)!;
    const token = argmax(logits.data as Float32Array, logits.data.length - vocab, vocab);
    generated.push(token);
    if (config.eos.includes(token) || length + generated.length >= config.maxLength || options.stopped?.()) return generated;
    past = {};
    for (const [input, output] of carried) past[input] = out[output];
    embeds = (await sessions.embed_tokens.run({ input_ids: ort('int64', [BigInt(token)], [1, 1]) })).inputs_embeds;
  }
}

/**
 * Text encoders for the DiT: a T5-family encoder through transformers.js (its tokenizer and its
 * `encoder_model` session, as in the Xenova / onnx-community T5 exports), or the DiT's own embedding table
 * (a transformers.js tokenizer and an `embed_tokens` ONNX lookup run by ml/runtime). Every text is padded
 * or truncated to a fixed number of tokens (150 per turn in VINCIE) and comes back with its mask.
 */
import { AutoTokenizer, LogLevel, T5PreTrainedModel, Tensor, env } from '@huggingface/transformers';
import { modelDevice, onDevice } from '../models/index.js';
import { createSession, ort, type CheckedSession, type RuntimeLog } from '../runtime/index.js';
import { resolveTextEncoder, type ResolvedTextEncoder } from './resolve.js';
import type { TextEncoderFamily } from './families.js';
import type { TextEmbedding } from './embedding-value.js';

/** Tokens per turn text in VINCIE. */
export const TEXT_TOKENS_PER_TURN = 150;

/** Options of `loadTextEncoder`. */
export interface LoadTextEncoderOptions {
  device?: string;
  cacheDir?: string;
  allowRemote?: boolean;
  log?: RuntimeLog & { info(message: string): void };
}

/** Options of one `encode` call. */
export interface EncodeTextOptions {
  /** Tokens per text after padding or truncation. Default TEXT_TOKENS_PER_TURN (150). */
  maxTokens?: number;
}

/** A loaded text encoder. */
export interface TextEncoder {
  readonly resolved: ResolvedTextEncoder;
  readonly family: TextEncoderFamily;
  readonly device: string;
  /** Width of each token's embedding. */
  readonly dim: number;
  /** Encodes texts in one batch, each padded or truncated to `maxTokens`. */
  encode(texts: readonly string[], options?: EncodeTextOptions): Promise<TextEmbedding[]>;
  /** Releases its sessions; a later loadTextEncoder opens it again. */
  release(): Promise<void>;
}

/** The tokenizer as Cinegraph calls it. */
interface Tokenizer {
  (texts: string[], options: Record<string, unknown>): { input_ids: HfTensor; attention_mask: HfTensor };
}
interface HfTensor {
  readonly data: ArrayLike<number | bigint>;
  readonly dims: readonly number[];
}
interface HfEncoder {
  readonly config: Record<string, unknown>;
  (inputs: Record<string, unknown>): Promise<Record<string, HfTensor>>;
  dispose(): Promise<unknown>;
}

/** T5's encoder alone: transformers.js has the seq2seq classes only, so this loads just `encoder_model`. */
class T5EncoderModel extends T5PreTrainedModel {}

/** Points transformers.js at the cache (as ml/models/load.ts does). */
function configureEnv(resolved: ResolvedTextEncoder): void {
  env.allowLocalModels = true;
  env.localModelPath = resolved.cacheDir + '/';
  env.cacheDir = resolved.cacheDir;
  env.useFSCache = true;
  env.allowRemoteModels = resolved.source === 'hub';
}

async function loadT5(resolved: ResolvedTextEncoder, device: string): Promise<HfEncoder> {
  // An encoder class unknown to transformers.js' registry logs "assuming encoder-only architecture", which
  // is what we want; keep that line out of users' logs.
  const level = env.logLevel;
  env.logLevel = LogLevel.ERROR;
  try {
    return (await T5EncoderModel.from_pretrained(resolved.location, { device: device as 'cpu', dtype: 'fp32', model_file_name: 'encoder_model' })) as unknown as HfEncoder;
  } finally {
    env.logLevel = level;
  }
}

function tokenize(tokenizer: Tokenizer, texts: readonly string[], maxTokens: number): { ids: BigInt64Array; mask: BigInt64Array } {
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new Error(`text encoder: maxTokens must be a positive integer, got ${maxTokens}`);
  const { input_ids, attention_mask } = tokenizer([...texts], { padding: 'max_length', max_length: maxTokens, truncation: true });
  const toBig = (t: HfTensor) => (t.data instanceof BigInt64Array ? t.data : BigInt64Array.from(t.data as ArrayLike<number>, (v) => BigInt(v)));
  return { ids: toBig(input_ids), mask: toBig(attention_mask) };
}

function split(texts: readonly string[], hidden: Float32Array, ids: BigInt64Array, mask: BigInt64Array, L: number, D: number): TextEmbedding[] {
  return texts.map((text, b) => ({
    data: hidden.slice(b * L * D, (b + 1) * L * D),
    tokens: L,
    dim: D,
    mask: Uint8Array.from(mask.subarray(b * L, (b + 1) * L), (v) => Number(v)),
    ids: Int32Array.from(ids.subarray(b * L, (b + 1) * L), (v) => Number(v)),
    text,
  }));
}

const loaded = new Map<string, Promise<TextEncoder>>();

/**
 * Loads a text encoder (once per name, device and cache; later calls share it). A device other than cpu
 * that fails to load falls back to cpu with one log line.
 * @example
 * const enc = await loadTextEncoder('/tmp/tiny-t5');
 * const [e] = await enc.encode(['Based on <IMG0>, make the cup red. Output <IMG1>: ']); // e.tokens === 150
 */
export function loadTextEncoder(name: string, options: LoadTextEncoderOptions = {}): Promise<TextEncoder> {
  const device = modelDevice(options.device);
  const key = JSON.stringify([name, device, options.cacheDir ?? '']);
  let entry = loaded.get(key);
  if (!entry) {
    entry = (async () => {
      const resolved = await resolveTextEncoder(name, options);
      let encoder: TextEncoder;
      try {
        encoder = await load(resolved, device);
      } catch (e) {
        if (device === 'cpu') throw new Error(`text encoder ${resolved.name} (${resolved.location}) could not be loaded: ${(e as Error).message}`);
        options.log?.warn(`text encoder ${resolved.name}: device ${device} could not be used (${(e as Error).message.split('\n')[0]}); falling back to cpu`);
        encoder = await load(resolved, 'cpu');
      }
      // Releasing the shared encoder forgets it, so a later load opens it again.
      return { ...encoder, release: () => (loaded.delete(key), encoder.release()) };
    })();
    loaded.set(key, entry);
    entry.catch(() => loaded.delete(key));
  }
  return entry;
}

async function load(resolved: ResolvedTextEncoder, device: string): Promise<TextEncoder> {
  configureEnv(resolved);
  const tokenizer = (await AutoTokenizer.from_pretrained(resolved.location)) as unknown as Tokenizer;
  if (resolved.family === 't5') {
    const model = await loadT5(resolved, device);
    const dim = Number(model.config.d_model ?? 0);
    return {
      resolved,
      family: 't5',
      device,
      dim,
      async encode(texts, opts = {}) {
        const L = opts.maxTokens ?? TEXT_TOKENS_PER_TURN;
        const { ids, mask } = tokenize(tokenizer, texts, L);
        const out = await onDevice(device, () =>
          model({ input_ids: new Tensor('int64', ids, [texts.length, L]), attention_mask: new Tensor('int64', mask, [texts.length, L]) }),
        );
        const hidden = out.last_hidden_state;
        if (!hidden) throw new Error(`text encoder ${resolved.name}: encoder_model has no output last_hidden_state`);
        return split(texts, hidden.data as Float32Array, ids, mask, L, hidden.dims[2]!);
      },
      release: async () => void (await model.dispose()),
    };
  }
  const session: CheckedSession = await createSession(`${resolved.location}/onnx/embed_tokens.onnx`, { device });
  const dim = Number((resolved.config ?? {}).hidden_size ?? 0);
  return {
    resolved,
    family: 'embedding',
    device: session.device,
    dim,
    async encode(texts, opts = {}) {
      const L = opts.maxTokens ?? TEXT_TOKENS_PER_TURN;
      const { ids, mask } = tokenize(tokenizer, texts, L);
      const out = (await session.run({ input_ids: new ort.Tensor('int64', ids, [texts.length, L]) })).inputs_embeds;
      if (!out) throw new Error(`text encoder ${resolved.name}: embed_tokens has no output inputs_embeds`);
      return split(texts, out.data as Float32Array, ids, mask, L, out.dims[2]!);
    },
    release: () => session.release(),
  };
}

/**
 * Releases every loaded text encoder (tests, servers switching models).
 * @example await releaseTextEncoders();
 */
export async function releaseTextEncoders(): Promise<void> {
  const entries = [...loaded.values()];
  loaded.clear();
  await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.release()));
}

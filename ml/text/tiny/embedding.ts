/**
 * A tiny text-embedding table: the DiT's own text side for tiny models, a tokenizer plus an embedding
 * lookup of a chosen width. The folder holds config.json (model_type "cinegraph-text-embedding",
 * vocab_size, hidden_size), the tokenizer files, and onnx/embed_tokens.onnx with SmolVLM's embed_tokens
 * interface (input_ids int64[batch_size, sequence_length] -> inputs_embeds float32[batch_size, sequence_length, hidden_size]).
 */
import path from 'node:path';
import { GraphBuilder } from '../../onnx/index.js';
import { writeJsonFiles } from '../../models/tiny/common.js';
import { seededRandom } from '../../models/tiny/random.js';
import { t5Tokenizer } from './unigram.js';
import { TINY_TEXT_WORDS } from './words.js';

/** The model_type of an embedding-table folder. */
export const TEXT_EMBEDDING_MODEL_TYPE = 'cinegraph-text-embedding';

/** Options of `writeTinyTextEmbedding`. */
export interface TinyTextEmbeddingOptions {
  /** Embedding width (the DiT's text width). Default 32. */
  dim?: number;
  words?: readonly string[];
  /** Weight seed. Default 11. */
  seed?: number;
  /** Embedding weights [vocab, dim] to use instead of seeded ones (e.g. a trained DiT's table). */
  weights?: Float32Array;
}

/**
 * Writes a tiny embedding-table text encoder folder.
 * @example await writeTinyTextEmbedding('/tmp/tiny-embed', { dim: 64 });
 */
export async function writeTinyTextEmbedding(folder: string, options: TinyTextEmbeddingOptions = {}): Promise<string> {
  const D = options.dim ?? 32;
  if (!Number.isInteger(D) || D < 1) throw new Error(`text embedding: dim must be a positive integer, got ${D}`);
  const tok = t5Tokenizer(options.words ?? TINY_TEXT_WORDS);
  const V = tok.vocab.size;
  const table = options.weights ?? seededRandom(options.seed ?? 11).fill(V * D, 1);
  if (table.length !== V * D) throw new Error(`text embedding: weights hold ${table.length} values, the table is ${V}x${D}`);
  const g = new GraphBuilder({ name: 'cinegraph-text-embedding', opset: 17 });
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  g.output(g.gather(g.weight('embed_tokens.weight', table, [V, D]), ids, 0), 'inputs_embeds');
  await g.save(path.join(folder, 'onnx', 'embed_tokens.onnx'));
  await writeJsonFiles(folder, {
    'config.json': { model_type: TEXT_EMBEDDING_MODEL_TYPE, vocab_size: V, hidden_size: D, pad_token_id: 0 },
    'tokenizer.json': tok.tokenizer,
    'tokenizer_config.json': tok.config,
    'special_tokens_map.json': { eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>' },
  });
  return folder;
}

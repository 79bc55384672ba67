/**
 * ml/text: text encoding for the DiT — T5-family encoders through transformers.js, or the DiT's own
 * embedding table — with texts padded or truncated to a fixed token count, and the tiny test encoders.
 *
 * @example
 * import { loadTextEncoder } from '../ml/text/index.js';
 * const enc = await loadTextEncoder('/models/tiny-t5');
 * const [turn] = await enc.encode(['Based on <IMG0>, make the cup red. Output <IMG1>: '], { maxTokens: 150 });
 */

// Encoding
export { loadTextEncoder, releaseTextEncoders, TEXT_TOKENS_PER_TURN } from './encoder.js';
export type { TextEncoder, LoadTextEncoderOptions, EncodeTextOptions } from './encoder.js';
export { assertTextEmbedding } from './embedding-value.js';
export type { TextEmbedding } from './embedding-value.js';

// Families and resolution
export { TEXT_ENCODER_FAMILIES, textEncoderFiles, textEncoderFamilyOf } from './families.js';
export type { TextEncoderFamily, TextEncoderSpec } from './families.js';
export { resolveTextEncoder } from './resolve.js';
export type { ResolvedTextEncoder, ResolveTextEncoderOptions } from './resolve.js';

// Tiny encoders for tests and demos
export { writeTinyT5Encoder } from './tiny/t5.js';
export type { TinyT5Options } from './tiny/t5.js';
export { writeTinyTextEmbedding, TEXT_EMBEDDING_MODEL_TYPE } from './tiny/embedding.js';
export type { TinyTextEmbeddingOptions } from './tiny/embedding.js';
export { t5Tokenizer } from './tiny/unigram.js';
export { TINY_TEXT_WORDS } from './tiny/words.js';

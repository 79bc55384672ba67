/** dit/encode-text: a text -> token embeddings padded to a fixed length. */
import { defineNode, T } from '../../engine/index.js';
import { loadTextEncoder } from '../../ml/text/index.js';
import { TEXT_EMBEDDING } from './types.js';
import { deviceInput, maxTokensInput, textEncoderInput } from './inputs.js';

/**
 * Encodes a text with a T5-family encoder (through transformers.js) or an embedding table, padded or
 * truncated to `maxTokens`, with the mask of its real tokens.
 * @example { "type": "dit/encode-text", "inputs": { "text": "Based on <IMG0>, make the cup red. Output <IMG1>: ", "encoder": "models/tiny-t5" } }
 */
export const encodeTextNode = defineNode({
  type: 'dit/encode-text',
  title: 'Encode text',
  description:
    'Encodes a text into token embeddings for the DiT with a T5-family encoder (transformers.js) or an embedding-table folder; the text is tokenised, padded or truncated to a fixed number of tokens, and the mask marks the real ones.',
  inputs: {
    text: { type: T.STRING, multiline: true, default: '', description: 'the text (one turn)' },
    encoder: textEncoderInput,
    maxTokens: maxTokensInput,
    device: deviceInput,
  },
  outputs: {
    embedding: { type: TEXT_EMBEDDING, description: '{data: tokens x dim, tokens, dim, mask, ids, text}' },
    tokens: { type: T.INT, description: 'real tokens (before padding; at most maxTokens)' },
  },
  version: 1,
  async run({ text, encoder, maxTokens, device }, ctx) {
    const model = await loadTextEncoder(encoder, { device, log: ctx.log });
    const [embedding] = await model.encode([text], { maxTokens });
    return { embedding: embedding!, tokens: embedding!.mask.reduce((n, m) => n + m, 0) };
  },
});

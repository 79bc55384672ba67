/**
 * The LATENT and TEXT_EMBEDDING socket types, typed: ml/diffusion's Latent and ml/text's TextEmbedding.
 * They keep the engine's ids, so links typed with `T.LATENT` / `T.TEXT_EMBEDDING` connect to them.
 */
import { registerType, socketType } from '../../engine/index.js';
import type { Latent } from '../../ml/diffusion/index.js';
import type { TextEmbedding } from '../../ml/text/index.js';

/**
 * A latent image {data, channels, height, width}.
 * @example outputs: { latent: LATENT }
 */
export const LATENT = socketType<Latent>('LATENT', {
  color: '#ff9cf9',
  sizeOf: (z) => z.data.byteLength + 64,
  summarize: (z) => ({ channels: z.channels, height: z.height, width: z.width }),
});
registerType(LATENT);

/**
 * One text's token embeddings {data, tokens, dim, mask, ids, text}.
 * @example outputs: { embedding: TEXT_EMBEDDING }
 */
export const TEXT_EMBEDDING = socketType<TextEmbedding>('TEXT_EMBEDDING', {
  color: '#ffcc80',
  sizeOf: (e) => e.data.byteLength + e.mask.byteLength + e.ids.byteLength + e.text.length * 2 + 64,
  summarize: (e) => ({ tokens: e.tokens, dim: e.dim, real: e.mask.reduce((n, m) => n + m, 0), text: e.text.length > 80 ? `${e.text.slice(0, 77)}...` : e.text }),
});
registerType(TEXT_EMBEDDING);

/**
 * The proof's editing model: a DiT between `tiny` and `small` (a few million parameters, trainable for a
 * few thousand steps on two CPU cores), a 2 x 2 patch VAE (32 x 32 frames -> 12 x 16 x 16 latents, 64
 * tokens of 2 x 2 latent pixels per image: a token's 48 output values stay well under the width of 128, so
 * the noise can pass through the model), and an embedding-table text encoder that knows the synthetic clips' words whole.
 */
import { ditConfig, type DitConfig } from '../../ml/dit/index.js';
import { writeTinyEditModel } from '../../ml/edit/index.js';
import { COLOR_NAMES, SHAPES } from '../../media/synth/palette.js';
import { TINY_TEXT_WORDS } from '../../ml/text/tiny/words.js';

/** The proof DiT: 4 blocks of width 128 (the first 2 with separate text and image weights). */
export const PROOF_DIT: DitConfig = ditConfig({
  name: 'proof', width: 128, heads: 2, headDim: 64, layers: 4, mmLayers: 2, expandRatio: 4, multipleOf: 64,
  latentChannels: 12, patch: [1, 2, 2], textDim: 64, turnSlots: 16, timeFreqDim: 128, timestepScale: 1000,
  ropeDim: 48, ropeTheta: 10000, normEps: 1e-5,
});

/** Tokens per turn text: the longest synthetic instruction in the edit prompt fits. */
export const PROOF_TEXT_TOKENS = 24;

/** The words of the synthetic clips' instructions and of the method's prompts. */
export const PROOF_WORDS: readonly string[] = [...new Set([
  ...TINY_TEXT_WORDS, ...COLOR_NAMES, ...SHAPES,
  'at', 'top', 'bottom', 'center', 'up', 'down', 'upper', 'lower', 'mask', 'next', 'image', 'changed', 'region', 'keep', 'it', 'as', 'is',
])];

/**
 * Writes the proof's model folder with seeded initial weights (the "untrained" model).
 * @example const folder = await writeProofModel('/tmp/proof/model', 0);
 */
export function writeProofModel(folder: string, seed: number, dit: DitConfig = PROOF_DIT): Promise<string> {
  return writeTinyEditModel(folder, { dit, seed, textTokens: PROOF_TEXT_TOKENS, words: PROOF_WORDS });
}

/** The "dit" node pack: VAE encoding and decoding, and text encoding for the diffusion transformer. */
import type { NodePack } from '../../engine/index.js';
import { encodeTextNode } from './encode-text.js';
import { vaeDecodeNode } from './vae-decode.js';
import { vaeEncodeNode } from './vae-encode.js';
import { editNode } from './edit.js';
import { composeNode } from './compose.js';
import { storyNode } from './story.js';

export { LATENT, TEXT_EMBEDDING } from './types.js';

/**
 * The pack, for nodes/index.ts.
 * @example builtinRegistry([ditPack]).get('dit/vae-encode')
 */
export const ditPack: NodePack = {
  name: 'dit',
  nodes: [vaeEncodeNode, vaeDecodeNode, encodeTextNode, editNode, composeNode, storyNode],
};

/** dit/vae-decode: a latent -> an image, through a VAE folder, with a preview. */
import { defineNode, T } from '../../engine/index.js';
import { loadVae } from '../../ml/vae/index.js';
import { previewDataUrl } from '../../media/image/index.js';
import { LATENT } from './types.js';
import { deviceInput, vaeInput } from './inputs.js';

/**
 * Decodes a scaled latent into an RGB image (z / scaling_factor + shift_factor, decoded, clamped).
 * @example { "type": "dit/vae-decode", "inputs": { "latent": { "from": "edit", "output": "latent" }, "vae": "models/tiny-vae" } }
 */
export const vaeDecodeNode = defineNode({
  type: 'dit/vae-decode',
  title: 'VAE decode',
  description: "Decodes a latent into an RGB image with an ONNX VAE (undoing the config's scaling_factor and shift_factor), and shows it as a preview.",
  inputs: { latent: { type: LATENT }, vae: vaeInput, device: deviceInput },
  outputs: { image: T.IMAGE },
  version: 1,
  async run({ latent, vae, device }, ctx) {
    const model = await loadVae(vae, { device, log: ctx.log });
    const image = await model.decode(latent);
    ctx.preview(await previewDataUrl(image));
    return { image };
  },
});

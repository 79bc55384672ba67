/** dit/vae-encode: an image -> a latent, through a VAE folder. */
import { defineNode, T } from '../../engine/index.js';
import { loadVae } from '../../ml/vae/index.js';
import { LATENT } from './types.js';
import { deviceInput, vaeInput } from './inputs.js';

/**
 * Encodes an RGB image into the VAE's scaled latent ((z - shift_factor) * scaling_factor). Both sides of
 * the image must be multiples of the VAE's downscale factor.
 * @example { "type": "dit/vae-encode", "inputs": { "image": { "from": "load", "output": "image" }, "vae": "models/tiny-vae" } }
 */
export const vaeEncodeNode = defineNode({
  type: 'dit/vae-encode',
  title: 'VAE encode',
  description:
    "Encodes an image into a latent with an ONNX VAE (scaled by the config's scaling_factor and shift_factor). Sides must be multiples of the VAE's downscale factor (8 for SD3-style VAEs, p for a patch VAE); alpha is dropped.",
  inputs: { image: { type: T.IMAGE }, vae: vaeInput, device: deviceInput },
  outputs: {
    latent: { type: LATENT, description: 'C x h x w, channel-major' },
    channels: T.INT,
    height: T.INT,
    width: T.INT,
  },
  version: 1,
  async run({ image, vae, device }, ctx) {
    const model = await loadVae(vae, { device, log: ctx.log });
    const latent = await model.encode(image);
    return { latent, channels: latent.channels, height: latent.height, width: latent.width };
  },
});

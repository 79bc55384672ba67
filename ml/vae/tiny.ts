/**
 * A tiny stand-in for an SD3-style VAE export: the files and interface of Optimum's export of SD3's
 * AutoencoderKL (vae_encoder/model.onnx: sample -> latent_parameters with 2 x 16 channels (mean, log
 * variance) at 1/8 size; vae_decoder/model.onnx: latent_sample -> sample; config.json with
 * latent_channels 16, block_out_channels of 4 levels, scaling_factor 1.5305, shift_factor 0.0609), made of
 * one strided convolution each way. The mean's first 3 channels are the colour of each 8x8 block and the
 * decoder paints them back, so images made of flat 8x8 blocks survive a round trip; the other 13 channels
 * carry seeded projections the decoder ignores.
 */
import path from 'node:path';
import { GraphBuilder } from '../onnx/index.js';
import { seededRandom } from '../models/tiny/random.js';
import { writeVaeConfigs } from './files.js';

/** SD3's VAE constants (stabilityai/stable-diffusion-3-medium-diffusers, vae/config.json). */
export const SD3_VAE_CONFIG = Object.freeze({
  _class_name: 'AutoencoderKL',
  in_channels: 3,
  out_channels: 3,
  latent_channels: 16,
  block_out_channels: [128, 256, 512, 512],
  scaling_factor: 1.5305,
  shift_factor: 0.0609,
  use_quant_conv: false,
  use_post_quant_conv: false,
});

/**
 * Writes the tiny SD3-style VAE folder.
 * @example await writeTinySd3Vae('/tmp/tiny-sd3-vae'); const vae = await loadVae('/tmp/tiny-sd3-vae');
 */
export async function writeTinySd3Vae(folder: string): Promise<string> {
  const C = 16;
  const f = 8;
  const rng = seededRandom(3);
  // Encoder: Conv 3 -> 2C, kernel 8, stride 8. Channel c < 3 averages colour c; 3..C-1 random; C.. log variance.
  const wEnc = new Float32Array(2 * C * 3 * f * f);
  for (let o = 0; o < C; o++) {
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < f * f; k++) wEnc[((o * 3 + c) * f * f) + k] = o < 3 ? (o === c ? 1 / (f * f) : 0) : rng.normal(0, 0.01);
    }
  }
  const bEnc = new Float32Array(2 * C);
  bEnc.fill(-30, C);
  const enc = new GraphBuilder({ name: 'tiny-sd3-vae-encoder', opset: 17 });
  const x = enc.input('sample', 'float32', ['batch_size', 3, 'height', 'width']);
  const params = enc.conv(x, enc.weight('encoder.conv.weight', wEnc, [2 * C, 3, f, f]), enc.weight('encoder.conv.bias', bEnc, [2 * C]), { strides: [f, f], kernel_shape: [f, f] });
  enc.output(params, 'latent_parameters');
  await enc.save(path.join(folder, 'vae_encoder', 'model.onnx'));

  // Decoder: ConvTranspose C -> 3, kernel 8, stride 8: latent channel c < 3 fills its 8x8 block of colour c.
  const wDec = new Float32Array(C * 3 * f * f);
  for (let c = 0; c < 3; c++) wDec.fill(1, (c * 3 + c) * f * f, (c * 3 + c + 1) * f * f);
  const dec = new GraphBuilder({ name: 'tiny-sd3-vae-decoder', opset: 17 });
  const z = dec.input('latent_sample', 'float32', ['batch_size', C, 'height_latent', 'width_latent']);
  const y = dec.op('ConvTranspose', [z, dec.weight('decoder.conv.weight', wDec, [C, 3, f, f])], { strides: [f, f], kernel_shape: [f, f] });
  dec.output(y, 'sample');
  await dec.save(path.join(folder, 'vae_decoder', 'model.onnx'));

  await writeVaeConfigs(folder, { ...SD3_VAE_CONFIG, block_out_channels: [...SD3_VAE_CONFIG.block_out_channels] });
  return folder;
}

/**
 * The pixel-space patch VAE of the tiny models: the encoder folds each p x p patch of an RGB image into
 * 3 p p channels (channel c p p + dy p + dx holds colour c at (dy, dx) of the patch), the decoder unfolds
 * them. It is exact, so a round trip loses only the 8-bit quantisation. Written in the layout of an
 * Optimum/diffusers ONNX export (vae_encoder/, vae_decoder/, each with model.onnx and config.json), so it
 * loads like any other VAE.
 */
import path from 'node:path';
import { GraphBuilder, type Tensor } from '../onnx/index.js';
import { writeVaeConfigs } from './files.js';

/** Options of `writePatchVae`. */
export interface PatchVaeOptions {
  /** Patch side p (latent channels 3 p p). Default 2. */
  patch?: number;
  /** `scaling_factor`: pixels in [-1, 1] have a spread near 0.5, so 2 brings latents near unit scale. Default 2. */
  scalingFactor?: number;
  /** `shift_factor`. Default 0. */
  shiftFactor?: number;
}

/** int64 [B, C, H, W] -> the dims as 1-element int64 tensors. */
function dimsOf(g: GraphBuilder, x: Tensor): Tensor[] {
  const shape = g.shape(x);
  return [0, 1, 2, 3].map((i) => g.slice(shape, [i], [i + 1]));
}

/**
 * The encoder graph: sample float32[batch, 3, height, width] -> latent_sample float32[batch, 3 p p, height / p, width / p].
 * @example await buildPatchEncoder(2).save('/tmp/vae_encoder/model.onnx');
 */
export function buildPatchEncoder(p: number): GraphBuilder {
  const g = new GraphBuilder({ name: 'cinegraph-patch-vae-encoder', opset: 17 });
  const x = g.input('sample', 'float32', ['batch_size', 3, 'height', 'width']);
  const [b, , h, w] = dimsOf(g, x);
  const six = g.reshape(x, g.concat([b!, g.ints([3]), g.div(h!, g.ints([p])), g.ints([p]), g.div(w!, g.ints([p])), g.ints([p])], 0)); // [B,3,h,p,w,p]
  const folded = g.transpose(six, [0, 1, 3, 5, 2, 4]); // [B,3,p,p,h,w]
  const z = g.reshape(folded, g.concat([b!, g.ints([3 * p * p]), g.div(h!, g.ints([p])), g.div(w!, g.ints([p]))], 0));
  g.output(g.op('Identity', [z], {}, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', 3 * p * p, 'height_latent', 'width_latent'] }] }), 'latent_sample');
  return g;
}

/**
 * The decoder graph: latent_sample float32[batch, 3 p p, h, w] -> sample float32[batch, 3, h p, w p].
 * @example await buildPatchDecoder(2).save('/tmp/vae_decoder/model.onnx');
 */
export function buildPatchDecoder(p: number): GraphBuilder {
  const g = new GraphBuilder({ name: 'cinegraph-patch-vae-decoder', opset: 17 });
  const z = g.input('latent_sample', 'float32', ['batch_size', 3 * p * p, 'height_latent', 'width_latent']);
  const [b, , h, w] = dimsOf(g, z);
  const six = g.reshape(z, g.concat([b!, g.ints([3, p, p]), h!, w!], 0)); // [B,3,p,p,h,w]
  const unfolded = g.transpose(six, [0, 1, 4, 2, 5, 3]); // [B,3,h,p,w,p]
  const x = g.reshape(unfolded, g.concat([b!, g.ints([3]), g.mul(h!, g.ints([p])), g.mul(w!, g.ints([p]))], 0));
  g.output(g.op('Identity', [x], {}, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', 3, 'height', 'width'] }] }), 'sample');
  return g;
}

/**
 * Writes a patch VAE model folder (vae_encoder/, vae_decoder/ with model.onnx and config.json).
 * @example await writePatchVae('/tmp/tiny-vae', { patch: 2 }); const vae = await loadVae('/tmp/tiny-vae');
 */
export async function writePatchVae(folder: string, options: PatchVaeOptions = {}): Promise<string> {
  const p = options.patch ?? 2;
  if (!Number.isInteger(p) || p < 1) throw new Error(`patch VAE: patch size must be a positive integer, got ${p}`);
  await buildPatchEncoder(p).save(path.join(folder, 'vae_encoder', 'model.onnx'));
  await buildPatchDecoder(p).save(path.join(folder, 'vae_decoder', 'model.onnx'));
  await writeVaeConfigs(folder, {
    _class_name: 'CinegraphPatchVAE',
    in_channels: 3,
    out_channels: 3,
    latent_channels: 3 * p * p,
    patch_size: p,
    scaling_factor: options.scalingFactor ?? 2,
    shift_factor: options.shiftFactor ?? 0,
  });
  return folder;
}

/** The files of a VAE model folder, in the layout of Optimum/diffusers ONNX exports. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Relative paths of a VAE folder: the encoder is optional (decode-only exports exist). */
export const VAE_FILES = Object.freeze({
  encoder: 'vae_encoder/model.onnx',
  decoder: 'vae_decoder/model.onnx',
  configs: ['vae_decoder/config.json', 'vae_encoder/config.json', 'config.json'] as readonly string[],
});

/**
 * Writes the same config.json into vae_encoder/ and vae_decoder/ (as Optimum does).
 * @example await writeVaeConfigs('/tmp/vae', { latent_channels: 12, patch_size: 2 });
 */
export async function writeVaeConfigs(folder: string, config: Record<string, unknown>): Promise<void> {
  for (const sub of ['vae_encoder', 'vae_decoder']) {
    await mkdir(path.join(folder, sub), { recursive: true });
    await writeFile(path.join(folder, sub, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  }
}

/**
 * The config file a VAE folder uses: the decoder's config.json, else the encoder's, else the folder's own.
 * @example vaeConfigFile('/models/sd3') // '/models/sd3/vae_decoder/config.json'
 */
export function vaeConfigFile(folder: string): string | undefined {
  return VAE_FILES.configs.map((f) => path.join(folder, f)).find((f) => existsSync(f));
}

/**
 * ml/vae: image <-> latent through an ONNX VAE folder (Optimum/diffusers layout) with the scale and shift
 * of its config — Cinegraph's pixel-space patch VAE for tiny models, or an SD3-style 16-channel export.
 *
 * @example
 * import { loadVae, writePatchVae } from '../ml/vae/index.js';
 * const vae = await loadVae(await writePatchVae('/tmp/vae', { patch: 2 }));
 * const z = await vae.encode(image); // { data, channels: 12, height: H / 2, width: W / 2 }
 */

// Loading and running
export { loadVae, releaseVaes, resolveVaeFolder, readVaeConfig } from './load.js';
export type { Vae, LoadVaeOptions } from './load.js';
export { parseVaeConfig } from './config.js';
export type { VaeConfig } from './config.js';
export { VAE_FILES, vaeConfigFile, writeVaeConfigs } from './files.js';
export { imageToTensor, tensorToImage } from './pixels.js';
export type { VaeImage } from './pixels.js';

// The patch VAE and the tiny SD3-style stand-in
export { writePatchVae, buildPatchEncoder, buildPatchDecoder } from './patch.js';
export type { PatchVaeOptions } from './patch.js';
export { writeTinySd3Vae, SD3_VAE_CONFIG } from './tiny.js';

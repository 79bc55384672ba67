/**
 * Tiny editing models: a complete model folder (DiT config and seeded weights as safetensors, a patch VAE,
 * an embedding-table text encoder) small enough for tests and the editor's demo, written on demand.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildDit, ditConfig, type DitConfig } from '../dit/index.js';
import { writeTinyTextEmbedding } from '../text/index.js';
import { writePatchVae, writeTinySd3Vae } from '../vae/index.js';
import { graphWeights, writeSafetensors } from '../weights/index.js';
import { EDIT_MODEL_FORMAT } from './model.js';

/**
 * The tiny editing DiT: `tiny`'s sizes with 12 latent channels, those of a 2 x 2 patch VAE (3 p p), and
 * 16-wide text features.
 * @example TINY_EDIT_DIT.latentChannels // 12
 */
export const TINY_EDIT_DIT: DitConfig = ditConfig({ ...ditConfig('tiny'), name: 'tiny-edit', latentChannels: 12, textDim: 16 });

/** Options of {@link writeTinyEditModel}. */
export interface TinyEditModelOptions {
  /** The DiT config (default TINY_EDIT_DIT). With 16 latent channels the VAE is the tiny SD3-style one; with 3 p p, a p x p patch VAE. */
  dit?: DitConfig;
  /** Weight seed. Default 0. */
  seed?: number;
  /** Tokens per turn text. Default 8. */
  textTokens?: number;
  /** Words the text encoder keeps whole (default: its tiny vocabulary; others are spelled in pieces). */
  words?: readonly string[];
}

/**
 * Writes a complete editing model folder (config.json, dit.safetensors, vae/, text/) and returns it.
 * @example const folder = await writeTinyEditModel('/tmp/tiny-edit'); const model = await loadEditModel(folder);
 */
export async function writeTinyEditModel(folder: string, options: TinyEditModelOptions = {}): Promise<string> {
  const dit = options.dit ?? TINY_EDIT_DIT;
  const seed = options.seed ?? 0;
  const C = dit.latentChannels;
  const p = Math.round(Math.sqrt(C / 3));
  if (C !== 16 && 3 * p * p !== C) throw new Error(`tiny editing model: no tiny VAE has ${C} latent channels (use 16, or 3 p^2 for a patch VAE)`);
  await mkdir(folder, { recursive: true });
  const built = buildDit(dit, { initSeed: seed });
  await writeSafetensors(path.join(folder, 'dit.safetensors'), graphWeights(built.graph));
  if (C === 16) await writeTinySd3Vae(path.join(folder, 'vae'));
  else await writePatchVae(path.join(folder, 'vae'), { patch: p });
  await writeTinyTextEmbedding(path.join(folder, 'text'), { dim: dit.textDim, seed: seed + 11, ...(options.words ? { words: options.words } : {}) });
  const config = { format: EDIT_MODEL_FORMAT, version: 1, dit, weights: 'dit.safetensors', vae: 'vae', text: 'text', textTokens: options.textTokens ?? 8 };
  await writeFile(path.join(folder, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  return folder;
}

const writing = new Map<string, Promise<string>>();

/**
 * The tiny editing model at `<dataDir>/models/tiny-edit`, written there first if absent (into a temporary
 * folder renamed into place, so concurrent processes never see half a model).
 * @example const folder = await ensureTinyEditModel('data');
 */
export function ensureTinyEditModel(dataDir: string): Promise<string> {
  const folder = path.resolve(dataDir, 'models', 'tiny-edit');
  if (existsSync(path.join(folder, 'config.json'))) return Promise.resolve(folder);
  let entry = writing.get(folder);
  if (!entry) {
    entry = (async () => {
      const tmp = `${folder}.tmp-${process.pid}-${Date.now()}`;
      await writeTinyEditModel(tmp);
      if (existsSync(path.join(folder, 'config.json'))) await rm(tmp, { recursive: true, force: true });
      else {
        await rm(folder, { recursive: true, force: true });
        await rename(tmp, folder);
      }
      return folder;
    })();
    writing.set(folder, entry);
    entry.finally(() => writing.delete(folder)).catch(() => undefined);
  }
  return entry;
}

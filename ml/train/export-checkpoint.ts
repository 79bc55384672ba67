/**
 * A checkpoint folder -> an editing model folder, without a Trainer: the DiT weights (the EMA by default)
 * from the checkpoint, the VAE and text encoder from the model the run started from (its `config.model`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DitConfig } from '../dit/index.js';
import { readEditModelConfig } from '../edit/index.js';
import type { StoredTensor } from '../weights/index.js';
import { exportEditModel, loadCheckpoint, type Checkpoint } from './checkpoint.js';

/** Which weights of a checkpoint become the model's: the EMA (`ema.*`, the trained ones when absent) or the trained ones. */
export type CheckpointWeights = 'ema' | 'trained';

/**
 * The weights of a checkpoint, by parameter name.
 * @example const w = checkpointWeights(await loadCheckpoint(folder), 'ema');
 */
export function checkpointWeights(ckpt: Checkpoint, which: CheckpointWeights): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const [name, w] of ckpt.weights) out.set(name, which === 'ema' ? ckpt.optimizer.get(`ema.${name}`) ?? w : w);
  return out;
}

/**
 * Writes a checkpoint's weights as an editing model folder (config.json, dit.safetensors, vae/, text/) that
 * ml/edit's loadEditModel and `dit/edit` load; returns the folder.
 * @example const model = await exportCheckpoint('runs/a/checkpoints/step-00000100', 'runs/a/model', 'ema');
 */
export async function exportCheckpoint(checkpoint: string, dest: string, which: CheckpointWeights = 'ema'): Promise<string> {
  const ckpt = await loadCheckpoint(checkpoint);
  const base = ckpt.config.model;
  const dit = ckpt.config.dit as DitConfig | undefined;
  if (typeof base !== 'string' || !dit) throw new Error(`checkpoint ${checkpoint}: its state.json config names no "model" folder and "dit" config to export from`);
  if (!existsSync(base)) throw new Error(`checkpoint ${checkpoint}: the model it was trained from (${base}) is gone; its VAE and text encoder are needed to export`);
  const config = await readEditModelConfig(base);
  const near = (f: string) => (path.isAbsolute(f) ? f : path.join(base, f));
  return exportEditModel(dest, { dit, weights: checkpointWeights(ckpt, which), vae: near(config.vae), text: near(config.text), textTokens: config.textTokens });
}

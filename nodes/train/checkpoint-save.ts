/** dit/checkpoint-save: a checkpoint -> a copy of it, or its EMA weights as an editing model folder. */
import path from 'node:path';
import { defineNode, T } from '../../engine/index.js';
import { exportCheckpoint } from '../../ml/train/export-checkpoint.js';
import { loadCheckpoint, saveCheckpoint } from '../../ml/train/index.js';
import { resolveCheckpoint } from './resolve.js';

/**
 * Writes a checkpoint as an editing model folder (`as: model`, the EMA weights by default) that dit/edit
 * loads, or as a checkpoint in another checkpoints folder (`as: checkpoint`). Writes are atomic.
 * @example { "type": "dit/checkpoint-save", "inputs": { "checkpoint": { "from": "train", "output": "checkpoint" }, "as": "model", "weights": "ema", "dest": "" } }
 */
export const checkpointSaveNode = defineNode({
  type: 'dit/checkpoint-save',
  title: 'Save checkpoint',
  description:
    "Writes a training checkpoint as an editing model folder (config.json, dit.safetensors, vae/, text/) that dit/edit and dit/checkpoint-load take — the EMA weights by default — or copies it into another checkpoints folder. `dest` empty: <run folder>/model (or <run folder>/saved), the run folder being the one that holds checkpoints/. A checkpoints folder stands for its newest checkpoint.",
  inputs: {
    checkpoint: { type: T.STRING, default: '', description: 'a checkpoint folder (step-NNNNNNNN) or a checkpoints folder (its newest)' },
    as: { type: T.STRING, default: 'model', choices: ['model', 'checkpoint'], description: 'model: an editing model folder; checkpoint: a copy of the checkpoint' },
    weights: { type: T.STRING, default: 'ema', choices: ['ema', 'trained'], description: 'model only: the EMA weights or the trained ones' },
    dest: { type: T.STRING, default: '', description: 'model: the model folder; checkpoint: the checkpoints folder to save into' },
  },
  outputs: {
    folder: { type: T.STRING, description: 'the model folder, or the saved checkpoint folder' },
    step: { type: T.INT, description: "the checkpoint's update count" },
  },
  output: true,
  // It writes files that a user may remove or overwrite between runs; a cached path could name nothing.
  notIdempotent: true,
  version: 1,
  async run({ checkpoint, as, weights, dest }) {
    const { folder, step } = await resolveCheckpoint(checkpoint, 'dit/checkpoint-save: input "checkpoint"');
    const runFolder = path.dirname(path.dirname(folder));
    if (as === 'checkpoint') {
      const saved = await saveCheckpoint(path.resolve(dest.trim() || path.join(runFolder, 'saved')), await loadCheckpoint(folder));
      return { folder: saved, step };
    }
    const model = await exportCheckpoint(folder, path.resolve(dest.trim() || path.join(runFolder, 'model')), weights === 'trained' ? 'trained' : 'ema');
    return { folder: model, step };
  },
});

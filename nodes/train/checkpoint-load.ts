/** dit/checkpoint-load: a checkpoint or model folder -> the editing model folder dit/edit takes. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineNode, T } from '../../engine/index.js';
import { readEditModelConfig } from '../../ml/edit/index.js';
import { exportCheckpoint } from '../../ml/train/export-checkpoint.js';
import { resolveCheckpoint } from './resolve.js';

/**
 * Turns a checkpoint (or a checkpoints folder: its newest) into an editing model folder, exported once
 * into `<checkpoint>/<weights>-model`; an editing model folder passes through, checked. Link `model` into
 * dit/edit's `model`.
 * @example { "type": "dit/checkpoint-load", "inputs": { "path": "output/train/checkpoints", "weights": "ema" } }
 */
export const checkpointLoadNode = defineNode({
  type: 'dit/checkpoint-load',
  title: 'Load checkpoint',
  description:
    "A training checkpoint (or a checkpoints folder: its newest), or an editing model folder -> the editing model folder that dit/edit, dit/compose and dit/story take as `model`. A checkpoint is exported once, with its EMA weights by default, into <checkpoint>/ema-model (or trained-model).",
  inputs: {
    path: { type: T.STRING, default: '', description: 'a checkpoint folder, a checkpoints folder, or an editing model folder' },
    weights: { type: T.STRING, default: 'ema', choices: ['ema', 'trained'], description: 'for a checkpoint: the EMA weights or the trained ones' },
  },
  outputs: {
    model: { type: T.STRING, description: 'the editing model folder (link into dit/edit "model")' },
    step: { type: T.INT, description: "the checkpoint's update count (0 for a model folder)" },
  },
  // What a path names changes on disk (a checkpoints folder's newest, a rewritten model folder).
  notIdempotent: true,
  version: 1,
  async run({ path: given, weights }) {
    const where = 'dit/checkpoint-load: input "path"';
    const p = path.resolve(given.trim() || '.');
    if (given.trim() && existsSync(path.join(p, 'config.json'))) {
      await readEditModelConfig(p);
      return { model: p, step: 0 };
    }
    const { folder, step } = await resolveCheckpoint(given, where);
    const which = weights === 'trained' ? 'trained' : 'ema';
    const model = path.join(folder, `${which}-model`);
    if (!existsSync(path.join(model, 'config.json'))) await exportCheckpoint(folder, model, which);
    return { model, step };
  },
});

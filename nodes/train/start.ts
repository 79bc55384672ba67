/**
 * Where a dit/train run starts: the newest checkpoint of its own folder (a rerun or a killed run
 * continues), else its `model` widget — a fresh random model of a shipped config ('tiny', 'small'), an
 * editing model folder to fine-tune, or a checkpoint folder to continue from.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ditConfig } from '../../ml/dit/index.js';
import { TINY_EDIT_DIT, writeTinyEditModel } from '../../ml/edit/index.js';
import { latestCheckpoint } from '../../ml/train/index.js';

/**
 * The DiT configs the `model` widget names for a fresh random model.
 * @example FRESH_MODELS.includes('tiny') // true
 */
export const FRESH_MODELS = ['tiny', 'small'] as const;

/**
 * The DiT of a fresh 'tiny' training model: the tiny editing DiT made 64 wide, because a token's 48
 * output values (12 latent channels x a 2 x 2 patch) cannot pass through 32 hidden dimensions: a model
 * narrower than its tokens never learns to take the noise out.
 * @example TINY_TRAIN_DIT.width // 64
 */
export const TINY_TRAIN_DIT = ditConfig({ ...TINY_EDIT_DIT, name: 'tiny-train', width: 64, headDim: 32, ropeDim: 24 });

/** A resolved start: the editing model folder to train, and the checkpoint to resume from, if any. */
export interface TrainStart {
  readonly model: string;
  readonly resume?: string;
  /** What the log says about it. */
  readonly from: string;
}

/**
 * Resolves the start of a run whose checkpoints go to `checkpoints` and fresh models to `baseModel`.
 * @example const start = await resolveStart({ model: 'tiny', checkpoints: 'runs/a/checkpoints', baseModel: 'runs/a/base-model', seed: 0, resume: true });
 */
export async function resolveStart(o: { model: string; checkpoints: string; baseModel: string; seed: number; resume: boolean }): Promise<TrainStart> {
  const latest = await latestCheckpoint(o.checkpoints);
  if (latest) {
    if (!o.resume) throw new Error(`input "out": ${o.checkpoints} already holds checkpoints (newest ${path.basename(latest)}); turn "resume" on to continue from it, or choose another folder`);
    return { model: await checkpointModel(latest), resume: latest, from: `resumed from ${latest}` };
  }
  const name = o.model.trim() || 'tiny';
  if ((FRESH_MODELS as readonly string[]).includes(name)) {
    const dit = name === 'tiny' ? TINY_TRAIN_DIT : ditConfig(name);
    const tmp = `${o.baseModel}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await writeTinyEditModel(tmp, { dit, seed: o.seed });
    await rm(o.baseModel, { recursive: true, force: true });
    await rename(tmp, o.baseModel);
    return { model: o.baseModel, from: `a fresh '${name}' model (${o.baseModel})` };
  }
  const folder = path.resolve(name);
  if (existsSync(path.join(folder, 'state.json'))) return { model: await checkpointModel(folder), resume: folder, from: `checkpoint ${folder}` };
  if (existsSync(path.join(folder, 'config.json'))) return { model: folder, from: `model ${folder}` };
  throw new Error(`input "model": '${o.model}' is neither ${FRESH_MODELS.map((m) => `'${m}'`).join(' nor ')}, an editing model folder (config.json) nor a checkpoint folder (state.json)`);
}

/**
 * The editing model folder a checkpoint was trained from (its state.json's config.model).
 * @example const model = await checkpointModel('runs/a/checkpoints/step-00000100');
 */
export async function checkpointModel(folder: string): Promise<string> {
  const file = path.join(folder, 'state.json');
  let state: { config?: { model?: unknown } };
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as typeof state;
  } catch (error) {
    throw new Error(`checkpoint ${folder}: cannot read state.json (${(error as Error).message})`);
  }
  const model = state.config?.model;
  if (typeof model !== 'string') throw new Error(`checkpoint ${file}: config.model (the model it was trained from) is missing`);
  if (!existsSync(path.join(model, 'config.json'))) throw new Error(`checkpoint ${folder}: the model it was trained from (${model}) is gone`);
  return model;
}

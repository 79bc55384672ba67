/** Resolving what a user names as a checkpoint: a checkpoint folder, or a checkpoints folder (its newest). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { latestCheckpoint } from '../../ml/train/index.js';

/**
 * The checkpoint folder and step a path names; throws with `where` when it names none.
 * @example const { folder, step } = await resolveCheckpoint('output/train/checkpoints', 'input "checkpoint"');
 */
export async function resolveCheckpoint(given: string, where: string): Promise<{ folder: string; step: number }> {
  if (!given.trim()) throw new Error(`${where} is empty (give a checkpoint folder or a checkpoints folder)`);
  const p = path.resolve(given.trim());
  const folder = existsSync(path.join(p, 'state.json')) ? p : await latestCheckpoint(p);
  if (!folder) throw new Error(`${where}: ${p} is neither a checkpoint folder (with state.json) nor a folder of step-NNNNNNNN checkpoints`);
  return { folder, step: await checkpointStep(folder) };
}

/** The update count a checkpoint's state.json records. */
async function checkpointStep(folder: string): Promise<number> {
  try {
    const step = (JSON.parse(await readFile(path.join(folder, 'state.json'), 'utf8')) as { step?: unknown }).step;
    if (typeof step === 'number' && Number.isInteger(step)) return step;
  } catch {
    // reported below
  }
  throw new Error(`checkpoint ${folder}: state.json holds no integer "step"`);
}

/**
 * Checkpoints: a folder per save, `step-<NNNNNNNN>/` holding `weights.safetensors` (the trained weights),
 * `optimizer.safetensors` (AdamW's `adam_m.*`, `adam_v.*` and the EMA's `ema.*`) and `state.json` (step,
 * random state, config). A save is written into a temporary folder, every file fsynced, the folder renamed
 * into place and its parent fsynced: a killed run leaves either a whole checkpoint or none (temporary
 * folders of killed saves are removed by the next save). Also: exporting weights as an editing model
 * folder that ml/edit loads.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DitConfig } from '../dit/index.js';
import { EDIT_MODEL_FORMAT } from '../edit/index.js';
import { encodeSafetensors, readSafetensors, type StoredTensor } from '../weights/index.js';

/** The `format` of a checkpoint's state.json. */
export const CHECKPOINT_FORMAT = 'cinegraph.train-checkpoint';

/** Where the data and the random draws stand: enough to continue the exact same run. */
export interface RandomState {
  /** The run's seed (keys the objective's Philox draws and noise; streams are per step and sample). */
  readonly seed: number;
  /** Data epoch (the session source is reopened with it) and sessions consumed in that epoch. */
  readonly epoch: number;
  readonly consumed: number;
}

/** A checkpoint in memory. */
export interface Checkpoint {
  /** Updates done (the next update is number step + 1). */
  readonly step: number;
  readonly weights: ReadonlyMap<string, StoredTensor>;
  /** `adam_m.<name>`, `adam_v.<name>`, `ema.<name>`. */
  readonly optimizer: ReadonlyMap<string, StoredTensor>;
  readonly random: RandomState;
  /** The run's config (JSON), kept for the record and checked on resume. */
  readonly config: Record<string, unknown>;
}

const NAME = /^step-(\d{8,})$/;

/**
 * The folder name of a step's checkpoint.
 * @example checkpointName(120) // 'step-00000120'
 */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

async function writeSynced(file: string, bytes: Uint8Array | string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes a checkpoint atomically into `dir` and returns its folder; `keep` (default all) prunes older ones.
 * @example const folder = await saveCheckpoint('runs/a/checkpoints', ckpt, { keep: 3 });
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint, options: { keep?: number } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const e of await readdir(dir)) if (e.startsWith('.step-') && e.includes('.tmp')) await rm(path.join(dir, e), { recursive: true, force: true });
  const final = path.join(dir, checkpointName(ckpt.step));
  const tmp = path.join(dir, `.${checkpointName(ckpt.step)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    await writeSynced(path.join(tmp, 'weights.safetensors'), encodeSafetensors(new Map(ckpt.weights), { metadata: { step: String(ckpt.step) } }));
    await writeSynced(path.join(tmp, 'optimizer.safetensors'), encodeSafetensors(new Map(ckpt.optimizer), { metadata: { step: String(ckpt.step) } }));
    const state = { format: CHECKPOINT_FORMAT, version: 1, step: ckpt.step, random: ckpt.random, config: ckpt.config };
    await writeSynced(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2) + '\n');
    await syncDir(tmp);
    if (existsSync(final)) await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
    await syncDir(dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot write checkpoint ${final}: ${(e as Error).message}`);
  }
  if (options.keep !== undefined) {
    const all = await listCheckpoints(dir);
    for (const old of all.slice(0, Math.max(0, all.length - options.keep))) await rm(old.folder, { recursive: true, force: true });
  }
  return final;
}

/**
 * The complete checkpoints of a folder, oldest first.
 * @example (await listCheckpoints('runs/a/checkpoints')).at(-1)?.step
 */
export async function listCheckpoints(dir: string): Promise<{ step: number; folder: string }[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .map((e) => ({ m: NAME.exec(e), e }))
    .filter((x) => x.m && existsSync(path.join(dir, x.e, 'state.json')))
    .map((x) => ({ step: Number(x.m![1]), folder: path.join(dir, x.e) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * The newest checkpoint folder of `dir`, or null.
 * @example const last = await latestCheckpoint('runs/a/checkpoints');
 */
export async function latestCheckpoint(dir: string): Promise<string | null> {
  return (await listCheckpoints(dir)).at(-1)?.folder ?? null;
}

/**
 * Reads a checkpoint folder.
 * @example const ckpt = await loadCheckpoint('runs/a/checkpoints/step-00000100');
 */
export async function loadCheckpoint(folder: string): Promise<Checkpoint> {
  const file = path.join(folder, 'state.json');
  let state: { format?: unknown; step?: unknown; random?: RandomState; config?: Record<string, unknown> };
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as typeof state;
  } catch (e) {
    throw new Error(`checkpoint ${folder}: cannot read state.json (${(e as Error).message})`);
  }
  if (state.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint ${file}: "format" must be "${CHECKPOINT_FORMAT}", got ${JSON.stringify(state.format)}`);
  const step = state.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new Error(`checkpoint ${file}: "step" must be a non-negative integer`);
  const r = state.random;
  if (!r || ![r.seed, r.epoch, r.consumed].every((v) => Number.isInteger(v) && v >= 0)) throw new Error(`checkpoint ${file}: "random" must hold integer seed, epoch and consumed`);
  const weights = (await readSafetensors(path.join(folder, 'weights.safetensors'))).tensors;
  const optimizer = (await readSafetensors(path.join(folder, 'optimizer.safetensors'))).tensors;
  return { step, weights, optimizer, random: { seed: r.seed, epoch: r.epoch, consumed: r.consumed }, config: state.config ?? {} };
}

/** Options of {@link exportEditModel}. */
export interface ExportEditModelOptions {
  readonly dit: DitConfig;
  readonly weights: ReadonlyMap<string, StoredTensor>;
  /** VAE and text-encoder folders, copied into the model folder as vae/ and text/. */
  readonly vae: string;
  readonly text: string;
  readonly textTokens: number;
}

/**
 * Writes an editing model folder (config.json, dit.safetensors, vae/, text/) that ml/edit's loadEditModel
 * and `dit/edit` load; written into a temporary folder renamed into place.
 * @example await exportEditModel('out/model', { dit: config, weights: ema, vae: 'm/vae', text: 'm/text', textTokens: 8 });
 */
export async function exportEditModel(folder: string, o: ExportEditModelOptions): Promise<string> {
  const dest = path.resolve(folder);
  const tmp = `${dest}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await writeSynced(path.join(tmp, 'dit.safetensors'), encodeSafetensors(new Map(o.weights)));
    await cp(o.vae, path.join(tmp, 'vae'), { recursive: true });
    await cp(o.text, path.join(tmp, 'text'), { recursive: true });
    const config = { format: EDIT_MODEL_FORMAT, version: 1, dit: o.dit, weights: 'dit.safetensors', vae: 'vae', text: 'text', textTokens: o.textTokens };
    await writeFile(path.join(tmp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot export the editing model to ${dest}: ${(e as Error).message}`);
  }
  return dest;
}

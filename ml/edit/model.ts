/**
 * An editing model folder: the DiT (config + safetensors weights), a VAE folder and a text-encoder folder,
 * named by one `config.json`:
 *
 * ```json
 * { "format": "cinegraph.edit-model", "version": 1,
 *   "dit": { ...DitConfig } | "small", "weights": "dit.safetensors", "initSeed": 0,
 *   "vae": "vae", "text": "text", "textTokens": 16 }
 * ```
 * `weights` is optional (missing weights are initialised from `initSeed`, which must then be given);
 * `vae` and `text` are folders relative to the model folder, absolute folders, or cached hub ids (the
 * rules of ml/vae and ml/text). `textTokens` is the padded token count of each turn's text (150 in VINCIE).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildDit, ditConfig, type DitAttention, type DitConfig } from '../dit/index.js';
import { createSession, type CheckedSession, type Feeds, type RuntimeLog, type ort } from '../runtime/index.js';
import { loadTextEncoder, type TextEncoder } from '../text/index.js';
import { loadVae, type Vae } from '../vae/index.js';
import { formatWeightReport, readSafetensors } from '../weights/index.js';

/** The `format` value of an editing model's config.json. */
export const EDIT_MODEL_FORMAT = 'cinegraph.edit-model';

/** An editing model's config.json, as read. */
export interface EditModelConfig {
  readonly dit: DitConfig;
  /** safetensors file of the DiT (relative to the folder), if any. */
  readonly weights?: string;
  readonly initSeed?: number;
  readonly vae: string;
  readonly text: string;
  readonly textTokens: number;
}

/** Time spent in the DiT's session.run calls (for bench/dit: node time against raw model time). */
export interface DitRunStats {
  runs: number;
  runMs: number;
}

/** A loaded editing model. */
export interface EditModel {
  readonly folder: string;
  readonly config: EditModelConfig;
  readonly vae: Vae;
  readonly text: TextEncoder;
  /** Counters over every DiT run of this model (reset them freely). */
  readonly stats: DitRunStats;
  /** The DiT graph of an attention mode, built and loaded once. */
  dit(attention: DitAttention): Promise<DitSession>;
}

/** A DiT session whose runs are timed into the model's stats. */
export interface DitSession {
  readonly attention: DitAttention;
  readonly config: DitConfig;
  readonly session: CheckedSession;
  run(feeds: Feeds, outputs?: readonly string[]): Promise<Record<string, ort.Tensor>>;
}

/** Options of {@link loadEditModel}. */
export interface LoadEditModelOptions {
  device?: string;
  log?: RuntimeLog;
}

function fail(file: string, message: string): never {
  throw new Error(`editing model ${file}: ${message}`);
}

/**
 * Reads and checks a model folder's config.json.
 * @example const cfg = await readEditModelConfig('/models/tiny-edit'); cfg.dit.width // 32
 */
export async function readEditModelConfig(folder: string): Promise<EditModelConfig> {
  const file = path.join(folder, 'config.json');
  if (!existsSync(folder) || !statSync(folder).isDirectory()) fail(folder, 'the folder does not exist (an editing model folder holds config.json, the DiT weights, vae/ and text/)');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    fail(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not valid JSON (${(e as Error).message})`);
  }
  if (raw.format !== EDIT_MODEL_FORMAT) fail(file, `"format" must be "${EDIT_MODEL_FORMAT}", got ${JSON.stringify(raw.format)}`);
  let dit: DitConfig;
  try {
    dit = ditConfig(raw.dit as DitConfig | string);
  } catch (e) {
    fail(file, `"dit": ${(e as Error).message}`);
  }
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : fail(file, `"${k}" must be a non-empty string`));
  const textTokens = raw.textTokens ?? 150;
  if (!Number.isInteger(textTokens) || (textTokens as number) < 1) fail(file, `"textTokens" must be a positive integer, got ${JSON.stringify(raw.textTokens)}`);
  const weights = raw.weights === undefined ? undefined : str('weights');
  const initSeed = raw.initSeed === undefined ? undefined : Number(raw.initSeed);
  if (weights === undefined && initSeed === undefined) fail(file, 'give "weights" (a safetensors file) or "initSeed" (random weights)');
  return { dit, weights, initSeed, vae: str('vae'), text: str('text'), textTokens: textTokens as number };
}

const loaded = new Map<string, Promise<EditModel>>();

/**
 * Loads an editing model folder once per folder, device and config time (later calls share it).
 * @example
 * const model = await loadEditModel('/models/tiny-edit', { device: 'cpu' });
 * const dit = await model.dit('block-causal');
 */
export function loadEditModel(folder: string, options: LoadEditModelOptions = {}): Promise<EditModel> {
  const dir = path.resolve(folder);
  const stamp = existsSync(path.join(dir, 'config.json')) ? statSync(path.join(dir, 'config.json')).mtimeMs : 0;
  const key = JSON.stringify([dir, stamp, options.device ?? '']);
  let entry = loaded.get(key);
  if (!entry) {
    entry = open(dir, options);
    loaded.set(key, entry);
    entry.catch(() => loaded.delete(key));
  }
  return entry;
}

/**
 * Forgets every loaded editing model (their sessions stay in ml/runtime's cache until its budget needs room).
 * @example await releaseEditModels();
 */
export async function releaseEditModels(): Promise<void> {
  const entries = [...loaded.values()];
  loaded.clear();
  await Promise.all(entries.map(async (p) => {
    const m = await p.catch(() => undefined);
    await m?.vae.release();
    await m?.text.release();
  }));
}

const near = (folder: string, name: string) => (name.startsWith('.') || existsSync(path.join(folder, name)) ? path.join(folder, name) : name);

async function open(folder: string, options: LoadEditModelOptions): Promise<EditModel> {
  const config = await readEditModelConfig(folder);
  const vae = await loadVae(near(folder, config.vae), { device: options.device, log: options.log });
  const text = await loadTextEncoder(near(folder, config.text), { device: options.device });
  if (vae.config.latentChannels !== config.dit.latentChannels) {
    fail(folder, `the VAE has ${vae.config.latentChannels} latent channels, the DiT takes ${config.dit.latentChannels}`);
  }
  if (text.dim !== config.dit.textDim) fail(folder, `the text encoder's features are ${text.dim} wide, the DiT takes ${config.dit.textDim}`);
  const weightsFile = config.weights ? path.join(folder, config.weights) : undefined;
  const tensors = weightsFile ? (await readSafetensors(weightsFile)).tensors : undefined;
  const stats: DitRunStats = { runs: 0, runMs: 0 };
  const sessions = new Map<DitAttention, Promise<DitSession>>();
  const build = async (attention: DitAttention): Promise<DitSession> => {
    const built = buildDit(config.dit, { attention, weights: tensors, initSeed: config.initSeed, source: weightsFile });
    if (built.report && built.report.missing.length) options.log?.warn(`editing model ${folder}: ${formatWeightReport(built.report)}`);
    const session = await createSession(built.graph.toBytes(), { device: options.device, log: options.log, name: `${path.basename(folder)} DiT (${attention})` });
    return {
      attention,
      config: config.dit,
      session,
      async run(feeds, outputs) {
        const start = performance.now();
        try {
          return await session.run(feeds, outputs ? { outputs } : {});
        } finally {
          stats.runs++;
          stats.runMs += performance.now() - start;
        }
      },
    };
  };
  return {
    folder,
    config,
    vae,
    text,
    stats,
    dit(attention) {
      let s = sessions.get(attention);
      if (!s) {
        s = build(attention);
        sessions.set(attention, s);
        s.catch(() => sessions.delete(attention));
      }
      return s;
    },
  };
}

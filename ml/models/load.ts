/**
 * Loading transformers.js models (model + processor) from a resolved hub id or folder, with its global
 * `env` configured for the cache, a cpu fallback when a device's provider does not load, and loaded
 * models kept per (model, task, device, dtype) until `releaseModels()`.
 */
import {
  AutoModelForImageTextToText,
  AutoModelForMaskGeneration,
  AutoModelForZeroShotObjectDetection,
  AutoProcessor,
  env,
} from '@huggingface/transformers';
import { FAMILIES, type ModelDtype, type ModelFamily, type ModelTask } from './families.js';
import { modelDevice } from './device.js';
import { cpuThreads } from '../runtime/index.js';
import { installFastPreprocess } from './preprocess.js';
import { installIdefics3Tiles } from './idefics3-tiles.js';
import { offlineError, resolveModel, type ResolvedModel } from './resolve.js';

/** A transformers.js model as Cinegraph calls it (the library's classes are untyped JavaScript). */
export interface HfModel {
  readonly config: Record<string, any>;
  readonly sessions: Record<string, HfSession>;
  (inputs: Record<string, unknown>): Promise<Record<string, any>>;
  generate(options: Record<string, unknown>): Promise<any>;
  dispose(): Promise<unknown>;
}

/** The part of an ONNX Runtime session Cinegraph reads. */
export interface HfSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly { name: string; type?: string; shape?: readonly (number | string)[] }[];
}

/** A transformers.js processor (tokenizer and/or image processor). */
export type HfProcessor = ((...args: any[]) => Promise<Record<string, any>>) & Record<string, any>;

/** A loaded model with its processor. */
export interface LoadedModel {
  readonly resolved: ResolvedModel;
  readonly family: ModelFamily;
  readonly device: string;
  readonly model: HfModel;
  readonly processor: HfProcessor;
}

/** Options of `loadModel`. */
export interface LoadOptions {
  task: ModelTask;
  device?: string;
  cacheDir?: string;
  allowRemote?: boolean;
  dtype?: ModelDtype;
  log?: { info(message: string): void; warn(message: string): void };
}

const MODEL_CLASSES: Record<ModelTask, { from_pretrained(name: string, options: Record<string, unknown>): Promise<unknown> }> = {
  ground: AutoModelForZeroShotObjectDetection,
  segment: AutoModelForMaskGeneration,
  caption: AutoModelForImageTextToText,
};

const loaded = new Map<string, Promise<LoadedModel>>();

/**
 * ONNX Runtime options of every transformers.js session. The runtime's thread count: ORT's default, its
 * count of physical cores, is one on some VMs (measured on a 2-core one, bench-size models: GroundingDINO
 * 554 -> 293 ms a frame, SAM2 194 -> 127 ms). No spinning between parallel sections: a node's own work
 * between two runs then keeps its core (SAM2's node, per frame: 150 -> 126 ms).
 */
const MODEL_SESSION_OPTIONS = Object.freeze({
  intraOpNumThreads: cpuThreads(),
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});

/** Points transformers.js at the cache: local files are looked up there first, downloads land there. */
function configureEnv(resolved: ResolvedModel): void {
  env.allowLocalModels = true;
  env.localModelPath = resolved.cacheDir + '/';
  env.cacheDir = resolved.cacheDir;
  env.useFSCache = true;
  env.allowRemoteModels = resolved.source === 'hub';
}

const isNetworkError = (e: unknown) =>
  /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network|Could not locate file|status 40\d|allowRemoteModels/i.test(String((e as Error)?.message ?? e));

async function loadOnce(resolved: ResolvedModel, task: ModelTask, device: string): Promise<Omit<LoadedModel, 'resolved'>> {
  configureEnv(resolved);
  const options = { device, dtype: resolved.dtype, session_options: MODEL_SESSION_OPTIONS };
  const model = (await MODEL_CLASSES[task].from_pretrained(resolved.location, options)) as HfModel;
  const processor = (await AutoProcessor.from_pretrained(resolved.location, {})) as unknown as HfProcessor;
  installFastPreprocess(processor.image_processor); // the same pixel_values, bit for bit, in a fraction of the time
  installIdefics3Tiles(processor.image_processor);
  const family = (resolved.family ?? familyFromModel(model, resolved, task)) as ModelFamily;
  return { family, device, model, processor };
}

function familyFromModel(model: HfModel, resolved: ResolvedModel, task: ModelTask): ModelFamily {
  const type = String(model.config?.model_type);
  const match = (Object.values(FAMILIES) as (typeof FAMILIES)[ModelFamily][]).find((f) => f.modelTypes.includes(type));
  if (!match || match.task !== task) throw new Error(`model ${resolved.name}: model_type "${type}" cannot ${task}`);
  return match.family;
}

/**
 * Resolves and loads a model for a task (once per model, task, device and dtype; later calls share it).
 * A device other than cpu whose provider fails to load falls back to cpu with one log line.
 * @example const { model, processor } = await loadModel('/tmp/tiny-gdino', { task: 'ground' });
 */
export function loadModel(name: string, options: LoadOptions): Promise<LoadedModel> {
  const device = modelDevice(options.device);
  const key = JSON.stringify([name, options.task, device, options.dtype ?? 'fp32', options.cacheDir ?? '']);
  let entry = loaded.get(key);
  if (!entry) {
    entry = (async () => {
      const resolved = await resolveModel(name, options);
      try {
        return { resolved, ...(await loadWithFallback(resolved, options, device)) };
      } catch (e) {
        if (resolved.source === 'hub' && isNetworkError(e)) {
          throw offlineError(resolved.name, `${resolved.cacheDir}/${resolved.name}`, options.task, resolved.dtype, `download failed: ${(e as Error).message}`);
        }
        throw new Error(`model ${resolved.name} (${resolved.location}): transformers.js could not load it: ${(e as Error).message}`);
      }
    })();
    loaded.set(key, entry);
    entry.catch(() => loaded.delete(key));
  }
  return entry;
}

async function loadWithFallback(resolved: ResolvedModel, options: LoadOptions, device: string): Promise<Omit<LoadedModel, 'resolved'>> {
  try {
    return await loadOnce(resolved, options.task, device);
  } catch (e) {
    if (device === 'cpu' || (resolved.source === 'hub' && isNetworkError(e))) throw e;
    options.log?.warn(`model ${resolved.name}: device ${device} could not be used (${(e as Error).message.split('\n')[0]}); falling back to cpu`);
    return await loadOnce(resolved, options.task, 'cpu');
  }
}

/**
 * Releases every loaded model's sessions (for tests and long-lived servers that switch models).
 * @example await releaseModels();
 */
export async function releaseModels(): Promise<void> {
  const entries = [...loaded.values()];
  loaded.clear();
  await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.model.dispose()));
}

/**
 * Describes a session's inputs for error messages: `pixel_values float32[batch_size,3,1024,1024]`.
 * @example describeInputs(model.sessions.vision_encoder)
 */
export function describeInputs(session: HfSession): string {
  return (session.inputMetadata ?? session.inputNames.map((name) => ({ name })))
    .map((m) => `${m.name}${'type' in m && m.type ? ` ${m.type}` : ''}${'shape' in m && m.shape ? `[${m.shape.join(',')}]` : ''}`)
    .join(', ');
}

/**
 * Checks tensors against a session's declared inputs (dtype and fixed dimensions) before a run, so a
 * mismatch is one readable error naming the model, the session, the input, and both shapes.
 * @example checkFeeds(loaded, 'vision_encoder', { pixel_values })
 */
export function checkFeeds(model: string, sessionName: string, session: HfSession, feeds: Record<string, { type: string; dims: readonly number[] } | undefined>): void {
  for (const meta of session.inputMetadata ?? []) {
    const t = feeds[meta.name];
    if (!t || !meta.shape) continue;
    const bad =
      (meta.type && meta.type !== t.type) ||
      meta.shape.length !== t.dims.length ||
      meta.shape.some((d, i) => typeof d === 'number' && d >= 0 && d !== t.dims[i]);
    if (bad) {
      throw new Error(
        `model ${model}, session ${sessionName}: input "${meta.name}" expects ${meta.type ?? ''}[${meta.shape.join(',')}] ` +
          `but was given ${t.type}[${t.dims.join(',')}] (the model's preprocessor_config.json and its ONNX file disagree?)`,
      );
    }
  }
}

/**
 * Model resolution: a hub id (fetched on first use where the network allows, into a local cache) or a
 * local folder, checked against its family's file list before transformers.js sees it, so that a missing
 * model or file is one clear error naming what is expected and where.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { FAMILIES, familiesFor, familyFiles, familyOf, type ModelDtype, type ModelFamily, type ModelTask } from './families.js';

/**
 * A model that cannot be used: a folder or cache entry lacks files, or the model is of another family.
 * `missing` lists the relative paths expected and absent; `folder` is where they belong.
 * @example try { await resolveModel('x/y', { task: 'ground', allowRemote: false }); } catch (e) { if (e instanceof ModelFilesError) console.log(e.missing); }
 */
export class ModelFilesError extends Error {
  override readonly name = 'ModelFilesError';
  constructor(
    message: string,
    readonly folder: string,
    readonly missing: readonly string[],
  ) {
    super(message);
  }
}

/** Options of `resolveModel`. */
export interface ResolveOptions {
  /** What the model is for; decides the families accepted and the files expected. */
  task: ModelTask;
  /** Where hub models are cached (`<cacheDir>/<owner>/<name>/...`). Default: `defaultCacheDir()`. */
  cacheDir?: string;
  /** Whether a hub model missing from the cache may be downloaded. Default: `allowRemoteDefault()`. */
  allowRemote?: boolean;
  /** Weight variant (file suffix under onnx/). Default fp32. */
  dtype?: ModelDtype;
}

/** A resolved model: what to hand transformers.js and what is known about it. */
export interface ResolvedModel {
  /** The name the user gave (hub id or folder). */
  readonly name: string;
  /** A folder holding every file, or a hub id transformers.js will fetch into `cacheDir`. */
  readonly location: string;
  readonly source: 'folder' | 'cache' | 'hub';
  /** Known once config.json was read (always for folders and cache hits). */
  readonly family?: ModelFamily;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly cacheDir: string;
  readonly dtype: ModelDtype;
}

/**
 * The model cache folder: `CINEGRAPH_MODELS`, else `~/.cache/cinegraph/models`.
 * @example defaultCacheDir() // '/home/me/.cache/cinegraph/models'
 */
export function defaultCacheDir(): string {
  return process.env.CINEGRAPH_MODELS || path.join(homedir(), '.cache', 'cinegraph', 'models');
}

/**
 * Whether hub downloads are allowed by default: yes unless `CINEGRAPH_OFFLINE=1` or `HF_HUB_OFFLINE=1`.
 * @example allowRemoteDefault() // true
 */
export function allowRemoteDefault(): boolean {
  const on = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return !(on(process.env.CINEGRAPH_OFFLINE) || on(process.env.HF_HUB_OFFLINE));
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * Whether a model name is a local folder (a path that exists, or one written as a path) rather than a
 * hub id like `owner/name`.
 * @example isFolderName('./models/tiny-sam2') // true
 */
export function isFolderName(name: string): boolean {
  if (path.isAbsolute(name) || name.startsWith('.') || name.startsWith('~')) return true;
  return !HUB_ID.test(name) || (existsSync(name) && statSync(name).isDirectory());
}

const expandHome = (p: string) => (p.startsWith('~') ? path.join(homedir(), p.slice(1)) : p);

/** The files a task expects, listed per family for error messages. */
function expectedText(task: ModelTask, dtype: ModelDtype): string {
  return familiesFor(task)
    .map((f) => `${f}: ${familyFiles(f, dtype).join(', ')}`)
    .join('; or ');
}

async function readConfig(folder: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`model folder ${folder}: config.json is not valid JSON (${(e as Error).message})`);
  }
}

/** Checks a folder that holds config.json: the family serves the task and every file is present. */
async function checkFolder(name: string, folder: string, task: ModelTask, dtype: ModelDtype): Promise<{ family: ModelFamily; config: Record<string, unknown> }> {
  const config = await readConfig(folder);
  if (!config) {
    throw new ModelFilesError(
      `model ${name}: ${folder} has no config.json; a ${task} model folder holds ${expectedText(task, dtype)}`,
      folder,
      ['config.json'],
    );
  }
  const family = familyOf(config.model_type);
  if (!family || FAMILIES[family].task !== task) {
    const wanted = familiesFor(task).join(' or ');
    throw new ModelFilesError(
      `model ${name}: config.json says model_type "${String(config.model_type)}", but a ${task} model must be ${wanted}`,
      folder,
      [],
    );
  }
  const files = familyFiles(family, dtype);
  const missing = files.filter((f) => !existsSync(path.join(folder, f)));
  if (missing.length) {
    throw new ModelFilesError(
      `model ${name}: ${folder} is missing ${missing.join(', ')} (a ${family} model folder holds ${files.join(', ')})`,
      folder,
      missing,
    );
  }
  return { family, config };
}

/**
 * Finds a model by hub id or local folder and checks its files. A hub id is looked up in
 * `<cacheDir>/<id>`; when absent there, it resolves to the hub (transformers.js downloads it into the
 * cache on first load) if remote access is allowed, and otherwise fails naming every expected file and the
 * folder to put them in.
 * @example
 * const m = await resolveModel('onnx-community/grounding-dino-tiny-ONNX', { task: 'ground' });
 * const tiny = await resolveModel('/tmp/tiny-gdino', { task: 'ground' }); // tiny.family === 'grounding-dino'
 */
export async function resolveModel(name: string, options: ResolveOptions): Promise<ResolvedModel> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error(`no ${options.task} model given: name a hub id (e.g. ${FAMILIES[familiesFor(options.task)[0]!].example}) or a local folder`);
  const cacheDir = path.resolve(expandHome(options.cacheDir ?? defaultCacheDir()));
  const dtype = options.dtype ?? 'fp32';
  const allowRemote = options.allowRemote ?? allowRemoteDefault();
  if (isFolderName(trimmed)) {
    const folder = path.resolve(expandHome(trimmed));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new ModelFilesError(
        `model folder ${folder} does not exist; a ${options.task} model folder holds ${expectedText(options.task, dtype)}`,
        folder,
        familyFiles(familiesFor(options.task)[0]!, dtype),
      );
    }
    const { family, config } = await checkFolder(trimmed, folder, options.task, dtype);
    return { name: trimmed, location: folder, source: 'folder', family, config, cacheDir, dtype };
  }
  const cached = path.join(cacheDir, ...trimmed.split('/'));
  if (existsSync(path.join(cached, 'config.json'))) {
    const config = await readConfig(cached);
    const family = familyOf(config?.model_type);
    const complete = family !== undefined && familyFiles(family, dtype).every((f) => existsSync(path.join(cached, f)));
    if (complete || !allowRemote) {
      const checked = await checkFolder(trimmed, cached, options.task, dtype);
      return { name: trimmed, location: cached, source: 'cache', ...checked, cacheDir, dtype };
    }
  }
  if (!allowRemote) throw offlineError(trimmed, cached, options.task, dtype);
  return { name: trimmed, location: trimmed, source: 'hub', cacheDir, dtype };
}

/**
 * The error for a hub model that is not in the cache and cannot be downloaded (offline, or the download
 * failed): names the files expected and where to put them.
 * @example throw offlineError('onnx-community/grounding-dino-tiny-ONNX', '/cache/onnx-community/grounding-dino-tiny-ONNX', 'ground', 'fp32');
 */
export function offlineError(id: string, folder: string, task: ModelTask, dtype: ModelDtype, cause?: string): ModelFilesError {
  const families = familiesFor(task);
  const missing = [...new Set(families.flatMap((f) => familyFiles(f, dtype)))].filter((f) => !existsSync(path.join(folder, f)));
  return new ModelFilesError(
    `model ${id} is not available${cause ? ` (${cause})` : ' offline'}: put its files in ${folder} ` +
      `(expected ${expectedText(task, dtype)}; from https://huggingface.co/${id}), ` +
      `or name a local model folder instead, or allow downloads (unset CINEGRAPH_OFFLINE) where the network allows`,
    folder,
    missing,
  );
}

/**
 * Text-encoder resolution, by the rules of ml/models/resolve.ts: a local folder, or a hub id looked up in
 * the model cache and otherwise downloaded by transformers.js where the network allows (T5 family only),
 * with one error naming the files expected and where they belong.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { allowRemoteDefault, defaultCacheDir, isFolderName, ModelFilesError } from '../models/index.js';
import { TEXT_ENCODER_FAMILIES, textEncoderFamilyOf, textEncoderFiles, type TextEncoderFamily } from './families.js';

/** Options of `resolveTextEncoder`. */
export interface ResolveTextEncoderOptions {
  cacheDir?: string;
  allowRemote?: boolean;
}

/** A resolved text encoder. */
export interface ResolvedTextEncoder {
  readonly name: string;
  /** A folder, or a hub id transformers.js fetches into `cacheDir`. */
  readonly location: string;
  readonly source: 'folder' | 'cache' | 'hub';
  /** Known for folders and cache hits; a hub download is a T5-family model. */
  readonly family: TextEncoderFamily;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly cacheDir: string;
}

const expected = () => (Object.keys(TEXT_ENCODER_FAMILIES) as TextEncoderFamily[]).map((f) => `${f}: ${textEncoderFiles(f).join(', ')}`).join('; or ');

async function checkFolder(name: string, folder: string): Promise<{ family: TextEncoderFamily; config: Record<string, unknown> }> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelFilesError(
      missing ? `text encoder ${name}: ${folder} has no config.json; a text encoder folder holds ${expected()}` : `text encoder ${name}: ${folder}/config.json is not valid JSON (${(e as Error).message})`,
      folder,
      missing ? ['config.json'] : [],
    );
  }
  const family = textEncoderFamilyOf(config.model_type);
  if (!family) {
    const known = Object.values(TEXT_ENCODER_FAMILIES).flatMap((f) => f.modelTypes).join(', ');
    throw new ModelFilesError(`text encoder ${name}: config.json says model_type "${String(config.model_type)}", but a text encoder must be one of ${known}`, folder, []);
  }
  const files = textEncoderFiles(family);
  const missing = files.filter((f) => !existsSync(path.join(folder, f)));
  if (missing.length) throw new ModelFilesError(`text encoder ${name}: ${folder} is missing ${missing.join(', ')} (a ${family} folder holds ${files.join(', ')})`, folder, missing);
  return { family, config };
}

/**
 * Finds a text encoder by folder or hub id and checks its files.
 * @example const r = await resolveTextEncoder('/tmp/tiny-t5'); // r.family === 't5'
 */
export async function resolveTextEncoder(name: string, options: ResolveTextEncoderOptions = {}): Promise<ResolvedTextEncoder> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error(`no text encoder given: name a T5 encoder (e.g. ${TEXT_ENCODER_FAMILIES.t5.example}) or an embedding-table folder`);
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  if (isFolderName(trimmed)) {
    const folder = path.resolve(trimmed.startsWith('~') ? path.join(homedir(), trimmed.slice(1)) : trimmed);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new ModelFilesError(`text encoder folder ${folder} does not exist; a text encoder folder holds ${expected()}`, folder, textEncoderFiles('t5'));
    }
    return { name: trimmed, location: folder, source: 'folder', ...(await checkFolder(trimmed, folder)), cacheDir };
  }
  const cached = path.join(cacheDir, ...trimmed.split('/'));
  const allowRemote = options.allowRemote ?? allowRemoteDefault();
  if (existsSync(path.join(cached, 'config.json'))) {
    try {
      return { name: trimmed, location: cached, source: 'cache', ...(await checkFolder(trimmed, cached)), cacheDir };
    } catch (e) {
      if (!allowRemote) throw e;
    }
  }
  if (!allowRemote) {
    const files = textEncoderFiles('t5');
    throw new ModelFilesError(
      `text encoder ${trimmed} is not available offline: put its files in ${cached} (expected ${files.join(', ')}; from https://huggingface.co/${trimmed}), or name a local folder, or allow downloads (unset CINEGRAPH_OFFLINE)`,
      cached,
      files.filter((f) => !existsSync(path.join(cached, f))),
    );
  }
  return { name: trimmed, location: trimmed, source: 'hub', family: 't5', cacheDir };
}

/**
 * Loading a VAE folder (Optimum/diffusers ONNX layout: vae_encoder/model.onnx, vae_decoder/model.onnx,
 * config.json) onto a device, and encoding images to latents and decoding latents to images with the
 * config's scale and shift. Sessions come from ml/runtime (checked inputs, device fallback, shared cache).
 *
 * Encoder outputs understood: `latent_parameters` (Optimum's export of AutoencoderKL: mean and log-variance,
 * 2C channels; the mean is used, as diffusers' `latent_dist.mode()`) or `latent_sample` (C channels).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSession, ort, type CheckedSession, type RuntimeLog } from '../runtime/index.js';
import { defaultCacheDir, isFolderName, ModelFilesError } from '../models/index.js';
import { assertLatent, type Latent } from '../diffusion/latent.js';
import { parseVaeConfig, type VaeConfig } from './config.js';
import { VAE_FILES, vaeConfigFile } from './files.js';
import { imageToTensor, tensorToImage, type VaeImage } from './pixels.js';

/** Options of `loadVae`. */
export interface LoadVaeOptions {
  /** Device (cpu, cuda, webgpu, auto). Default: the runtime's choice. */
  device?: string;
  log?: RuntimeLog;
  /** Where a hub id is looked up (`<cacheDir>/<owner>/<name>`). Default: the model cache. */
  cacheDir?: string;
}

/** A loaded VAE. */
export interface Vae {
  readonly folder: string;
  readonly config: VaeConfig;
  /** Whether the folder has an encoder (decode-only exports exist). */
  readonly canEncode: boolean;
  /** RGB(A) pixels -> a scaled latent ((z - shift) * scale); sides must be multiples of the downscale factor. */
  encode(image: VaeImage): Promise<Latent>;
  /** A scaled latent -> RGB pixels (z / scale + shift, decoded, clamped to 0..255). */
  decode(latent: Latent): Promise<VaeImage>;
  /** Gives the sessions back to the runtime's cache (a later loadVae opens the folder again). */
  release(): Promise<void>;
}

/**
 * Finds a VAE folder: a local folder, or a hub id already in the model cache (VAE folders are not
 * downloaded: the error says where to put the files).
 * @example resolveVaeFolder('/models/tiny-vae') // '/models/tiny-vae'
 */
export function resolveVaeFolder(name: string, cacheDir = defaultCacheDir()): string {
  const trimmed = name.trim();
  if (!trimmed) throw new Error(`no VAE given: name a VAE folder holding ${VAE_FILES.decoder} (and ${VAE_FILES.encoder}) with a config.json`);
  const folder = isFolderName(trimmed) ? path.resolve(trimmed.replace(/^~(?=$|\/)/, process.env.HOME ?? '~')) : path.join(cacheDir, ...trimmed.split('/'));
  const expected = [VAE_FILES.encoder, VAE_FILES.decoder, 'vae_decoder/config.json'];
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ModelFilesError(`VAE ${trimmed}: folder ${folder} does not exist; a VAE folder holds ${expected.join(', ')}`, folder, expected);
  }
  const missing: string[] = [VAE_FILES.decoder].filter((f) => !existsSync(path.join(folder, f)));
  if (!vaeConfigFile(folder)) missing.push('vae_decoder/config.json');
  if (missing.length) {
    throw new ModelFilesError(`VAE ${trimmed}: ${folder} is missing ${missing.join(', ')} (a VAE folder holds ${expected.join(', ')}; the config may also be ./config.json)`, folder, missing);
  }
  return folder;
}

/** Reads and checks a VAE folder's config. */
export async function readVaeConfig(folder: string): Promise<VaeConfig> {
  const file = vaeConfigFile(folder);
  if (!file) throw new Error(`VAE folder ${folder} has no config.json (looked for ${VAE_FILES.configs.join(', ')})`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseVaeConfig(raw, file);
}

function outputName(session: CheckedSession, file: string): 'latent_parameters' | 'latent_sample' {
  const names = session.outputs.map((o) => o.name);
  if (names.includes('latent_parameters')) return 'latent_parameters';
  if (names.includes('latent_sample')) return 'latent_sample';
  throw new Error(`VAE encoder ${file}: expected an output named latent_parameters or latent_sample, found ${names.join(', ')}`);
}

/**
 * Loads a VAE folder (or a cached hub id) for encoding and decoding, once per folder and device (later
 * calls share it).
 * @example
 * const vae = await loadVae('/models/tiny-vae', { device: 'cpu' });
 * const z = await vae.encode(image); const back = await vae.decode(z);
 */
export async function loadVae(name: string, options: LoadVaeOptions = {}): Promise<Vae> {
  const folder = resolveVaeFolder(name, options.cacheDir);
  // Keyed by the files' times too, so a folder written again is loaded again.
  const stamp = [VAE_FILES.encoder, VAE_FILES.decoder].map((f) => (existsSync(path.join(folder, f)) ? statSync(path.join(folder, f)).mtimeMs : 0));
  const key = JSON.stringify([folder, ...stamp, options.device ?? '']);
  let entry = loaded.get(key);
  if (!entry) {
    entry = open(folder, options, key);
    loaded.set(key, entry);
    entry.catch(() => loaded.delete(key));
  }
  return entry;
}

/**
 * Releases every loaded VAE's sessions (tests, servers switching models).
 * @example await releaseVaes();
 */
export async function releaseVaes(): Promise<void> {
  const entries = [...loaded.values()];
  loaded.clear();
  await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.release()));
}

const loaded = new Map<string, Promise<Vae>>();

async function open(folder: string, options: LoadVaeOptions, key: string): Promise<Vae> {
  const config = await readVaeConfig(folder);
  const encoderFile = path.join(folder, VAE_FILES.encoder);
  const decoderFile = path.join(folder, VAE_FILES.decoder);
  const sessionOptions = { device: options.device, log: options.log };
  const decoder = await createSession(decoderFile, sessionOptions);
  const encoder = existsSync(encoderFile) ? await createSession(encoderFile, sessionOptions) : undefined;
  const encoderOutput = encoder ? outputName(encoder, encoderFile) : undefined;
  const { latentChannels: C, downscale: f, scalingFactor: scale, shiftFactor: shift } = config;

  return {
    folder,
    config,
    canEncode: encoder !== undefined,
    async encode(image) {
      if (!encoder) throw new Error(`VAE ${folder} has no encoder (${VAE_FILES.encoder}); it can only decode`);
      const { width, height } = image;
      if (width % f || height % f) {
        throw new Error(`VAE ${folder}: image of ${width}x${height} pixels; both sides must be multiples of ${f} (resize or crop it first, e.g. with image/resize)`);
      }
      const sample = new ort.Tensor('float32', imageToTensor(image), [1, 3, height, width]);
      const out = (await encoder.run({ sample }))[encoderOutput!]!;
      const [, channels, h, w] = out.dims as number[];
      const expected = encoderOutput === 'latent_parameters' ? 2 * C : C;
      if (channels !== expected || h !== height / f || w !== width / f) {
        throw new Error(`VAE encoder ${encoderFile}: ${encoderOutput} is [${out.dims.join(',')}], but config says ${expected} channels at 1/${f} of ${width}x${height}`);
      }
      const z = out.data as Float32Array;
      const data = new Float32Array(C * h! * w!);
      for (let i = 0; i < data.length; i++) data[i] = (z[i]! - shift) * scale; // the mean: the first C channels
      return { data, channels: C, height: h!, width: w! };
    },
    async decode(latent) {
      assertLatent(latent, `VAE ${folder}: latent`);
      if (latent.channels !== C) throw new Error(`VAE ${folder}: latent has ${latent.channels} channels, this VAE takes ${C}`);
      const z = new Float32Array(latent.data.length);
      for (let i = 0; i < z.length; i++) z[i] = latent.data[i]! / scale + shift;
      const latent_sample = new ort.Tensor('float32', z, [1, C, latent.height, latent.width]);
      const out = (await decoder.run({ latent_sample })).sample;
      if (!out) throw new Error(`VAE decoder ${decoderFile}: no output named "sample" (found ${decoder.outputs.map((o) => o.name).join(', ')})`);
      const [, , H, W] = out.dims as number[];
      return tensorToImage(out.data as Float32Array, W!, H!);
    },
    async release() {
      loaded.delete(key);
      await decoder.release();
      await encoder?.release();
    },
  };
}

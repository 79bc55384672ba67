/**
 * What dit/edit, dit/compose and dit/story share: the sampling widgets, opening the model and a session
 * from them, fitting images to the model's grid, and per-step progress with cancellation.
 */
import { T, type NodeContext, type RawImage } from '../../engine/index.js';
import { ensureTinyEditModel, InContextSession, loadEditModel, type EditModel, type TurnLayout } from '../../ml/edit/index.js';
import type { Latent } from '../../ml/diffusion/index.js';
import { cropImage, previewDataUrl } from '../../media/image/index.js';
import { deviceInput } from './inputs.js';

/** The sampling widgets of the in-context nodes. */
export const samplingInputs = {
  model: {
    type: T.STRING,
    default: 'tiny',
    description: "editing model folder (config.json, DiT weights, vae/, text/); 'tiny' writes a tiny random model into <data>/models/tiny-edit on first use",
  },
  steps: { type: T.INT, default: 50, min: 1, max: 1000, description: 'Euler steps per image (VINCIE: 50)' },
  shift: { type: T.FLOAT, default: 12, min: 0.01, max: 100, step: 0.5, description: 'SD3 timestep shift (VINCIE 3B: 12, 7B: 10)' },
  cfg: { type: T.FLOAT, default: 7.5, min: 0, max: 30, step: 0.5, description: 'text guidance scale; 1 turns guidance off (VINCIE 3B: 7.5)' },
  imageCfg: { type: T.FLOAT, default: 1, min: 0, max: 30, step: 0.5, description: 'image guidance scale; 1 turns it off (a third branch without context images)' },
  negative: { type: T.STRING, default: '', multiline: true, description: 'negative prompt: replaces every turn text in the unconditional branch (images kept)' },
  seed: { type: T.INT, default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, description: 'noise seed (CPU output is bit-identical for a seed)' },
  attention: { type: T.STRING, default: 'block-causal', choices: ['block-causal', 'full'], description: 'block-causal: a turn sees itself and earlier turns (cacheable); full: every token sees every token' },
  cache: { type: T.BOOLEAN, default: true, description: 'block-causal only: keep earlier turns\' keys and values across steps and turns (same result, flat turn cost)' },
  layout: {
    type: T.STRING,
    default: 'joint',
    choices: ['joint', 'split'],
    description: "joint: a turn is a text and its image (the reference); split: a text is a turn of its own, so the current turn's text is cached too",
  },
  device: deviceInput,
} as const;

/** The widget values of {@link samplingInputs}. */
export interface SamplingValues {
  readonly model: string;
  readonly steps: number;
  readonly shift: number;
  readonly cfg: number;
  readonly imageCfg: number;
  readonly negative: string;
  readonly seed: number;
  readonly attention: string;
  readonly cache: boolean;
  readonly layout: string;
  readonly device: string;
}

/**
 * The model folder of a `model` widget: 'tiny' (written on demand into the data folder) or a path.
 * @example await modelFolder('tiny', ctx) // '<data>/models/tiny-edit'
 */
export async function modelFolder(model: string, ctx: NodeContext): Promise<string> {
  const name = model.trim();
  if (name === '' || name === 'tiny') {
    const dataDir = typeof ctx.services.dataDir === 'string' ? ctx.services.dataDir : process.env.CINEGRAPH_DATA || 'data';
    return ensureTinyEditModel(dataDir);
  }
  return name;
}

/** Opens the model and a session from the widgets. */
export async function openSession(v: SamplingValues, ctx: NodeContext): Promise<{ model: EditModel; session: InContextSession }> {
  const model = await loadEditModel(await modelFolder(v.model, ctx), { device: v.device, log: ctx.log });
  const session = await InContextSession.open(model, {
    attention: v.attention === 'full' ? 'full' : 'block-causal',
    cache: v.cache,
    layout: v.layout as TurnLayout,
    guidance: { scale: v.cfg, imageScale: v.imageCfg === 1 ? undefined : v.imageCfg, negativePrompt: v.negative },
    steps: v.steps,
    shift: v.shift,
    seed: v.seed,
  });
  return { model, session };
}

/** Pixels per DiT token side: the VAE's downscale times the DiT's patch. */
export function pixelGrid(model: EditModel): number {
  return model.vae.config.downscale * Math.max(model.config.dit.patch[1], model.config.dit.patch[2]);
}

/**
 * Crops an image (centred) to sides that are multiples of the model's grid, and encodes it.
 * @example const z = await encodeFitted(model, image, 'input "image"');
 */
export async function encodeFitted(model: EditModel, image: RawImage, where: string): Promise<Latent> {
  const m = pixelGrid(model);
  const width = image.width - (image.width % m);
  const height = image.height - (image.height % m);
  if (width < m || height < m) throw new Error(`${where}: ${image.width}x${image.height} pixels is smaller than the model's ${m}x${m} grid`);
  const fitted = width === image.width && height === image.height
    ? image
    : cropImage(image, { x: Math.floor((image.width - width) / 2), y: Math.floor((image.height - height) / 2), width, height });
  return model.vae.encode(fitted);
}

/**
 * Generates one image, reporting progress over all the node's steps and a preview when done.
 * @example const { image, latent } = await generateImage(model, session, prompt, size, { done: k * steps, total }, ctx);
 */
export async function generateImage(
  model: EditModel, session: InContextSession, prompt: string, size: { height: number; width: number },
  progress: { done: number; total: number }, ctx: NodeContext,
): Promise<{ image: RawImage; latent: Latent }> {
  const latent = await session.generate(prompt, {
    height: size.height,
    width: size.width,
    signal: ctx.signal,
    onStep: ({ step }) => ctx.progress(progress.done + step, progress.total),
  });
  const image = (await model.vae.decode(latent)) as RawImage;
  ctx.preview(await previewDataUrl(image));
  return { image, latent };
}

/**
 * DiT configurations: the sizes of the VINCIE-style MM-DiT ("NaDiT") and the derived quantities every other
 * part of ml/dit reads (patch vector sizes, SwiGLU width, the rotary layout).
 */

/** The sizes of one DiT. Field names follow the reference's config (configs/generate.yaml of VINCIE). */
export interface DitConfig {
  /** A name for messages and the ONNX graph. */
  readonly name: string;
  /** Hidden width of both streams (the reference's vid_dim = txt_dim). */
  readonly width: number;
  readonly heads: number;
  readonly headDim: number;
  readonly layers: number;
  /** The first `mmLayers` blocks have separate text and vision weights; later blocks share one set. */
  readonly mmLayers: number;
  /** SwiGLU width = round_up(2 * width * expandRatio / 3, multipleOf). */
  readonly expandRatio: number;
  readonly multipleOf: number;
  /** Latent channels C of the VAE; a vision token carries 2C + 1 channels (noisy, clean context, flag). */
  readonly latentChannels: number;
  /** Patch size [t, h, w]. */
  readonly patch: readonly [number, number, number];
  /** Width of the text encoder's features (and of the turn embedding, which is concatenated before them). */
  readonly textDim: number;
  /** Slots of the learned turn embedding. */
  readonly turnSlots: number;
  /** Width of the sinusoidal timestep features. */
  readonly timeFreqDim: number;
  /** t in [0, 1] is multiplied by this before the sinusoid (the reference's T = 1000). */
  readonly timestepScale: number;
  /** Dimensions of each head that RoPE covers (split in three axes); the reference's rope_dim. */
  readonly ropeDim: number;
  readonly ropeTheta: number;
  readonly normEps: number;
}

function config(c: DitConfig): DitConfig {
  if (c.mmLayers > c.layers) throw new Error(`DiT config '${c.name}': mmLayers ${c.mmLayers} exceeds layers ${c.layers}`);
  if (c.ropeDim > c.headDim) throw new Error(`DiT config '${c.name}': ropeDim ${c.ropeDim} exceeds headDim ${c.headDim}`);
  if (c.headDim % 2 !== 0 || c.timeFreqDim % 2 !== 0) throw new Error(`DiT config '${c.name}': headDim and timeFreqDim must be even`);
  return Object.freeze({ ...c });
}

/**
 * The shipped configurations: `tiny` (tests, under 1M parameters), `small` (a CPU demo, about 36M) and
 * `vincie-3b` (the reference's sizes, about 3.4B; build it without weights for shape and size checks).
 * @example const c = DIT_CONFIGS.tiny; c.width // 32
 */
export const DIT_CONFIGS = {
  tiny: config({
    name: 'tiny', width: 32, heads: 2, headDim: 16, layers: 3, mmLayers: 1, expandRatio: 4, multipleOf: 32,
    latentChannels: 4, patch: [1, 2, 2], textDim: 24, turnSlots: 64, timeFreqDim: 32, timestepScale: 1000,
    ropeDim: 16, ropeTheta: 10000, normEps: 1e-5,
  }),
  small: config({
    name: 'small', width: 512, heads: 8, headDim: 64, layers: 8, mmLayers: 2, expandRatio: 4, multipleOf: 256,
    latentChannels: 16, patch: [1, 2, 2], textDim: 512, turnSlots: 64, timeFreqDim: 256, timestepScale: 1000,
    ropeDim: 64, ropeTheta: 10000, normEps: 1e-5,
  }),
  'vincie-3b': config({
    name: 'vincie-3b', width: 2560, heads: 20, headDim: 128, layers: 32, mmLayers: 10, expandRatio: 4, multipleOf: 256,
    latentChannels: 16, patch: [1, 2, 2], textDim: 5120, turnSlots: 64, timeFreqDim: 256, timestepScale: 1000,
    ropeDim: 128, ropeTheta: 10000, normEps: 1e-5,
  }),
} as const satisfies Record<string, DitConfig>;

/** A shipped configuration's name. */
export type DitConfigName = keyof typeof DIT_CONFIGS;

/**
 * A configuration by name, or the given one (checked).
 * @example ditConfig('tiny').layers // 3
 */
export function ditConfig(c: DitConfig | DitConfigName | string): DitConfig {
  if (typeof c !== 'string') return config(c);
  const found = (DIT_CONFIGS as Record<string, DitConfig>)[c];
  if (!found) throw new Error(`unknown DiT config '${c}'; known: ${Object.keys(DIT_CONFIGS).join(', ')}`);
  return found;
}

/** Values per patch: pt * ph * pw. @example patchVolume(ditConfig('tiny')) // 4 */
export function patchVolume(c: DitConfig): number {
  return c.patch[0] * c.patch[1] * c.patch[2];
}

/** Width of a vision token's input: (2C + 1) * patch volume. @example patchInDim(ditConfig('tiny')) // 36 */
export function patchInDim(c: DitConfig): number {
  return (2 * c.latentChannels + 1) * patchVolume(c);
}

/** Width of a vision token's output (the velocity of C channels): C * patch volume. @example patchOutDim(ditConfig('tiny')) // 16 */
export function patchOutDim(c: DitConfig): number {
  return c.latentChannels * patchVolume(c);
}

/** Hidden width of the SwiGLU MLP (the reference's rule). @example mlpHidden(DIT_CONFIGS['vincie-3b']) // 6912 */
export function mlpHidden(c: DitConfig): number {
  const h = Math.floor((2 * c.width * c.expandRatio) / 3);
  return c.multipleOf * Math.ceil(h / c.multipleOf);
}

/** Width of the modulation embedding: 6 * width (shift, scale, gate for the attention and the MLP). */
export function embDim(c: DitConfig): number {
  return 6 * c.width;
}

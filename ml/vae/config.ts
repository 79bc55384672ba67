/**
 * VAE configs: diffusers' AutoencoderKL config.json (SD3's 16-channel VAE: `latent_channels`,
 * `block_out_channels`, `scaling_factor`, `shift_factor`) and Cinegraph's patch VAE, which writes the same
 * keys plus `patch_size`. Latents given to the DiT are (z - shift_factor) * scaling_factor.
 */

/** What the runtime needs from a VAE config. */
export interface VaeConfig {
  /** `_class_name`: 'AutoencoderKL', 'CinegraphPatchVAE', ... */
  readonly kind: string;
  readonly latentChannels: number;
  /** Pixels per latent cell along each side (8 for SD3's VAE; p for a p x p patch VAE). */
  readonly downscale: number;
  readonly scalingFactor: number;
  readonly shiftFactor: number;
  /** The JSON as read. */
  readonly raw: Readonly<Record<string, unknown>>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Reads a VAE config.json object; `where` names the file in errors.
 * @example parseVaeConfig({ _class_name: 'AutoencoderKL', latent_channels: 16, block_out_channels: [128, 256, 512, 512], scaling_factor: 1.5305, shift_factor: 0.0609 }, 'vae/config.json')
 */
export function parseVaeConfig(raw: Record<string, unknown>, where: string): VaeConfig {
  const latentChannels = num(raw.latent_channels);
  if (!latentChannels || !Number.isInteger(latentChannels)) throw new Error(`${where}: "latent_channels" must be a positive integer, got ${JSON.stringify(raw.latent_channels)}`);
  let downscale = num(raw.patch_size) ?? num(raw.downscale);
  if (downscale === undefined && Array.isArray(raw.block_out_channels)) downscale = 2 ** Math.max(0, raw.block_out_channels.length - 1);
  if (!downscale || !Number.isInteger(downscale)) {
    throw new Error(`${where}: cannot tell the VAE's downscale factor: give "patch_size" or diffusers' "block_out_channels"`);
  }
  const scalingFactor = num(raw.scaling_factor) ?? 1;
  if (scalingFactor === 0) throw new Error(`${where}: "scaling_factor" must not be 0`);
  return {
    kind: typeof raw._class_name === 'string' ? raw._class_name : 'AutoencoderKL',
    latentChannels,
    downscale,
    scalingFactor,
    shiftFactor: num(raw.shift_factor) ?? 0,
    raw,
  };
}

/**
 * Patchify and unpatchify: a latent [C, T, H, W] (channel-major) <-> patch tokens [N, C * pt * ph * pw] in
 * (t, row, column) order. A token's vector is laid out channel-major, (c, dt, dy, dx), like the weight of a
 * Conv3d patch embedding flattened, so such a weight reshaped to [width, C * pt * ph * pw] loads as is.
 */

/** A latent volume: C x T x H x W floats, channel-major. Images have T = 1. */
export interface LatentVolume {
  readonly data: Float32Array;
  readonly channels: number;
  readonly frames: number;
  readonly height: number;
  readonly width: number;
}

/** The token grid of a patchified latent. */
export interface PatchGrid { readonly t: number; readonly h: number; readonly w: number }

function gridOf(v: Pick<LatentVolume, 'frames' | 'height' | 'width'>, patch: readonly [number, number, number]): PatchGrid {
  const [pt, ph, pw] = patch;
  if (v.frames % pt || v.height % ph || v.width % pw) {
    throw new Error(`latent ${v.frames}x${v.height}x${v.width} (T x H x W) is not divisible by the patch ${pt}x${ph}x${pw}`);
  }
  return { t: v.frames / pt, h: v.height / ph, w: v.width / pw };
}

/**
 * Cuts a latent into patch tokens.
 * @example const { tokens, grid } = patchify({ data, channels: 4, frames: 1, height: 8, width: 8 }, [1, 2, 2]); // tokens: 16 x 16
 */
export function patchify(v: LatentVolume, patch: readonly [number, number, number]): { tokens: Float32Array; grid: PatchGrid } {
  const { channels: C, frames: T, height: H, width: W } = v;
  if (v.data.length !== C * T * H * W) throw new Error(`latent data has ${v.data.length} values, expected C*T*H*W = ${C * T * H * W}`);
  const grid = gridOf(v, patch);
  const [pt, ph, pw] = patch;
  const dim = C * pt * ph * pw;
  const tokens = new Float32Array(grid.t * grid.h * grid.w * dim);
  let o = 0;
  for (let gt = 0; gt < grid.t; gt++) for (let gy = 0; gy < grid.h; gy++) for (let gx = 0; gx < grid.w; gx++) {
    for (let c = 0; c < C; c++) for (let dt = 0; dt < pt; dt++) for (let dy = 0; dy < ph; dy++) for (let dx = 0; dx < pw; dx++) {
      tokens[o++] = v.data[((c * T + gt * pt + dt) * H + gy * ph + dy) * W + gx * pw + dx];
    }
  }
  return { tokens, grid };
}

/**
 * Puts patch tokens back into a latent (the inverse of {@link patchify}).
 * @example const latent = unpatchify(velocity, 4, { t: 1, h: 4, w: 4 }, [1, 2, 2]); // 4 x 1 x 8 x 8
 */
export function unpatchify(tokens: Float32Array, channels: number, grid: PatchGrid, patch: readonly [number, number, number]): LatentVolume {
  const [pt, ph, pw] = patch;
  const T = grid.t * pt;
  const H = grid.h * ph;
  const W = grid.w * pw;
  const dim = channels * pt * ph * pw;
  if (tokens.length !== grid.t * grid.h * grid.w * dim) {
    throw new Error(`unpatchify: ${tokens.length} values do not make ${grid.t * grid.h * grid.w} tokens of ${dim}`);
  }
  const data = new Float32Array(channels * T * H * W);
  let o = 0;
  for (let gt = 0; gt < grid.t; gt++) for (let gy = 0; gy < grid.h; gy++) for (let gx = 0; gx < grid.w; gx++) {
    for (let c = 0; c < channels; c++) for (let dt = 0; dt < pt; dt++) for (let dy = 0; dy < ph; dy++) for (let dx = 0; dx < pw; dx++) {
      data[((c * T + gt * pt + dt) * H + gy * ph + dy) * W + gx * pw + dx] = tokens[o++];
    }
  }
  return { data, channels, frames: T, height: H, width: W };
}

/**
 * The DiT's input channels of one frame: noisy latent C + clean context latent C + one flag channel
 * (1 on context frames, 0 on the target). Absent parts are zeros.
 * @example const x = frameInput({ channels: 4, frames: 1, height: 8, width: 8, noisy: xt, context: null, isContext: false });
 */
export function frameInput(f: {
  channels: number; frames: number; height: number; width: number;
  noisy?: Float32Array | null; context?: Float32Array | null; isContext: boolean;
}): LatentVolume {
  const n = f.frames * f.height * f.width;
  const C = f.channels;
  const data = new Float32Array((2 * C + 1) * n);
  for (const [part, at] of [[f.noisy, 0], [f.context, C * n]] as const) {
    if (!part) continue;
    if (part.length !== C * n) throw new Error(`frame input: a latent part has ${part.length} values, expected ${C * n} (C=${C}, ${f.frames}x${f.height}x${f.width})`);
    data.set(part, at);
  }
  if (f.isContext) data.fill(1, 2 * C * n);
  return { data, channels: 2 * C + 1, frames: f.frames, height: f.height, width: f.width };
}

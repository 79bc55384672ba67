/**
 * A session in the VAE's latent space, the objective's input: every frame and mask encoded once (masks are
 * images in the sequence: a 1-channel mask is encoded as a grey RGB image), with the texts it needs.
 */
import type { Session } from '../../media/session/index.js';
import type { Vae } from '../vae/index.js';

/** One transition's texts and mask latents. */
export interface LatentTransition {
  /** T_i, the instruction. */
  readonly text: string;
  /** Tm_i0 / Tm_i1: the region phrases ("" when absent). */
  readonly regions: { readonly source: string; readonly target: string };
  /** M_i0 / M_i1 latents, or null when the session has no such mask. */
  readonly masks: { readonly source: Float32Array | null; readonly target: Float32Array | null };
}

/** A session encoded by a VAE: latents of C x height x width each. */
export interface LatentSession {
  readonly key: string;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly frames: readonly Float32Array[];
  readonly transitions: readonly LatentTransition[];
}

/**
 * Encodes a session's frames and masks with a VAE (sequentially; the VAE's session is shared).
 * @example const z = await encodeSession(session, model.vae);
 */
export async function encodeSession(session: Session, vae: Vae): Promise<LatentSession> {
  const { record } = session;
  if (session.frames.length !== record.frames.length) throw new Error(`session ${record.key}: ${session.frames.length} decoded frames for ${record.frames.length} in the record (read shards with decode: true)`);
  let shape: { channels: number; height: number; width: number } | undefined;
  const encode = async (img: { width: number; height: number; channels: number; data: Uint8Array }, what: string): Promise<Float32Array> => {
    const rgb = img.channels === 1 ? grey(img) : img;
    const z = await vae.encode({ width: rgb.width, height: rgb.height, channels: rgb.channels as 3 | 4, data: rgb.data });
    if (shape && (z.channels !== shape.channels || z.height !== shape.height || z.width !== shape.width)) {
      throw new Error(`session ${record.key}: ${what} encodes to ${z.channels}x${z.height}x${z.width}, the first frame to ${shape.channels}x${shape.height}x${shape.width}`);
    }
    shape ??= { channels: z.channels, height: z.height, width: z.width };
    return z.data;
  };
  const frames: Float32Array[] = [];
  for (const [i, f] of session.frames.entries()) frames.push(await encode(f, `frame ${i}`));
  const transitions: LatentTransition[] = [];
  for (const [i, t] of record.transitions.entries()) {
    const pair = session.masks[i];
    transitions.push({
      text: t.text,
      regions: { source: t.regions.source, target: t.regions.target },
      masks: {
        source: pair?.source ? await encode(pair.source, `mask ${i}.mask0`) : null,
        target: pair?.target ? await encode(pair.target, `mask ${i}.mask1`) : null,
      },
    });
  }
  return { key: record.key, channels: shape!.channels, height: shape!.height, width: shape!.width, frames, transitions };
}

function grey(m: { width: number; height: number; data: Uint8Array }): { width: number; height: number; channels: 3; data: Uint8Array } {
  const data = new Uint8Array(m.width * m.height * 3);
  for (let i = 0; i < m.width * m.height; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = m.data[i]!;
  return { width: m.width, height: m.height, channels: 3, data };
}

/**
 * Training sessions from a shard folder: a held-out split decided on the stored order (every n-th session,
 * the sessions `dataset/read-shards` gives worker 0 of n), a seeded shuffle per epoch, and frames and masks
 * fitted to one training size so that every session of a batch encodes to the same latent shape.
 */
import { resolve } from 'node:path';
import { resizeImage, type RawImage } from '../../media/image/index.js';
import type { Session } from '../../media/session/index.js';
import { listShards, readShards } from '../../media/shards/index.js';

/** What the training source needs. */
export interface ShardSourceOptions {
  readonly dir: string;
  /** Every `holdout`-th session of the stored order is kept out of training (0: none). */
  readonly holdout: number;
  /** Shuffle buffer (0: stored order every epoch). */
  readonly shuffle: number;
  readonly seed: number;
  /** Training size in pixels (0 and 0: the stored size, which every session must then share). */
  readonly width: number;
  readonly height: number;
  readonly signal?: AbortSignal;
}

/**
 * Opens the shard folder and returns the Trainer's `sessions(epoch)` and how many sessions it trains on.
 * Throws naming the folder when it has no session left to train on.
 * @example const { sessions, count } = await shardSource({ dir: 'out/shards', holdout: 10, shuffle: 64, seed: 1, width: 32, height: 32 });
 */
export async function shardSource(o: ShardSourceOptions): Promise<{ sessions: (epoch: number) => AsyncIterable<Session>; count: number; heldOut: number }> {
  const dir = resolve(o.dir);
  let keys: string[];
  try {
    keys = (await listShards(dir)).flatMap((e) => e.keys);
  } catch (error) {
    throw new Error(`input "shards": cannot list the shards in ${dir}: ${(error as Error).message}`);
  }
  const heldOut = new Set(o.holdout > 0 ? keys.filter((_, i) => i % o.holdout === 0) : []);
  const count = keys.length - heldOut.size;
  if (count <= 0) {
    throw new Error(`input "shards": ${dir} has ${keys.length} session(s)${heldOut.size ? `, all held out (holdout ${o.holdout})` : ''}; write some with dataset/write-shards`);
  }
  const fit = o.width > 0 || o.height > 0;
  async function* sessions(epoch: number): AsyncGenerator<Session> {
    for await (const s of readShards({ dir, shuffle: o.shuffle, seed: o.seed + epoch, signal: o.signal })) {
      if (heldOut.has(s.record.key)) continue;
      yield fit ? await fitSession(s, o.width, o.height) : s;
    }
  }
  return { sessions, count, heldOut: heldOut.size };
}

/**
 * A session with every frame and mask resized to width x height (centred cover crop; masks by nearest
 * neighbour, so binary masks stay binary). A side of 0 follows the aspect ratio.
 * @example const small = await fitSession(session, 32, 32);
 */
export async function fitSession(s: Session, width: number, height: number): Promise<Session> {
  const frame = (img: RawImage) => resizeImage(img, { width, height, fit: 'cover', method: 'area' });
  const mask = async (img: RawImage | null) => (img ? resizeImage(img, { width, height, fit: 'cover', method: 'nearest' }) : null);
  const frames = await Promise.all(s.frames.map(frame));
  const masks = await Promise.all(s.masks.map(async (m) => ({ ...m, source: await mask(m.source), target: await mask(m.target) })));
  const first = frames[0];
  return { record: { ...s.record, width: first?.width ?? s.record.width, height: first?.height ?? s.record.height }, frames, masks };
}

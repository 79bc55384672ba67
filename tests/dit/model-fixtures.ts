/** Shared fixtures of the DiT model tests: seeded sessions and a runner over real onnxruntime-node. */
import { createSession, type CheckedSession } from '../../ml/runtime/index.js';
import { buildDit, type DitAttention, type DitConfig, type DitModel, type SessionTurn } from '../../ml/dit/index.js';
import { graphWeights, seededNormal } from '../../ml/weights/index.js';

/** Seeded standard-normal floats. */
export function noise(seed: number, n: number): Float32Array {
  const next = seededNormal(seed);
  return Float32Array.from({ length: n }, () => next());
}

/**
 * Three turns: text + a context frame (4x4 latent), text + a context frame (4x6), text + the target (4x4).
 * `seed` varies everything; `lastSeed` varies only the last turn.
 */
export function threeTurns(c: DitConfig, seed = 1, lastSeed = 100): SessionTurn[] {
  const C = c.latentChannels;
  return [
    { text: noise(seed, 3 * c.textDim), frames: [{ height: 4, width: 4, context: noise(seed + 1, C * 16), isContext: true }] },
    { text: noise(seed + 2, 2 * c.textDim), frames: [{ height: 4, width: 6, context: noise(seed + 3, C * 24), isContext: true }] },
    { text: noise(lastSeed, 4 * c.textDim), frames: [{ height: 4, width: 4, noisy: noise(lastSeed + 1, C * 16), isContext: false }] },
  ];
}

/** A built model with an ORT session; `close` releases it. */
export interface Running { dit: DitModel; session: CheckedSession; weights: Map<string, Float32Array> }

export async function runningDit(attention: DitAttention, seed = 0): Promise<Running> {
  const dit = buildDit('tiny', { attention, initSeed: seed });
  const session = await createSession(dit.graph.toBytes(), { device: 'cpu', cache: false, name: `tiny-${attention}` });
  const weights = new Map([...graphWeights(dit.graph)].map(([k, v]) => [k, v.data]));
  return { dit, session, weights };
}

/** Normwise relative error ||a - b|| / ||b||. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let num = 0; let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
}

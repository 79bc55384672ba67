/**
 * The proof's data: synthetic clips with known edits, turned into sessions with their ground truth and
 * written to shards by the shipped `synthesize-sessions` template (the same graph a user runs), at the
 * training size. Training and held-out sessions come from disjoint clip seeds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph, runGraph } from '../../index.js';
import { listShards } from '../../media/shards/index.js';

/**
 * Edits whose result the instruction and the source frame determine: "add a red circle at the top left",
 * "remove the blue square", "make the green triangle purple". A move ("move the X to the right") or a resize
 * ("make the X bigger") does not say by how much, and a pan or a cut changes every pixel, so no model could
 * match their true next frame from the instruction alone.
 */
export const PROOF_EVENT_KINDS = 'appear,disappear,recolor';

/** Options of {@link synthesizeShards}. */
export interface ProofDataOptions {
  readonly out: string;
  readonly count: number;
  /** Clip i uses seed + i. */
  readonly seed: number;
  readonly side: number;
  /** Events per clip (a session has events + 1 frames). */
  readonly events: number;
}

/**
 * Writes `count` synthetic sessions to shards in `out` (nothing when complete shards already hold as many) and
 * returns how many sessions the folder holds.
 * @example await synthesizeShards({ out: '/tmp/proof/train', count: 320, seed: 0, side: 64, events: 2 });
 */
export async function synthesizeShards(o: ProofDataOptions): Promise<number> {
  const held = async () => (existsSync(o.out) ? (await listShards(o.out)).reduce((n, s) => n + s.keys.length, 0) : 0);
  // A kept PROOF_DIR already holding the sessions (clips are synthesized again otherwise: minutes).
  const have = await held();
  if (have >= o.count) return have;
  const doc = await loadGraph('synthesize-sessions');
  const synth = doc.nodes.synthesize!.inputs as Record<string, unknown>;
  Object.assign(synth, { width: o.side, height: o.side, fps: 8, segmentFrames: 4, kinds: PROOF_EVENT_KINDS });
  const run = runGraph(doc, {
    params: { count: o.count, seed: o.seed, events: o.events, out: o.out },
    outputDir: join(o.out, '..', 'run-output'),
  });
  const result = await run.result;
  if (result.status !== 'succeeded') throw new Error(`synthesize-sessions failed: ${result.error?.message ?? result.status}`);
  return held();
}

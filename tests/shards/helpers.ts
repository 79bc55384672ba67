/** Sessions for shard tests: synthetic clips' key frames with their ground truth. */
import { assembleSession, type Session } from '../../media/session/index.js';
import { planClip } from '../../media/synth/index.js';

/**
 * `count` small sessions (3 frames, truth texts and masks), deterministic.
 * @example const sessions = makeSessions(10);
 */
export function makeSessions(count: number, offset = 0): Session[] {
  const out: Session[] = [];
  for (let i = offset; i < offset + count; i++) {
    const plan = planClip({ seed: i, width: 96, height: 64, events: 2, kinds: ['appear', 'disappear', 'move', 'recolor'] });
    plan.truth.path = `/videos/synthetic-${i}.mp4`;
    const frames = plan.truth.states.map((s, k) => ({ ...plan.images[k]!, time: s.keyFrame / plan.truth.fps, index: s.keyFrame }));
    out.push(assembleSession({ source: plan.truth.path, frames, truth: plan.truth, sampling: 'synthetic' }));
  }
  return out;
}

/** Ground-truth checks against synthetic clips (media/synth), shared by the annotation tests. */
import type { RawImage } from '../../engine/index.js';
import { planClip, type ClipOptions } from '../../media/synth/index.js';
import { stateObjectMask } from '../../media/synth/render.js';

/**
 * Share of a mask's pixels that lie on the red object of clip `clip` (seed 0) in its state at `time`
 * seconds (0 for an empty mask).
 * @example expect(onRedObject(session.masks[0].source, session.record.frames[0].time, CLIP)).toBeGreaterThan(0.7);
 */
export function onRedObject(mask: RawImage, time: number, clip: Omit<ClipOptions, 'seed'>): number {
  const plan = planClip({ seed: 0, ...clip });
  const state = plan.script.states[Math.floor((time * clip.fps!) / clip.segmentFrames!)]!;
  const red = state.objects.find((o) => o.color === 'red')!;
  const object = stateObjectMask(state, red.id, clip.width!, clip.height!);
  let inside = 0, area = 0;
  for (let p = 0; p < mask.width * mask.height; p++) if (mask.data[p]! > 127) (area++, object.data[p]! > 127 && inside++);
  return area ? inside / area : 0;
}

/** Ground-truth checks against synthetic clips (media/synth), shared by the annotation tests. */
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { planClip, writeClip, type ClipOptions } from '../../media/synth/index.js';
import { stateObjectMask } from '../../media/synth/render.js';
import { writeTinyModel } from '../../ml/models/tiny/index.js';

/** The tiny annotation models and two clips (seed 0 with a red object throughout, seed 1 with nothing red) in `dir`. */
export interface AnnotationFixtures {
  models: { vlm: string; gdino: string; sam2: string };
  clips: { red: string; plain: string };
}

/**
 * Writes the fixtures of the annotate-video tests: the project's tiny SmolVLM, GroundingDINO and SAM2, and
 * clips `red.mp4` (seed 0) and `plain.mp4` (seed 1) with `clip`'s settings.
 * @example const { models, clips } = await writeAnnotationFixtures(dir, CLIP);
 */
export async function writeAnnotationFixtures(dir: string, clip: Omit<ClipOptions, 'seed'>): Promise<AnnotationFixtures> {
  const models = {
    vlm: await writeTinyModel('smolvlm', path.join(dir, 'vlm')),
    gdino: await writeTinyModel('grounding-dino', path.join(dir, 'gdino')),
    sam2: await writeTinyModel('sam2', path.join(dir, 'sam2')),
  };
  const clips = { red: path.join(dir, 'red.mp4'), plain: path.join(dir, 'plain.mp4') };
  await writeClip({ seed: 0, ...clip }, clips.red);
  await writeClip({ seed: 1, ...clip }, clips.plain);
  return { models, clips };
}

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

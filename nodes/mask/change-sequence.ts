/** mask/change-sequence: change masks for every consecutive pair of a frame set. */
import { defineNode, T } from '../../engine/index.js';
import { changeMask } from '../../media/mask/index.js';
import type { MaskPair } from '../../media/session/index.js';
import { FRAME_SET } from '../video/types.js';
import { MASK_PAIRS } from './types.js';
import { changeMaskInputs, changeMaskOptions } from './widgets.js';

/**
 * Change masks of every consecutive pair of a frame set.
 * @example { "type": "mask/change-sequence", "inputs": { "frames": { "from": "sample", "output": "frames" } } }
 */
export const changeSequenceNode = defineNode({
  type: 'mask/change-sequence',
  title: 'change masks of a frame set',
  description:
    'The change mask of each consecutive pair of frames (I_i, I_i+1) of a frame set, as mask pairs for session/assemble. The change mask cannot tell the source region from the target region, so M_i0 and M_i1 are the same mask.',
  inputs: {
    frames: { type: FRAME_SET, description: 'frames of one session, in time order' },
    ...changeMaskInputs,
  },
  outputs: {
    masks: { type: MASK_PAIRS, description: 'one (M_i0, M_i1) pair per transition' },
    regions: { type: T.JSON, description: 'per transition, its regions [{x, y, width, height, area}]' },
  },
  concurrency: 2,
  run(inputs) {
    const { frames } = inputs.frames;
    const options = changeMaskOptions(inputs);
    const masks: MaskPair[] = [];
    const regions: unknown[] = [];
    for (let i = 0; i + 1 < frames.length; i++) {
      const a = frames[i]!;
      const b = frames[i + 1]!;
      if (a.width !== b.width || a.height !== b.height) {
        throw new Error(`frames ${i} (${a.width}x${a.height}, t=${a.time}s) and ${i + 1} (${b.width}x${b.height}, t=${b.time}s) of "${inputs.frames.source}" differ in size`);
      }
      const change = changeMask(a, b, options);
      masks.push({ source: change.mask, target: change.mask });
      regions.push(change.regions);
    }
    return { masks, regions };
  },
});

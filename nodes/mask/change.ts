/** mask/change: the weight-free change mask between two aligned frames. */
import { defineNode, T } from '../../engine/index.js';
import { changeMask } from '../../media/mask/index.js';
import { changeMaskInputs, changeMaskOptions } from './widgets.js';

/**
 * The change mask between two frames, as a node.
 * @example { "type": "mask/change", "inputs": { "source": { "from": "a", "output": "image" }, "target": { "from": "b", "output": "image" }, "threshold": 40 } }
 */
export const changeNode = defineNode({
  type: 'mask/change',
  title: 'change mask',
  description:
    'Where two aligned frames differ, without any model: blurred absolute difference, threshold, opening and closing, hole filling and a minimum region area. The fallback when no segmentation model is configured, and a cross-check on model masks.',
  inputs: {
    source: { type: T.IMAGE, description: 'the earlier frame' },
    target: { type: T.IMAGE, description: 'the later frame (same size)' },
    ...changeMaskInputs,
  },
  outputs: {
    mask: { type: T.MASK, description: '255 where the frames differ' },
    regions: { type: T.JSON, description: 'connected regions: [{x, y, width, height, area}], largest first' },
    changed: { type: T.FLOAT, description: 'fraction of the frame that changed' },
  },
  concurrency: 2,
  run(inputs) {
    const { mask, regions, changed } = changeMask(inputs.source, inputs.target, changeMaskOptions(inputs));
    return { mask, regions, changed };
  },
});

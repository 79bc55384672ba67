/** mask/threshold: an image or soft mask to a binary mask. */
import { defineNode, T } from '../../engine/index.js';
import { MASK_CHANNELS, thresholdMask, type MaskChannel } from '../../media/image/index.js';

/**
 * A binary MASK: 255 where the chosen channel is above `threshold` (0..1 of full scale), else 0. Takes an
 * IMAGE or a MASK (a loaded black-and-white mask file, a soft segmentation).
 * @example { "type": "mask/threshold", "inputs": { "image": { "from": "load", "output": "image" }, "threshold": 0.5 } }
 */
export const maskThresholdNode = defineNode({
  type: 'mask/threshold',
  title: 'Threshold to mask',
  description: 'A binary mask (0/255): on where the chosen channel of an image or mask is above the threshold (0..1).',
  inputs: {
    image: { type: T.IMAGE, description: 'an IMAGE or a MASK' },
    threshold: { type: T.FLOAT, default: 0.5, min: 0, max: 1, step: 0.01 },
    channel: { type: T.STRING, default: 'luminance', choices: MASK_CHANNELS, description: 'what to compare (masks use their one value)' },
  },
  outputs: { mask: T.MASK },
  run: ({ image, threshold, channel }) => ({ mask: thresholdMask(image, threshold, channel as MaskChannel) }),
});

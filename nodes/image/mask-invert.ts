/** mask/invert: swaps inside and outside. */
import { defineNode, T } from '../../engine/index.js';
import { invertMask } from '../../media/image/index.js';

/**
 * Inverts a mask: each value v becomes 255 - v.
 * @example { "type": "mask/invert", "inputs": { "mask": { "from": "threshold", "output": "mask" } } }
 */
export const maskInvertNode = defineNode({
  type: 'mask/invert',
  title: 'Invert mask',
  description: 'Swaps the inside and outside of a mask (v -> 255 - v).',
  inputs: { mask: { type: T.MASK } },
  outputs: { mask: T.MASK },
  run: ({ mask }) => ({ mask: invertMask(mask) }),
});

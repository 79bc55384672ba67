/** image/composite: an overlay blended onto a base. */
import { defineNode, T } from '../../engine/index.js';
import { compositeImages } from '../../media/image/index.js';

/**
 * Blends an overlay onto a base at (x, y) with an opacity (times the overlay's alpha and an optional
 * mask, which is resized nearest to the overlay's size); the overlay is clipped to the base.
 * @example { "type": "image/composite", "inputs": { "base": { "from": "a", "output": "image" }, "overlay": { "from": "b", "output": "image" }, "opacity": 0.5 } }
 */
export const compositeNode = defineNode({
  type: 'image/composite',
  title: 'Composite images',
  description: 'Blends an overlay onto a base at (x, y) with opacity, its own alpha and an optional mask; the result has the base size.',
  inputs: {
    base: { type: T.IMAGE },
    overlay: { type: T.IMAGE },
    x: { type: T.INT, default: 0 },
    y: { type: T.INT, default: 0 },
    opacity: { type: T.FLOAT, default: 1, min: 0, max: 1, step: 0.05 },
    mask: { type: T.MASK, optional: true, description: 'where the overlay shows (255) and not (0)' },
  },
  outputs: { image: T.IMAGE },
  run: ({ base, overlay, x, y, opacity, mask }) => ({ image: compositeImages(base, overlay, { x, y, opacity, mask }) }),
});

/** image/resize: changes an image's size. */
import { defineNode, T } from '../../engine/index.js';
import { resizeImage, RESIZE_FITS, RESIZE_METHODS, type ResizeFit, type ResizeMethod } from '../../media/image/index.js';

/**
 * Resizes an image. A side of 0 follows the aspect ratio; with both sides, `fit` decides: fill (stretch),
 * cover (crop the overflow), contain (pad), inside, outside. `area` averages source pixels (best for
 * shrinking).
 * @example { "type": "image/resize", "inputs": { "image": { "from": "load", "output": "image" }, "width": 256, "height": 0 } }
 */
export const resizeNode = defineNode({
  type: 'image/resize',
  title: 'Resize image',
  description: 'Resizes to width x height (0 keeps the aspect ratio) with a fit rule and a resampling method (area averages pixels).',
  inputs: {
    image: { type: T.IMAGE },
    width: { type: T.INT, default: 512, min: 0, max: 16384, description: '0 follows the aspect ratio' },
    height: { type: T.INT, default: 512, min: 0, max: 16384, description: '0 follows the aspect ratio' },
    fit: { type: T.STRING, default: 'fill', choices: RESIZE_FITS },
    method: { type: T.STRING, default: 'lanczos3', choices: RESIZE_METHODS },
  },
  outputs: { image: T.IMAGE },
  run: async ({ image, width, height, fit, method }) => ({
    image: await resizeImage(image, { width, height, fit: fit as ResizeFit, method: method as ResizeMethod }),
  }),
});

/** image/crop: cuts out a rectangle. */
import { defineNode, T } from '../../engine/index.js';
import { cropImage } from '../../media/image/index.js';

/**
 * Cuts out width x height pixels at (x, y); a region reaching outside the image is an error giving the
 * region and the image size.
 * @example { "type": "image/crop", "inputs": { "image": { "from": "load", "output": "image" }, "x": 16, "y": 16, "width": 128, "height": 128 } }
 */
export const cropNode = defineNode({
  type: 'image/crop',
  title: 'Crop image',
  description: 'Cuts out a width x height rectangle whose top-left corner is (x, y); it must lie inside the image.',
  inputs: {
    image: { type: T.IMAGE },
    x: { type: T.INT, default: 0, min: 0 },
    y: { type: T.INT, default: 0, min: 0 },
    width: { type: T.INT, default: 256, min: 1 },
    height: { type: T.INT, default: 256, min: 1 },
  },
  outputs: { image: T.IMAGE },
  run: ({ image, x, y, width, height }) => ({ image: cropImage(image, { x, y, width, height }) }),
});

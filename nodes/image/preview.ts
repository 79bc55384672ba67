/** image/preview: shows an image in the editor. */
import { defineNode, T } from '../../engine/index.js';
import { previewDataUrl } from '../../media/image/index.js';

/**
 * An output node that sends a thumbnail (longer side <= 256 px) to the editor and reports the image size.
 * @example { "type": "image/preview", "inputs": { "image": { "from": "overlay", "output": "image" } } }
 */
export const previewNode = defineNode({
  type: 'image/preview',
  title: 'Preview image',
  description: 'Shows a thumbnail of the image in the editor and reports its width, height and channels.',
  inputs: { image: { type: T.IMAGE } },
  outputs: { width: T.INT, height: T.INT, channels: T.INT },
  output: true,
  // Cached like any node: on a hit the engine re-sends the thumbnail it kept with the cache entry.
  async run({ image }, ctx) {
    ctx.preview(await previewDataUrl(image));
    return { width: image.width, height: image.height, channels: image.channels };
  },
});

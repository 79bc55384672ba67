/** image/load: reads an image file. */
import { defineNode, T } from '../../engine/index.js';
import { readImage } from '../../media/image/index.js';

/**
 * Reads an image file (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG) as RGB, or RGBA when it has transparency.
 * A missing file or an unsupported format is an error naming the path.
 * @example { "type": "image/load", "inputs": { "path": "photos/cat.jpg" } }
 */
export const loadNode = defineNode({
  type: 'image/load',
  title: 'Load image',
  description: 'Reads an image file as RGB (RGBA when it has transparency); relative paths start at the working folder.',
  inputs: { path: { type: T.STRING, file: { accept: 'image/*' }, description: 'the image file' } },
  outputs: { image: T.IMAGE, width: T.INT, height: T.INT },
  async run({ path }) {
    if (!path.trim()) throw new Error('the input "path" is empty: give the path of an image file');
    const image = await readImage(path.trim());
    return { image, width: image.width, height: image.height };
  },
});

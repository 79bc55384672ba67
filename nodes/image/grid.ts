/** image/grid: a contact sheet. */
import { defineNode, T } from '../../engine/index.js';
import { gridImages, parseColor } from '../../media/image/index.js';

/**
 * Lays every image of a stream out in a grid (a contact sheet); each cell is as large as the largest
 * image, which is centred in it.
 * @example { "type": "image/grid", "inputs": { "images": { "from": "resize", "output": "image" }, "columns": 4, "padding": 8 } }
 */
export const gridNode = defineNode({
  type: 'image/grid',
  title: 'Image grid',
  description: 'A contact sheet: every image of a stream in a grid with the given columns (0 = square-ish) and padding.',
  inputs: {
    images: { type: T.IMAGE, list: true },
    columns: { type: T.INT, default: 0, min: 0, max: 256, description: '0 picks ceil(sqrt(count))' },
    padding: { type: T.INT, default: 4, min: 0, max: 1024 },
    background: { type: T.STRING, default: '#202020', description: '#rrggbb, r,g,b or a colour name' },
  },
  outputs: { image: T.IMAGE, count: T.INT },
  run: ({ images, columns, padding, background }) => ({
    image: gridImages(images, { columns, padding, background: parseColor(background) }),
    count: images.length,
  }),
});

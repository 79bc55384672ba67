/** mask/overlay: paints a mask over an image to show it. */
import { defineNode, T } from '../../engine/index.js';
import { overlayMask, parseColor, previewDataUrl } from '../../media/image/index.js';

/**
 * Paints a mask over an image in a colour at an opacity and sends a preview. A mask of another size than
 * the image is resized to it with nearest-neighbour sampling (it stays binary and covers the same
 * relative region) rather than refused.
 * @example { "type": "mask/overlay", "inputs": { "image": { "from": "load", "output": "image" }, "mask": { "from": "threshold", "output": "mask" }, "color": "#ff0000", "opacity": 0.5 } }
 */
export const maskOverlayNode = defineNode({
  type: 'mask/overlay',
  title: 'Overlay mask',
  description: 'Draws a mask over an image in a semi-transparent colour; a mask of another size is resized (nearest) to the image.',
  inputs: {
    image: { type: T.IMAGE },
    mask: { type: T.MASK },
    color: { type: T.STRING, default: '#ff0000', description: '#rrggbb, r,g,b or a colour name' },
    opacity: { type: T.FLOAT, default: 0.5, min: 0, max: 1, step: 0.05 },
  },
  outputs: { image: T.IMAGE },
  async run({ image, mask, color, opacity }, ctx) {
    const out = overlayMask(image, mask, parseColor(color), opacity);
    ctx.preview(await previewDataUrl(out));
    return { image: out };
  },
});

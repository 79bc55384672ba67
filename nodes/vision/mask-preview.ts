/** The picture the segmenting nodes return as `preview`: the mask overlaid on the frame, the boxes outlined. */
import type { RawImage } from '../../engine/index.js';
import { drawBoxes, outlineBoxes, type ScoredBox } from '../../ml/models/index.js';
import { overlayMask } from '../../media/image/index.js';

/** The colour masks are overlaid in. */
const MASK_COLOR = [0, 200, 255] as const;

/**
 * The frame with `mask` overlaid (cyan, 45%) and `boxes` outlined, as one new RGB image.
 * @example const preview = maskPreview(frame, union, boxes);
 */
export function maskPreview(image: RawImage, mask: RawImage, boxes: readonly ScoredBox[]): RawImage {
  const shown = overlayMask(image, mask, [...MASK_COLOR], 0.45);
  // The overlay is a fresh image: an RGB one takes the outlines in place.
  return shown.channels === 3 ? outlineBoxes(shown, boxes) : drawBoxes(shown, boxes);
}

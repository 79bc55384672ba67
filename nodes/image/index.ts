/**
 * The "image" node pack: load, save, resize, crop, composite, grid and preview images, and the mask
 * operations over them (threshold, invert, overlay; types `mask/...`). All are thin over media/image.
 */
import type { NodePack } from '../../engine/index.js';
import { compositeNode } from './composite.js';
import { cropNode } from './crop.js';
import { gridNode } from './grid.js';
import { loadNode } from './load.js';
import { maskInvertNode } from './mask-invert.js';
import { maskOverlayNode } from './mask-overlay.js';
import { maskThresholdNode } from './mask-threshold.js';
import { previewNode } from './preview.js';
import { resizeNode } from './resize.js';
import { saveNode } from './save.js';

/**
 * The image pack (with the mask/... nodes), as registered by nodes/index.ts.
 * @example new NodeRegistry().addPack(imagePack).get('mask/overlay');
 */
export const imagePack: NodePack = {
  name: 'image',
  description: 'Images and masks: load, save, resize, crop, composite, grid, preview; mask threshold, invert, overlay.',
  nodes: [loadNode, saveNode, previewNode, resizeNode, cropNode, compositeNode, gridNode, maskThresholdNode, maskInvertNode, maskOverlayNode],
};

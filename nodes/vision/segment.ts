/** vision/segment: boxes -> a mask aligned to the frame, with SAM or SAM2. */
import { defineNode, T } from '../../engine/index.js';
import { frameOnDevice, modelDevice, segmentBoxes, type ScoredBox } from '../../ml/models/index.js';
import { lazyPreview } from '../../media/image/index.js';
import { maskPreview } from './mask-preview.js';
import { deviceInput, segmenterInput } from './model-inputs.js';

/** Reads the boxes input: detections from vision/ground, or plain [x0, y0, x1, y1] corners. */
export function boxesOf(value: unknown): ScoredBox[] {
  if (!Array.isArray(value)) throw new Error(`input "boxes": expected an array of boxes, got ${value === null ? 'null' : typeof value}`);
  return value.map((b, i) => (Array.isArray(b) ? { phrase: `box ${i}`, score: 1, box: b as ScoredBox['box'] } : (b as ScoredBox)));
}

/**
 * Segments boxes: the union of one mask per box, at the frame's size, and a preview with the mask overlaid.
 * @example { "type": "vision/segment", "inputs": { "image": { "from": "load", "output": "image" }, "boxes": { "from": "ground", "output": "boxes" } } }
 */
export const segmentNode = defineNode({
  type: 'vision/segment',
  title: 'segment boxes',
  description:
    'Segments each box with SAM or SAM2 and returns the union of the masks (0/255, aligned to the image), the per-box masks, and a preview with the mask overlaid. Boxes are vision/ground detections or [x0, y0, x1, y1] corners in image pixels.',
  inputs: {
    image: { type: T.IMAGE },
    boxes: { type: T.JSON, description: 'detections from vision/ground, or [[x0, y0, x1, y1], ...]' },
    model: segmenterInput,
    device: deviceInput,
  },
  outputs: {
    mask: { type: T.MASK, description: 'the union of the box masks, the size of the image' },
    masks: { type: T.JSON, description: '[{phrase, score, box, area}] per box, area in pixels' },
    preview: { type: T.IMAGE, description: 'the image with the mask overlaid and the boxes drawn' },
  },
  // Two frames of a stream in flight: on an accelerator one frame's pre- and post-processing overlaps the
  // other's model run; on cpu a frame's whole work holds the CPU lock (frameOnDevice), so they take turns.
  concurrency: 2,
  version: 1,
  async run({ image, boxes, model, device }, ctx) {
    const list = boxesOf(boxes);
    return frameOnDevice(modelDevice(device), async () => {
      const { scores, union, areas } = await segmentBoxes(image, list, { model, device, log: ctx.log });
      const info = list.map((b, i) => ({ ...b, maskScore: scores[i], area: areas[i] }));
      const preview = maskPreview(image, union, list);
      ctx.preview(lazyPreview(preview));
      return { mask: union, masks: info, preview };
    });
  },
});

/** vision/grounded-segment: phrases -> boxes (GroundingDINO) -> masks (SAM/SAM2), in one node. */
import { defineNode, T } from '../../engine/index.js';
import { detectPhrases, frameOnDevice, modelDevice, prepareSegmentImage, segmentBoxes } from '../../ml/models/index.js';
import { lazyPreview } from '../../media/image/index.js';
import { maskPreview } from './mask-preview.js';
import { detectorInput, deviceInput, segmenterInput, thresholdInputs } from './model-inputs.js';

/**
 * Grounds phrases and segments what was found: the boxes, the union mask aligned to the image, and a
 * preview with both drawn. No box gives an empty mask, not an error.
 * @example { "type": "vision/grounded-segment", "inputs": { "image": { "from": "load", "output": "image" }, "phrases": "red cup" } }
 */
export const groundedSegmentNode = defineNode({
  type: 'vision/grounded-segment',
  title: 'grounded segment',
  description:
    'Finds each phrase with GroundingDINO, then segments the boxes with SAM or SAM2: returns the boxes, the union mask (0/255, aligned to the image; empty when nothing is found), and a preview with the mask and boxes overlaid. Both models are hub ids or local folders.',
  inputs: {
    image: { type: T.IMAGE },
    phrases: { type: T.STRING, default: '', multiline: true, description: 'one phrase per line, or comma separated' },
    ...thresholdInputs,
    detector: detectorInput,
    segmenter: segmenterInput,
    device: deviceInput,
  },
  outputs: {
    boxes: { type: T.JSON, description: '[{phrase, score, box: [x0, y0, x1, y1]}] in image pixels' },
    mask: { type: T.MASK, description: 'the union of the masks of every box, the size of the image' },
    preview: { type: T.IMAGE, description: 'the image with the mask overlaid and the boxes drawn' },
  },
  // Two frames of a stream in flight: on an accelerator one frame's pre- and post-processing overlaps the
  // other's model run; on cpu a frame's whole work holds the CPU lock (frameOnDevice), so they take turns.
  concurrency: 2,
  version: 1,
  async run({ image, phrases, boxThreshold, textThreshold, detector, segmenter, device }, ctx) {
    const concrete = modelDevice(device);
    return frameOnDevice(concrete, async () => {
      // On an accelerator the segmenter's image work (no boxes needed) runs while the detector looks for the
      // phrases. On cpu nothing runs beside the detector (its threads take the cores), so that work waits for
      // the boxes, and a frame where nothing is found skips it.
      const prepared = concrete === 'cpu' ? undefined : prepareSegmentImage(image, { model: segmenter, device, log: ctx.log });
      const boxes = await detectPhrases(image, phrases, { model: detector, device, boxThreshold, textThreshold, log: ctx.log });
      const { union } = await segmentBoxes(image, boxes, { model: segmenter, device, log: ctx.log, prepared });
      const preview = maskPreview(image, union, boxes);
      ctx.preview(lazyPreview(preview));
      return { boxes, mask: union, preview };
    });
  },
});

/** vision/ground: phrases -> scored boxes with GroundingDINO. */
import { defineNode, T } from '../../engine/index.js';
import { detectPhrases, drawBoxes, frameOnDevice, modelDevice } from '../../ml/models/index.js';
import { lazyPreview } from '../../media/image/index.js';
import { detectorInput, deviceInput, thresholdInputs } from './model-inputs.js';

/**
 * Finds phrases in an image: boxes in the image's pixels with their phrase and score, and a preview with
 * the boxes drawn.
 * @example { "type": "vision/ground", "inputs": { "image": { "from": "load", "output": "image" }, "phrases": "red cup\nperson", "model": "onnx-community/grounding-dino-tiny-ONNX" } }
 */
export const groundNode = defineNode({
  type: 'vision/ground',
  title: 'ground phrases',
  description:
    'Finds each phrase (one per line, or comma separated) in the image with GroundingDINO and returns the boxes [{phrase, score, box: [x0, y0, x1, y1]}] in image pixels, best first, one per object and phrase after non-maximum suppression. The model is a hub id or a local folder.',
  inputs: {
    image: { type: T.IMAGE },
    phrases: { type: T.STRING, default: '', multiline: true, description: 'one phrase per line, or comma separated' },
    ...thresholdInputs,
    model: detectorInput,
    device: deviceInput,
  },
  outputs: {
    boxes: { type: T.JSON, description: '[{phrase, score, box: [x0, y0, x1, y1]}] in image pixels' },
    preview: { type: T.IMAGE, description: 'the image with the boxes drawn' },
  },
  // Two frames of a stream in flight: on an accelerator one frame's pre- and post-processing overlaps the
  // other's model run; on cpu a frame's whole work holds the CPU lock (frameOnDevice), so they take turns.
  concurrency: 2,
  version: 1,
  async run({ image, phrases, boxThreshold, textThreshold, model, device }, ctx) {
    return frameOnDevice(modelDevice(device), async () => {
      const boxes = await detectPhrases(image, phrases, { model, device, boxThreshold, textThreshold, log: ctx.log });
      const preview = drawBoxes(image, boxes);
      ctx.preview(lazyPreview(preview));
      return { boxes, preview };
    });
  },
});

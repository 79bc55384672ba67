/** Widgets shared by the grounding and segmentation nodes: model choice (hub id or folder) and device. */
import { T } from '../../engine/index.js';
import { DEFAULT_MODELS, MODEL_DEVICES } from '../../ml/models/index.js';

/** The detector widget: a GroundingDINO hub id or local folder. */
export const detectorInput = {
  type: T.STRING,
  default: DEFAULT_MODELS.ground,
  description: 'GroundingDINO model: a hub id (downloaded into the model cache on first use) or a local folder',
} as const;

/** The segmenter widget: a SAM or SAM2 hub id or local folder. */
export const segmenterInput = {
  type: T.STRING,
  default: DEFAULT_MODELS.segment,
  description: 'SAM or SAM2 model: a hub id (downloaded into the model cache on first use) or a local folder',
} as const;

/** The device widget. */
export const deviceInput = {
  type: T.STRING,
  default: 'auto',
  choices: MODEL_DEVICES,
  description: 'auto (CINEGRAPH_DEVICE, else CUDA when installed, else cpu), cpu, cuda or webgpu; falls back to cpu with a log line',
} as const;

/** Threshold widgets of grounding. */
export const thresholdInputs = {
  boxThreshold: { type: T.FLOAT, default: 0.35, min: 0, max: 1, step: 0.05, description: 'keep a box whose best token probability exceeds this' },
  textThreshold: { type: T.FLOAT, default: 0.25, min: 0, max: 1, step: 0.05, description: 'label a box with a phrase whose probability exceeds this' },
} as const;

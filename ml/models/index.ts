/**
 * ml/models: perception model families through transformers.js — GroundingDINO (phrases -> boxes), SAM and
 * SAM2 (boxes -> masks), SmolVLM (a local VLM for captioning) — named by hub id or local folder, with the
 * tiny test models the project generates for each.
 *
 * @example
 * import { detectPhrases, segmentBoxes } from '../ml/models/index.js';
 * const boxes = await detectPhrases(frame, 'red cup', { model: 'onnx-community/grounding-dino-tiny-ONNX' });
 * const { union } = await segmentBoxes(frame, boxes, { model: 'onnx-community/sam2.1-hiera-tiny-ONNX' });
 */

// Families and model resolution
export { FAMILIES, DEFAULT_MODELS, DTYPE_SUFFIX, familyFiles, familyOf, familiesFor } from './families.js';
export type { ModelFamily, ModelTask, ModelDtype, FamilySpec } from './families.js';
export { resolveModel, defaultCacheDir, allowRemoteDefault, isFolderName, offlineError, ModelFilesError } from './resolve.js';
export type { ResolveOptions, ResolvedModel } from './resolve.js';
export { loadModel, releaseModels, checkFeeds, describeInputs } from './load.js';
export type { LoadedModel, LoadOptions, HfModel, HfSession, HfProcessor } from './load.js';
export { modelDevice, onDevice, frameOnDevice, MODEL_DEVICES } from './device.js';

// Grounding
export { detectPhrases, groundingText, groundingInputs } from './ground.js';
export type { DetectOptions } from './ground.js';
export { cxcywhToXyxy, iou, nms, decodeGroundingOutputs, parsePhrases } from './boxes.js';
export type { ScoredBox, DecodeOptions } from './boxes.js';

// Segmentation
export { segmentBoxes, boxCorners, unionMasks, promptInputs, prepareSegmentImage } from './segment.js';
export type { SegmentOptions, SegmentResult, BoxPrompt, PreparedImage } from './segment.js';
export { upscaleMasks, frameLogits } from './mask-upscale.js';
export { maskKernel, useWasmMasks } from './mask-wasm.js';
export { resizeAxis, resizePlanes } from './ort-resize.js';
export { ortResizeKernel, useWasmOrtResize } from './ort-resize-wasm.js';
export type { MaskGeometry, UpscaledMasks } from './mask-upscale.js';

// Pre-processing (bit-exact fast path of transformers.js' image processors)
export { fastPreprocess, fastPathProblem, installFastPreprocess, imageInputs } from './preprocess.js';
export type { PreprocessedImage, PixelSource } from './preprocess.js';
export { fillPlanes } from './plane-fill.js';
export type { PlaneJob } from './plane-fill.js';
export { resizeRows, resizeSampling, bytesToPlanes, fillRows, clearPadding } from './planes.js';
export type { ResizeSampling } from './planes.js';
export { resizeKernel, useWasmResize, wasmResizeInto } from './planes-wasm.js';
export { idefics3Inputs, installIdefics3Tiles } from './idefics3-tiles.js';
export { takePixels, releasePixels } from './plane-pool.js';

// Local VLM
export { createLocalVlm } from './vlm.js';
export { greedyGenerate, greedyProblem } from './vlm-greedy.js';
export type { LocalVlmOptions } from './vlm.js';

// Previews
export { drawBoxes, outlineBoxes } from './draw.js';

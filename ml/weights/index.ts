/**
 * ml/weights: safetensors read/write (F32, F16, BF16), loading weights into a built graph by name with one
 * report of missing, unexpected and mis-shaped tensors, and deterministic random initialisation.
 *
 * @example
 * import { readSafetensors, loadWeights } from '../ml/weights/index.js';
 * const { tensors } = await readSafetensors('/models/dit.safetensors');
 * const report = loadWeights(graph, tensors, { source: '/models/dit.safetensors' });
 */
export { parseSafetensors, readSafetensors, encodeSafetensors, writeSafetensors } from './safetensors.js';
export type { SafetensorsDtype, StoredTensor, SafetensorsFile, TensorSet } from './safetensors.js';
export { loadWeights, initAllWeights, graphWeights, formatWeightReport, WeightLoadError } from './load.js';
export type { WeightSource, WeightReport, LoadOptions } from './load.js';
export { initWeight, seededNormal } from './init.js';

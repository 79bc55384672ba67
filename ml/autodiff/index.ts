/**
 * ml/autodiff: reverse-mode differentiation over the builder's graphs. Gradient rules live in rules/ and are
 * attached to the builder's op table with `registerOp`; `buildTrainStep` emits one ONNX graph per training
 * step (forward, loss, backward, global-norm clipping, AdamW, EMA) that onnxruntime-node runs like any model.
 *
 * @example
 * import { buildTrainStep } from '../ml/autodiff/index.js';
 * const step = buildTrainStep(g, { loss, optimizer: { weightDecay: 0.01 }, clipNorm: 1, ema: true });
 * const session = await ort.InferenceSession.create(step.graph.toBytes());
 */
export { differentiate } from './backward.js';
export { cloneWithParams, reachableWeights, liveNodes } from './clone.js';
export type { ClonedGraph } from './clone.js';
export { buildGradientGraph } from './gradient-graph.js';
export type { GradientGraph, GradientGraphOptions } from './gradient-graph.js';
export { buildTrainStep, ADAMW_DEFAULTS, EMA_DECAY } from './train-step.js';
export type { TrainStep, TrainStepOptions, TrainParam, AdamWOptions } from './train-step.js';
export { installGradientRules, differentiableOps, GRADIENT_RULES } from './rules/index.js';
export type { AutodiffContext } from './rules/index.js';

/**
 * The training graph: the DiT, a masked MSE on the velocity of the noised tokens, and buildTrainStep over it
 * (backward, clipping, AdamW, EMA in one ONNX graph).
 */
import { buildTrainStep, type AdamWOptions, type TrainStep } from '../autodiff/index.js';
import { buildDit, patchOutDim, type DitAttention, type DitConfig, type DitModel } from '../dit/index.js';
import type { StoredTensor } from '../weights/index.js';

/** Options of {@link buildTrainingGraph}. */
export interface TrainingGraphOptions {
  readonly attention?: DitAttention;
  readonly optimizer?: AdamWOptions;
  readonly clipNorm?: number;
  /** EMA decay (default 0.9998); false for none. */
  readonly ema?: number | false;
  /** Initial weights (else `initSeed`). */
  readonly weights?: ReadonlyMap<string, StoredTensor>;
  readonly initSeed?: number;
}

/** A built training graph. */
export interface TrainingGraph {
  readonly dit: DitModel;
  readonly step: TrainStep;
  /** Per-sample sums of squared velocity error over its noised tokens: output `out.<this>` of shape [batch]. */
  readonly perSampleOutput: string;
}

/**
 * Adds the masked velocity MSE to a DiT graph and builds the train step. Inputs besides the DiT's:
 * `target` float32 [batch, vision_len, C * patch volume] (v = noise - x0 on noised tokens) and `loss_mask`
 * float32 [batch, vision_len] (1 on noised tokens). loss = sum(mask * |v - target|^2) / (sum(mask) * C pv).
 * @example const { step } = buildTrainingGraph(ditConfig('tiny'), { attention: 'block-causal', initSeed: 0, clipNorm: 1 });
 */
export function buildTrainingGraph(config: DitConfig, options: TrainingGraphOptions = {}): TrainingGraph {
  const attention = options.attention ?? 'block-causal';
  const dit = buildDit(config, { attention, weights: options.weights, initSeed: options.initSeed });
  const g = dit.graph;
  const velocity = g.outputs.find((o) => o.name === 'velocity');
  if (!velocity) throw new Error('buildTrainingGraph: the DiT graph has no velocity output (a bug in ml/dit)');
  const outDim = patchOutDim(config);
  const target = g.input('target', 'float32', ['batch', 'vision_len', outDim]);
  const mask = g.input('loss_mask', 'float32', ['batch', 'vision_len']);
  const diff = g.sub(velocity, target);
  const se = g.reduceSum(g.mul(diff, diff), [2], false); // [batch, vision_len]
  const masked = g.mul(se, mask);
  const perSample = g.reduceSum(masked, [1], false); // [batch]
  const count = g.mul(g.reduceSum(mask, [0, 1], false), outDim);
  const loss = g.div(g.reduceSum(masked, [0, 1], false), count);
  const step = buildTrainStep(g, {
    loss, optimizer: options.optimizer, clipNorm: options.clipNorm,
    ema: options.ema === false ? false : { decay: options.ema ?? undefined }, extraOutputs: [perSample],
  });
  return { dit, step, perSampleOutput: `out.${perSample.name}` };
}

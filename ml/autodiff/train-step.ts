/**
 * buildTrainStep: one ONNX graph for a whole training step: forward, loss, backward, global-norm gradient
 * clipping, AdamW, and optionally an EMA of the weights. Parameters and optimizer state go in, updated ones
 * come out; the learning rate and step count are inputs so that schedules and resumes need no rebuild.
 */
import type { GraphBuilder, Tensor } from '../onnx/index.js';
import { cloneWithParams, reachableWeights } from './clone.js';
import { differentiate } from './backward.js';

/** AdamW's hyper-parameters (PyTorch's `torch.optim.AdamW` semantics; decoupled weight decay). */
export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Which parameters decay (default: all). */
  readonly decays?: (param: string) => boolean;
}

/** Options of {@link buildTrainStep}. */
export interface TrainStepOptions {
  /** The scalar loss, a value of the source graph. */
  readonly loss: Tensor;
  /** Weight names to train (default: every float weight the loss depends on). The other weights stay fixed. */
  readonly params?: readonly string[];
  readonly optimizer?: AdamWOptions;
  /** Global-norm gradient clipping (PyTorch's clip_grad_norm_: scale by min(1, clip / (norm + 1e-6))); none when absent. */
  readonly clipNorm?: number;
  /** Keep an exponential moving average of the updated weights (`true`: decay 0.9998). */
  readonly ema?: boolean | { readonly decay?: number };
  /** Values of the source graph to return too (outputs named `out.<name>`). */
  readonly extraOutputs?: readonly Tensor[];
}

/** The names of one parameter's tensors in the train-step graph. */
export interface TrainParam {
  readonly name: string;
  readonly shape: readonly number[];
  /** Input (the parameter's name) and output (`updated.<name>`). */
  readonly input: string;
  readonly output: string;
  readonly m: { readonly input: string; readonly output: string };
  readonly v: { readonly input: string; readonly output: string };
  /** Present when the EMA is kept. */
  readonly ema?: { readonly input: string; readonly output: string };
  readonly decays: boolean;
}

/** A built train step and its I/O names. */
export interface TrainStep {
  readonly graph: GraphBuilder;
  readonly params: readonly TrainParam[];
  /** The forward inputs the loss needs (fed as for the forward graph). */
  readonly dataInputs: readonly string[];
  /** Scalar float32 inputs: the 1-based number of this update (bias correction) and the learning rate. */
  readonly stepInput: 'step';
  readonly lrInput: 'lr';
  /** Scalar float32 outputs: the loss and the global gradient norm before clipping. */
  readonly lossOutput: 'loss';
  readonly gradNormOutput: 'grad_norm';
  readonly optimizer: Required<Omit<AdamWOptions, 'decays'>>;
  readonly clipNorm?: number;
  readonly emaDecay?: number;
}

/** Default AdamW settings (PyTorch's). */
export const ADAMW_DEFAULTS = Object.freeze({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
/** Default EMA decay. */
export const EMA_DECAY = 0.9998;

/**
 * Builds the train-step graph of a loss.
 *
 * Inputs: the forward inputs; each parameter `<name>`; its AdamW moments `adam_m.<name>`, `adam_v.<name>`;
 * `ema.<name>` with `ema`; `step` (float32 [], 1 for the first update) and `lr` (float32 []).
 * Outputs: `loss`, `grad_norm` (before clipping), `updated.<name>`, `updated.adam_m.<name>`,
 * `updated.adam_v.<name>`, `updated.ema.<name>`.
 *
 * Per parameter p with gradient g (after clipping), t = step:
 * m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
 * p' = p (1 - lr wd) - lr (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps); ema' = d ema + (1 - d) p'.
 * @example
 * const step = buildTrainStep(g, { loss, optimizer: { weightDecay: 0.01 }, clipNorm: 1, ema: true });
 * const session = await ort.InferenceSession.create(step.graph.toBytes());
 */
export function buildTrainStep(src: GraphBuilder, options: TrainStepOptions): TrainStep {
  const opt = { ...ADAMW_DEFAULTS, ...stripUndefined(options.optimizer ?? {}) };
  const { beta1, beta2, eps, weightDecay } = opt;
  for (const [k, v] of Object.entries({ beta1, beta2 })) {
    if (!(v >= 0 && v < 1)) throw new Error(`buildTrainStep: AdamW ${k} must be in [0, 1), got ${v}`);
  }
  if (!(eps > 0)) throw new Error(`buildTrainStep: AdamW eps must be > 0, got ${eps}`);
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new Error(`buildTrainStep: clipNorm must be > 0, got ${options.clipNorm}`);
  const emaDecay = options.ema === undefined || options.ema === false ? undefined : options.ema === true ? EMA_DECAY : options.ema.decay ?? EMA_DECAY;
  if (emaDecay !== undefined && !(emaDecay >= 0 && emaDecay <= 1)) throw new Error(`buildTrainStep: ema decay must be in [0, 1], got ${emaDecay}`);

  const names = options.params ?? reachableWeights(src, options.loss);
  if (names.length === 0) throw new Error(`buildTrainStep: the loss '${options.loss.name}' depends on no float weight of graph '${src.name}'`);
  const extra = options.extraOutputs ?? [];
  const { graph: g, roots: [loss, ...extras], params, inputs } = cloneWithParams(src, [options.loss, ...extra], names, `${src.name}-train-step`);
  for (const p of params) {
    if (p.dtype !== 'float32') throw new Error(`buildTrainStep: parameter '${p.name}' is ${p.dtype}; the optimizer works in float32`);
  }
  const lossF = loss.dtype === 'float32' ? loss : g.cast(loss, 'float32');
  const grads = differentiate(g, lossF, params);

  const step = g.input('step', 'float32', []);
  const lr = g.input('lr', 'float32', []);
  const states = params.map((p) => ({
    m: g.input(`adam_m.${p.name}`, 'float32', p.shape),
    v: g.input(`adam_v.${p.name}`, 'float32', p.shape),
    ema: emaDecay !== undefined ? g.input(`ema.${p.name}`, 'float32', p.shape) : undefined,
  }));

  // Global norm over every gradient, before clipping.
  let sq: Tensor | undefined;
  for (const gr of grads) {
    const s = g.op('ReduceSum', [g.mul(gr, gr)], { keepdims: 0 });
    sq = sq ? g.add(sq, s) : s;
  }
  const norm = g.sqrt(sq as Tensor);
  const coef = options.clipNorm === undefined
    ? undefined
    : g.op('Min', [g.div(g.scalar(options.clipNorm), g.add(norm, 1e-6)), g.scalar(1)]);

  const bc1 = g.sub(1, g.pow(g.scalar(beta1), step));
  const bc2 = g.sub(1, g.pow(g.scalar(beta2), step));
  const stepSize = g.div(lr, bc1);
  const sqrtBc2 = g.sqrt(bc2);
  const decayFactor = g.sub(1, g.mul(lr, weightDecay));
  const decays = options.optimizer?.decays ?? (() => true);

  const out: TrainParam[] = params.map((p, i) => {
    const gr = coef ? g.mul(grads[i], coef) : grads[i];
    const { m, v, ema } = states[i];
    const m2 = g.add(g.mul(m, beta1), g.mul(gr, 1 - beta1));
    const v2 = g.add(g.mul(v, beta2), g.mul(g.mul(gr, gr), 1 - beta2));
    const denom = g.add(g.div(g.sqrt(v2), sqrtBc2), eps);
    const doesDecay = weightDecay !== 0 && decays(p.name);
    const base = doesDecay ? g.mul(p, decayFactor) : p;
    const p2 = g.sub(base, g.mul(stepSize, g.div(m2, denom)));
    const name = p.name;
    g.output(p2, `updated.${name}`);
    g.output(m2, `updated.adam_m.${name}`);
    g.output(v2, `updated.adam_v.${name}`);
    let emaNames: TrainParam['ema'];
    if (ema && emaDecay !== undefined) {
      g.output(g.add(g.mul(ema, emaDecay), g.mul(p2, 1 - emaDecay)), `updated.ema.${name}`);
      emaNames = { input: `ema.${name}`, output: `updated.ema.${name}` };
    }
    return {
      name, shape: p.shape as number[], input: name, output: `updated.${name}`,
      m: { input: `adam_m.${name}`, output: `updated.adam_m.${name}` },
      v: { input: `adam_v.${name}`, output: `updated.adam_v.${name}` },
      ema: emaNames, decays: doesDecay,
    };
  });
  g.output(lossF, 'loss');
  g.output(norm, 'grad_norm');
  extras.forEach((t, i) => g.output(t, `out.${extra[i].name}`));
  return {
    graph: g, params: out, dataInputs: inputs.map((t) => t.name), stepInput: 'step', lrInput: 'lr',
    lossOutput: 'loss', gradNormOutput: 'grad_norm', optimizer: { beta1, beta2, eps, weightDecay },
    clipNorm: options.clipNorm, emaDecay,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

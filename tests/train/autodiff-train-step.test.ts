/**
 * The train-step graph run by onnxruntime-node on a 2-layer MLP: it learns a toy regression, each step
 * equals a float64 TypeScript AdamW reference, clipping bounds the update, and the EMA follows its formula.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../ml/onnx/index.js';
import { buildTrainStep, type TrainStep, type TrainStepOptions } from '../../ml/autodiff/index.js';
import { rng } from './autodiff-check.js';
import { adamwStep, mlpLossAndGrad, type MlpParams } from './adamw-reference.js';

const N = 16; const I = 3; const H = 8; const O = 2;
const r = rng(42);
const uniform = (n: number, s: number) => Float64Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * s));
const X = uniform(N * I, 1);
// Targets from a fixed smooth function of x.
const T = Float64Array.from({ length: N * O }, (_, j) => Math.fround(Math.sin(X[Math.floor(j / O) * I] * 2) * 0.5 + (j % O) * X[Math.floor(j / O) * I + 1]));
const INIT: MlpParams = { w1: uniform(H * I, 0.6), b1: uniform(H, 0.1), w2: uniform(O * H, 0.4), b2: uniform(O, 0.1) };
const NAMES = { w1: 'fc1.weight', b1: 'fc1.bias', w2: 'fc2.weight', b2: 'fc2.bias' } as const;
const SHAPES = { w1: [H, I], b1: [H], w2: [O, H], b2: [O] };
type Key = keyof MlpParams;
const KEYS = Object.keys(NAMES) as Key[];

function mlpStep(options: Omit<TrainStepOptions, 'loss'>): TrainStep {
  const g = new GraphBuilder({ name: 'mlp' });
  const x = g.input('x', 'float32', ['n', I]);
  const t = g.input('t', 'float32', ['n', O]);
  const w = Object.fromEntries(KEYS.map((k) => [k, g.weight(NAMES[k], Float32Array.from(INIT[k]), SHAPES[k])])) as Record<Key, ReturnType<GraphBuilder['weight']>>;
  const y = g.linear(g.tanh(g.linear(x, w.w1, w.b1)), w.w2, w.b2);
  const d = g.sub(y, t);
  return buildTrainStep(g, { loss: g.reduceMean(g.mul(d, d), [0, 1], false), ...options });
}

/** Runs steps, feeding each step's outputs to the next; returns every step's outputs. */
class Runner {
  params: Record<Key, Float32Array> = Object.fromEntries(KEYS.map((k) => [k, Float32Array.from(INIT[k])])) as Record<Key, Float32Array>;
  m = Object.fromEntries(KEYS.map((k) => [k, new Float32Array(INIT[k].length)])) as Record<Key, Float32Array>;
  v = Object.fromEntries(KEYS.map((k) => [k, new Float32Array(INIT[k].length)])) as Record<Key, Float32Array>;
  ema = Object.fromEntries(KEYS.map((k) => [k, new Float32Array(INIT[k].length)])) as Record<Key, Float32Array>;
  step = 0;
  constructor(readonly train: TrainStep, readonly session: ort.InferenceSession) {}
  static async create(train: TrainStep): Promise<Runner> {
    return new Runner(train, await ort.InferenceSession.create(train.graph.toBytes(), { executionProviders: ['cpu'] }));
  }
  async run(lr: number): Promise<{ loss: number; norm: number }> {
    this.step++;
    const f = (a: Float32Array, s: number[]) => new ort.Tensor('float32', a, s);
    const feeds: Record<string, ort.Tensor> = {
      x: f(Float32Array.from(X), [N, I]), t: f(Float32Array.from(T), [N, O]),
      step: f(new Float32Array([this.step]), []), lr: f(new Float32Array([lr]), []),
    };
    for (const k of KEYS) {
      const p = this.train.params.find((q) => q.name === NAMES[k]);
      if (!p) throw new Error(`no parameter ${NAMES[k]}`);
      feeds[p.input] = f(this.params[k], SHAPES[k]);
      feeds[p.m.input] = f(this.m[k], SHAPES[k]);
      feeds[p.v.input] = f(this.v[k], SHAPES[k]);
      if (p.ema) feeds[p.ema.input] = f(this.ema[k], SHAPES[k]);
    }
    const out = await this.session.run(feeds);
    for (const k of KEYS) {
      const p = this.train.params.find((q) => q.name === NAMES[k]);
      if (!p) throw new Error(`no parameter ${NAMES[k]}`);
      this.params[k] = out[p.output].data as Float32Array;
      this.m[k] = out[p.m.output].data as Float32Array;
      this.v[k] = out[p.v.output].data as Float32Array;
      if (p.ema) this.ema[k] = out[p.ema.output].data as Float32Array;
    }
    return { loss: out.loss.data[0] as number, norm: out.grad_norm.data[0] as number };
  }
}

const copy = (p: MlpParams): MlpParams => Object.fromEntries(KEYS.map((k) => [k, Float64Array.from(p[k])])) as MlpParams;
const zeros = (): MlpParams => Object.fromEntries(KEYS.map((k) => [k, new Float64Array(INIT[k].length)])) as MlpParams;
const maxDiff = (a: Record<Key, ArrayLike<number>>, b: Record<Key, ArrayLike<number>>) =>
  Math.max(...KEYS.flatMap((k) => Array.from(a[k], (v, j) => Math.abs(v - b[k][j]))));

describe('autodiff: the train step on a 2-layer MLP', () => {
  test('the loss falls over 50 AdamW steps and the first steps equal a float64 AdamW reference', async () => {
    const hp = { lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
    const run = await Runner.create(mlpStep({ optimizer: hp }));
    const ref = copy(INIT);
    const state = { m: zeros(), v: zeros() };
    const losses: number[] = [];
    try {
      for (let s = 1; s <= 50; s++) {
        const got = await run.run(hp.lr);
        losses.push(got.loss);
        if (s <= 5) {
          const { loss, grad } = mlpLossAndGrad(ref, X, T, N, I, H, O);
          const norm = adamwStep(ref, state, grad, s, hp);
          expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, loss));
          expect(Math.abs(got.norm - norm)).toBeLessThanOrEqual(1e-5 * Math.max(1, norm));
          expect(maxDiff(run.params, ref)).toBeLessThanOrEqual(1e-5);
          expect(maxDiff(run.m, state.m)).toBeLessThanOrEqual(1e-6);
        }
      }
    } finally {
      await run.session.release();
    }
    expect(losses[49]).toBeLessThan(0.25 * losses[0]);
  });

  test('a tiny clip norm bounds the update as clipping then AdamW predicts', async () => {
    // A large eps makes the update proportional to the (clipped) gradient, so clipping shows in the update.
    const hp = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-2, weightDecay: 0, clipNorm: 1e-3 };
    const clipped = await Runner.create(mlpStep({ optimizer: hp, clipNorm: hp.clipNorm }));
    const free = await Runner.create(mlpStep({ optimizer: hp }));
    try {
      const a = await clipped.run(hp.lr);
      const b = await free.run(hp.lr);
      expect(a.norm).toBeGreaterThan(100 * hp.clipNorm); // the norm is reported before clipping
      expect(Math.abs(a.norm - b.norm)).toBeLessThanOrEqual(1e-6 * b.norm);
      const updateNorm = (x: Runner) => Math.sqrt(KEYS.reduce((s, k) => s + Array.from(x.params[k], (v, j) => (v - INIT[k][j]) ** 2).reduce((p, q) => p + q, 0), 0));
      // First step: update = lr * g_c / (|g_c| + eps) elementwise, so its norm is below lr * clip / eps.
      const bound = (hp.lr * hp.clipNorm) / hp.eps;
      expect(updateNorm(clipped)).toBeLessThanOrEqual(bound);
      expect(updateNorm(clipped)).toBeLessThan(0.5 * updateNorm(free));
      const ref = copy(INIT);
      const { grad } = mlpLossAndGrad(ref, X, T, N, I, H, O);
      adamwStep(ref, { m: zeros(), v: zeros() }, grad, 1, hp);
      expect(maxDiff(clipped.params, ref)).toBeLessThanOrEqual(1e-5);
      // The first moment is (1 - beta1) times the clipped gradient, whose norm is the clip norm.
      const mNorm = Math.sqrt(KEYS.reduce((s, k) => s + Array.from(clipped.m[k], (v) => v * v).reduce((p, q) => p + q, 0), 0));
      expect(Math.abs(mNorm - (1 - hp.beta1) * hp.clipNorm)).toBeLessThanOrEqual(1e-4 * (1 - hp.beta1) * hp.clipNorm);
    } finally {
      await clipped.session.release();
      await free.session.release();
    }
  });

  test('the EMA weights follow ema = d * ema + (1 - d) * updated weights (0.9998 by default)', async () => {
    for (const [ema, d] of [[true, 0.9998], [{ decay: 0.9 }, 0.9]] as const) {
      const run = await Runner.create(mlpStep({ ema }));
      try {
        expect(run.train.emaDecay).toBe(d);
        run.ema = Object.fromEntries(KEYS.map((k) => [k, Float32Array.from(INIT[k], (v) => v + 0.5)])) as Record<Key, Float32Array>;
        const before = Object.fromEntries(KEYS.map((k) => [k, Float64Array.from(run.ema[k])])) as MlpParams;
        await run.run(0.01);
        const want = Object.fromEntries(KEYS.map((k) => [k, before[k].map((e, j) => d * e + (1 - d) * run.params[k][j])])) as MlpParams;
        expect(maxDiff(run.ema, want)).toBeLessThanOrEqual(1e-6);
      } finally {
        await run.session.release();
      }
    }
  });
});

/**
 * The whole `tiny` DiT's gradient (velocity MSE against a target, a batch of two with different timesteps)
 * against central finite differences of the same loss on sampled weight coordinates, run by onnxruntime-node.
 */
import * as ort from 'onnxruntime-node';
import { buildDit, ditFeeds, packSession, patchOutDim } from '../../ml/dit/index.js';
import { graphWeights } from '../../ml/weights/index.js';
import { buildGradientGraph, buildTrainStep } from '../../ml/autodiff/index.js';
import { noise, threeTurns } from '../dit/model-fixtures.js';
import { rng } from './autodiff-check.js';

// Weights behind specific ops (Gather of the turn embedding, QK-norm, the fused QKV projection, the patch
// embedding, the output head); the other samples are spread over all parameters.
const FIXED = ['turn_emb.weight', 'blocks.0.attn.proj_qkv.vid.weight', 'blocks.0.attn.norm_q.txt.weight', 'vid_in.proj.weight', 'vid_out.proj.bias', 'blocks.1.attn.proj_qkv.all.weight'];

describe('autodiff: the tiny DiT', () => {
  test.each(['full', 'block-causal'] as const)('%s attention: the gradient matches finite differences on 20 sampled weight coordinates', async (attention) => {
    const dit = buildDit('tiny', { initSeed: 3, attention });
    const c = dit.config;
    const g = dit.graph;
    const velocity = g.outputs.find((o) => o.name === 'velocity');
    if (!velocity) throw new Error('the DiT graph has no velocity output');
    const target = g.input('target', 'float32', ['batch', 'vision_len', patchOutDim(c)]);
    const diff = g.sub(velocity, target);
    const loss = g.reduceMean(g.mul(diff, diff), [0, 1, 2], false);
    const grad = buildGradientGraph(g, { loss });
    const session = await ort.InferenceSession.create(grad.graph.toBytes(), { executionProviders: ['cpu'] });
    try {
      const pack = packSession(c, threeTurns(c));
      const data = ditFeeds(c, [pack, pack], [0.3, 0.8], { attention });
      data.target = new ort.Tensor('float32', noise(11, 2 * pack.visionLen * patchOutDim(c)), [2, pack.visionLen, patchOutDim(c)]);
      const weights = new Map([...graphWeights(g)].map(([k, v]) => [k, v]));
      const feeds = (over?: { name: string; values: Float32Array }) => {
        const f: Record<string, ort.Tensor> = {};
        for (const n of grad.inputNames) {
          if (data[n]) { f[n] = data[n]; continue; }
          const w = weights.get(n);
          if (!w) throw new Error(`no feed for ${n}`);
          f[n] = new ort.Tensor('float32', over?.name === n ? over.values : w.data, w.shape);
        }
        return f;
      };
      const base = await session.run(feeds());
      const r = rng(5);
      const errors: number[] = [];
      const h = 4e-2;
      for (let k = 0; k < 20; k++) {
        // Spread the samples over the parameters (every third one or so), one random coordinate each.
        const name = k < FIXED.length ? FIXED[k] : grad.params[Math.floor((k * grad.params.length) / 20 + r() * 2) % grad.params.length];
        const w = weights.get(name) as { data: Float32Array; shape: number[] };
        const analytic = base[`grad.${name}`].data as Float32Array;
        // Prefer a coordinate with a visible gradient (near-zero ones only measure float32 noise).
        let i = Math.floor(r() * w.data.length);
        for (let t = 0; t < 50 && Math.abs(analytic[i]) < 1e-3; t++) i = Math.floor(r() * w.data.length);
        const at = (d: number) => { const v = w.data.slice(); v[i] += d; return v; };
        const lossAt = async (d: number) => (await session.run(feeds({ name, values: at(d) }))).loss.data[0] as number;
        // Five-point stencil: truncation O(h^4), so h can be large enough for float32's rounding.
        const numeric = (8 * (await lossAt(h) - await lossAt(-h)) - (await lossAt(2 * h) - await lossAt(-2 * h))) / (12 * h);
        const err = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(numeric), 1e-3);
        errors.push(err);
      }
      expect(Math.max(...errors)).toBeLessThanOrEqual(1e-2);
    } finally {
      await session.release();
    }
  });

  test('one train-step graph with clipping and EMA fits a fixed batch: the loss falls over 8 steps', async () => {
    const dit = buildDit('tiny', { initSeed: 4 });
    const c = dit.config;
    const g = dit.graph;
    const velocity = g.outputs.find((o) => o.name === 'velocity');
    if (!velocity) throw new Error('the DiT graph has no velocity output');
    const target = g.input('target', 'float32', ['batch', 'vision_len', patchOutDim(c)]);
    const diff = g.sub(velocity, target);
    const step = buildTrainStep(g, { loss: g.reduceMean(g.mul(diff, diff), [0, 1, 2], false), clipNorm: 1, ema: true });
    const session = await ort.InferenceSession.create(step.graph.toBytes(), { executionProviders: ['cpu'] });
    try {
      const pack = packSession(c, threeTurns(c));
      const data = ditFeeds(c, [pack, pack], [0.3, 0.8], { attention: 'full' });
      data.target = new ort.Tensor('float32', noise(12, 2 * pack.visionLen * patchOutDim(c)), [2, pack.visionLen, patchOutDim(c)]);
      const weights = graphWeights(g);
      const state = new Map<string, ort.Tensor>();
      for (const p of step.params) {
        const w = weights.get(p.name) as { data: Float32Array; shape: number[] };
        state.set(p.input, new ort.Tensor('float32', w.data, w.shape));
        state.set(p.m.input, new ort.Tensor('float32', new Float32Array(w.data.length), w.shape));
        state.set(p.v.input, new ort.Tensor('float32', new Float32Array(w.data.length), w.shape));
        if (p.ema) state.set(p.ema.input, new ort.Tensor('float32', w.data, w.shape));
      }
      const losses: number[] = [];
      for (let s = 1; s <= 8; s++) {
        const feeds: Record<string, ort.Tensor> = { ...Object.fromEntries(state), step: new ort.Tensor('float32', new Float32Array([s]), []), lr: new ort.Tensor('float32', new Float32Array([3e-3]), []) };
        for (const n of step.dataInputs) feeds[n] = data[n];
        const out = await session.run(feeds);
        losses.push(out.loss.data[0] as number);
        expect(Number.isFinite(out.grad_norm.data[0] as number)).toBe(true);
        for (const p of step.params) {
          state.set(p.input, out[p.output]);
          state.set(p.m.input, out[p.m.output]);
          state.set(p.v.input, out[p.v.output]);
          if (p.ema) state.set(p.ema.input, out[p.ema.output]);
        }
      }
      expect(losses[7]).toBeLessThan(0.9 * losses[0]);
    } finally {
      await session.release();
    }
  });
});

/** The batch builder and the loss graph: the loss covers noised tokens only; padding; determinism. */
import * as ort from 'onnxruntime-node';
import { buildBatch, buildTrainingGraph, encodeSession, planSample, planTexts, resolveObjective, shapeOf, type LatentSession, type SamplePlan } from '../../ml/train/index.js';
import { graphWeights } from '../../ml/weights/index.js';
import type { EditModel } from '../../ml/edit/index.js';
import { movingSquare, tinyModelDir } from './train-fixtures.js';

let fixture: Awaited<ReturnType<typeof tinyModelDir>>;
let model: EditModel;
let session: ort.InferenceSession;
let graph: ReturnType<typeof buildTrainingGraph>;
let latents: LatentSession[];
const texts = new Map<string, Float32Array>();

beforeAll(async () => {
  fixture = await tinyModelDir();
  model = fixture.model;
  graph = buildTrainingGraph(model.config.dit, { attention: 'block-causal', initSeed: 1, clipNorm: 1 });
  session = await ort.InferenceSession.create(graph.step.graph.toBytes(), { executionProviders: ['cpu'] });
  latents = [await encodeSession(movingSquare('a', 2, 1), model.vae), await encodeSession(movingSquare('b', 4, 2), model.vae)];
});
afterAll(async () => {
  await session?.release();
  await fixture?.done();
});

async function plansFor(zs: LatentSession[], step: number): Promise<SamplePlan[]> {
  const o = resolveObjective({ taskRatios: { NIP: 1, CSP: 0, NSP: 0 }, dropText: 0 });
  const plans = zs.map((z, b) => planSample(shapeOf(z), o, { seed: 4, step, sample: b }));
  const missing = planTexts(plans).filter((t) => !texts.has(t));
  if (missing.length) {
    const enc = await model.text.encode(missing, { maxTokens: model.config.textTokens });
    missing.forEach((t, i) => texts.set(t, enc[i]!.data));
  }
  return plans;
}

function batchOf(zs: LatentSession[], plans: SamplePlan[], step = 0) {
  return buildBatch(plans.map((plan, b) => ({ plan, session: zs[b]! })), { config: model.config.dit, textTokens: model.config.textTokens, texts, seed: 4, step, attention: 'block-causal' });
}

async function lossOf(feeds: Record<string, ort.Tensor>): Promise<{ loss: number; perSample: Float32Array }> {
  const w = graphWeights(graph.dit.graph);
  const f: Record<string, ort.Tensor> = { step: new ort.Tensor('float32', new Float32Array([1]), []), lr: new ort.Tensor('float32', new Float32Array([0]), []) };
  for (const p of graph.step.params) {
    const t = w.get(p.name)!;
    f[p.input] = new ort.Tensor('float32', t.data, [...p.shape]);
    f[p.m.input] = new ort.Tensor('float32', new Float32Array(t.data.length), [...p.shape]);
    f[p.v.input] = new ort.Tensor('float32', new Float32Array(t.data.length), [...p.shape]);
    if (p.ema) f[p.ema.input] = f[p.input]!;
  }
  for (const n of graph.step.dataInputs) f[n] = feeds[n]!;
  const out = await session.run(f);
  return { loss: out.loss!.data[0] as number, perSample: out[graph.perSampleOutput]!.data as Float32Array };
}

describe('train objective: batches and the loss', () => {
  test('changing the velocity target of an un-noised token leaves the loss unchanged; of a noised token, it changes', async () => {
    const plans = await plansFor([latents[1]!], 0);
    const batch = batchOf([latents[1]!], plans);
    const base = await lossOf(batch.feeds);
    const outDim = batch.feeds.target!.dims[2]!;
    const [s] = batch.targetTokens[0]!;
    const edit = (token: number) => {
      const t = (batch.feeds.target!.data as Float32Array).slice();
      t[token * outDim] += 5;
      return { ...batch.feeds, target: new ort.Tensor('float32', t, batch.feeds.target!.dims) };
    };
    expect(s).toBeGreaterThan(0);
    expect((await lossOf(edit(0))).loss).toBe(base.loss);
    expect((await lossOf(edit(s))).loss).not.toBe(base.loss);
    expect(Array.from(batch.lossMask).reduce((a, b) => a + b, 0)).toBe(batch.targetTokens[0]![1] - s);
  });

  test('a short session batched with a longer one is padded with masked trailing turns, and each keeps its own error', async () => {
    const plans = await plansFor(latents, 0);
    const both = batchOf(latents, plans);
    expect(both.turns[0]).toBeLessThan(both.turns[1]!);
    const Lv = both.visionLen;
    const [s0, e0] = both.targetTokens[0]!;
    // Nothing of the short sample past its target is in the loss.
    expect(Array.from(both.lossMask.subarray(e0, Lv)).every((v) => v === 0)).toBe(true);
    const alone = batchOf([latents[0]!], [plans[0]!]);
    expect(alone.targetTokens[0]).toEqual([s0, e0]);
    const a = await lossOf(alone.feeds);
    const b = await lossOf(both.feeds);
    expect(Math.abs(b.perSample[0]! - a.perSample[0]!) / a.perSample[0]!).toBeLessThan(1e-4);
    expect(b.loss).not.toBe(a.loss);
    // The longer sample too (first in the batch, so that its noise is that of its batch alone): its context
    // image at the short sample's target turn is not modulated by the short sample's t.
    const longFirst = await lossOf(batchOf([latents[1]!, latents[0]!], [plans[1]!, plans[0]!]).feeds);
    const longAlone = await lossOf(batchOf([latents[1]!], [plans[1]!]).feeds);
    expect(Math.abs(longFirst.perSample[0]! - longAlone.perSample[0]!) / longAlone.perSample[0]!).toBeLessThan(1e-4);
  });

  test('a batch is a function of the seed and step: rebuilt, it is identical; the next step differs', async () => {
    const plans = await plansFor(latents, 3);
    const x = batchOf(latents, plans, 3);
    const y = batchOf(latents, await plansFor(latents, 3), 3);
    for (const k of Object.keys(x.feeds)) expect(y.feeds[k]!.data).toEqual(x.feeds[k]!.data);
    const z = batchOf(latents, await plansFor(latents, 4), 4);
    expect(z.feeds.target!.data).not.toEqual(x.feeds.target!.data);
  });
});

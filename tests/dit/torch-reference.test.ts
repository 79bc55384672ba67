/**
 * The tiny DiT run by onnxruntime-node against the PyTorch port (bench/torch/dit.py, run by Debian's
 * /usr/bin/python3 with python3-torch): full and block-causal attention, a batch of two timesteps, and a
 * block-causal run over a KV cache. This checks the port that bench/dit times against. Skipped, saying why,
 * where python3-torch is not installed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ditFeeds, DIT_CONFIGS, packSession, patchOutDim, type DitPast } from '../../ml/dit/index.js';
import type { ort } from '../../ml/runtime/index.js';
import { graphWeights, writeSafetensors } from '../../ml/weights/index.js';
import { maxAbsDiff, runTorchDit, SYSTEM_PYTHON, torchVersion } from '../../bench/torch/run.js';
import { runningDit, threeTurns, type Running } from './model-fixtures.js';

const c = DIT_CONFIGS.tiny;
const torch = torchVersion();
if (!torch) console.log(`tests/dit/torch-reference: skipped, ${SYSTEM_PYTHON} cannot import torch (apt-get install python3-torch to run it)`);
const withTorch = torch ? test : test.skip;

let dir = '';
const models: Partial<Record<'full' | 'block-causal', { r: Running; weights: string }>> = {};

beforeAll(async () => {
  if (!torch) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'cinegraph-torch-dit-'));
  for (const mode of ['full', 'block-causal'] as const) {
    const r = await runningDit(mode, 3);
    const weights = path.join(dir, `${mode}.safetensors`);
    await writeSafetensors(weights, graphWeights(r.dit.graph));
    models[mode] = { r, weights };
  }
});
afterAll(async () => {
  for (const m of Object.values(models)) await m?.r.session.release();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function compare(mode: 'full' | 'block-causal', feeds: Record<string, ort.Tensor>): Promise<{ diff: number; scale: number; length: number }> {
  const m = models[mode]!;
  const ortV = (await m.r.session.run(feeds)).velocity;
  const pt = await runTorchDit({ config: c, weights: m.weights, feeds, attention: mode, dir, threads: 1, warmup: 0, runs: 1 });
  expect(pt.shape).toEqual(ortV.dims);
  const got = ortV.data as Float32Array;
  return { diff: maxAbsDiff(got, pt.velocity), scale: Math.max(...Array.from(got, Math.abs)), length: got.length };
}

describe('tiny DiT: onnxruntime-node against the PyTorch port', () => {
  withTorch.each(['full', 'block-causal'] as const)('%s attention, a batch of two timesteps: max abs diff <= 1e-4', async (mode) => {
    const a = packSession(c, threeTurns(c, 1, 100));
    const b = packSession(c, threeTurns(c, 5, 200)); // the same layout, other values
    const r = await compare(mode, ditFeeds(c, [a, b], [0.37, 0.9], { attention: mode }));
    expect(r.length).toBe(2 * a.visionLen * patchOutDim(c));
    expect(r.scale).toBeGreaterThan(0.01); // a real output, not zeros on both sides
    expect(r.diff).toBeLessThanOrEqual(1e-4);
  });

  withTorch('block-causal over a KV cache of earlier turns: max abs diff <= 1e-4', async () => {
    const { r } = models['block-causal']!;
    const turns = threeTurns(c);
    const early = packSession(c, turns, { to: 2 });
    const out = await r.session.run(ditFeeds(c, early, 0.5, { attention: 'block-causal' }));
    const past: DitPast = {
      turn: BigInt64Array.from([...early.textTurn, ...early.visionTurn]),
      keys: Array.from({ length: c.layers }, (_, i) => out[`present_key_${i}`]),
      values: Array.from({ length: c.layers }, (_, i) => out[`present_value_${i}`]),
    };
    const last = packSession(c, turns, { from: 2 });
    const res = await compare('block-causal', ditFeeds(c, last, 0.5, { attention: 'block-causal', past }));
    expect(res.length).toBe(last.visionLen * patchOutDim(c));
    expect(res.scale).toBeGreaterThan(0.01);
    expect(res.diff).toBeLessThanOrEqual(1e-4);
  });
});

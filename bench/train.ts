/**
 * Training benchmark, one run (`npm run bench:train`), on this machine's cpu: one train step (the DiT
 * forward, masked velocity MSE, backward, global-norm clipping, AdamW, EMA: ml/train's train-step graph in
 * ONNX Runtime) for `tiny` and `small`, each in a child process of its own so that its peak memory is its own:
 *  - tiny: batch 4 of a two-turn edit sample (a 16x16 latent context image and target, 64 tokens each, 8 text
 *    tokens per turn);
 *  - small: batch 2 of a 256x256 edit sample (32x32 latents, 256 tokens per image, 32 text tokens per turn);
 * printed: the median step time, steps/s and the process's peak RSS. Where Debian's python3-torch is
 * installed (/usr/bin/python3), the same config, weights and batch are stepped by PyTorch (bench/torch/train.py,
 * float32, as many threads as ORT's intra-op threads) and the ORT/PyTorch time ratio is printed (target
 * <= 1.0), with both first-step losses and gradient norms as a check that the two compute the same step.
 *
 * `node dist/bench/train.js [tiny|small]` runs one config only.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ditConfig, type DitConfig } from '../ml/dit/index.js';
import { ort } from '../ml/runtime/index.js';
import { buildBatch, buildTrainingGraph, planSample, planTexts, resolveObjective, shapeOf, type LatentSession } from '../ml/train/index.js';
import { graphWeights, writeSafetensors, type StoredTensor } from '../ml/weights/index.js';
import { runTorchTrainStep, SYSTEM_PYTHON, torchVersion } from './torch/run.js';

/** One benchmarked setting. */
interface Setting {
  readonly config: DitConfig;
  readonly batch: number;
  /** Latent side (the image is 8x for the SD3-style VAE). */
  readonly latent: number;
  readonly textTokens: number;
  /** Timed steps after the warmup (ORT, PyTorch: the reference BLAS of Debian's torch is slow). */
  readonly runs: number;
  readonly torchRuns: number;
}

const SETTINGS: Record<string, Setting> = {
  tiny: { config: ditConfig('tiny'), batch: 4, latent: 16, textTokens: 8, runs: 20, torchRuns: 10 },
  small: { config: ditConfig('small'), batch: 2, latent: 32, textTokens: 32, runs: 3, torchRuns: 2 },
};
const HYPER = { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1, emaDecay: 0.9998 };
const ATTENTION = 'block-causal' as const;
const THREADS = Math.max(1, Math.min(os.availableParallelism(), 16));

/** What a child reports. */
interface ChildReport {
  readonly params: number;
  readonly tokens: number;
  readonly loss: number;
  readonly gradNorm: number;
  readonly medianMs: number;
  readonly peakRssMb: number;
}

/** Deterministic pseudo-random floats in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The child: builds the step, times it, writes the weights and feeds for PyTorch into `dir`. */
async function child(name: string, dir: string): Promise<void> {
  const s = SETTINGS[name]!;
  const c = s.config;
  await mkdir(dir, { recursive: true });
  const graph = buildTrainingGraph(c, { attention: ATTENTION, initSeed: 0, clipNorm: HYPER.clipNorm, ema: HYPER.emaDecay, optimizer: HYPER });
  const session = await ort.InferenceSession.create(graph.step.graph.toBytes(), { executionProviders: ['cpu'], intraOpNumThreads: THREADS, interOpNumThreads: 1 });
  const n = c.latentChannels * s.latent * s.latent;
  const latents: LatentSession[] = Array.from({ length: s.batch }, (_, b) => ({
    key: `bench-${b}`, channels: c.latentChannels, height: s.latent, width: s.latent,
    frames: [values(n, 10 + b), values(n, 20 + b)],
    transitions: [{ text: `edit number ${b}`, regions: { source: '', target: '' }, masks: { source: null, target: null } }],
  }));
  const objective = resolveObjective({ taskRatios: { NIP: 1, CSP: 0, NSP: 0 }, maskProbability: 0, dropCurrentFrame: 0, dropText: 0 });
  const plans = latents.map((z, b) => planSample(shapeOf(z), objective, { seed: 1, step: 0, sample: b }));
  const texts = new Map(planTexts(plans).map((t, i) => [t, values(s.textTokens * c.textDim, 100 + i)]));
  const batch = buildBatch(plans.map((plan, b) => ({ plan, session: latents[b]! })), { config: c, textTokens: s.textTokens, texts, seed: 1, step: 0, attention: ATTENTION });
  const init = graphWeights(graph.dit.graph);
  const state = new Map<string, ort.Tensor>();
  for (const p of graph.step.params) {
    const w = init.get(p.name)!;
    state.set(p.input, new ort.Tensor('float32', Float32Array.from(w.data), [...p.shape]));
    state.set(p.m.input, new ort.Tensor('float32', new Float32Array(w.data.length), [...p.shape]));
    state.set(p.v.input, new ort.Tensor('float32', new Float32Array(w.data.length), [...p.shape]));
    if (p.ema) state.set(p.ema.input, new ort.Tensor('float32', Float32Array.from(w.data), [...p.shape]));
  }
  const data: Record<string, ort.Tensor> = {};
  for (const name of graph.step.dataInputs) data[name] = batch.feeds[name]!;
  const trained = new Map<string, StoredTensor>(graph.step.params.map((p) => [p.name, init.get(p.name)!]));
  await writeSafetensors(join(dir, 'weights.safetensors'), trained);
  await writeSafetensors(join(dir, 'feeds.safetensors'), new Map(Object.entries(data).map(([k, t]) => [k, { shape: [...t.dims], data: toF32(t) }])));

  let stepNo = 0;
  const step = async () => {
    stepNo++;
    const out = await session.run({ ...Object.fromEntries(state), ...data, step: new ort.Tensor('float32', new Float32Array([stepNo]), []), lr: new ort.Tensor('float32', new Float32Array([HYPER.lr]), []) });
    for (const p of graph.step.params) {
      state.set(p.input, out[p.output]!);
      state.set(p.m.input, out[p.m.output]!);
      state.set(p.v.input, out[p.v.output]!);
      if (p.ema) state.set(p.ema.input, out[p.ema.output]!);
    }
    return { loss: out.loss!.data[0] as number, gradNorm: out.grad_norm!.data[0] as number };
  };
  const first = await step();
  const times: number[] = [];
  for (let i = 0; i < s.runs; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  await session.release();
  const report: ChildReport = {
    params: graph.step.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0),
    tokens: batch.visionLen + Number(batch.feeds.text!.dims[1]),
    loss: first.loss, gradNorm: first.gradNorm, medianMs: median(times), peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  await writeFile(join(dir, 'report.json'), JSON.stringify(report));
}

function toF32(t: ort.Tensor): Float32Array {
  const d = t.data;
  return d instanceof Float32Array ? d : d instanceof BigInt64Array ? Float32Array.from(d, Number) : Float32Array.from(d as Uint8Array);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function parent(names: string[]): Promise<void> {
  const torch = torchVersion();
  const root = mkdtempSync(join(tmpdir(), 'cinegraph-bench-train-'));
  try {
    console.log(`train step on cpu (${THREADS} ORT intra-op threads, ${ATTENTION} attention, AdamW + clipping + EMA)`);
    for (const name of names) {
      const s = SETTINGS[name]!;
      const dir = join(root, name);
      await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', name, dir], { maxBuffer: 16 * 2 ** 20 })
        .catch(async (e: Error & { stderr?: string }) => { throw new Error(`the ${name} child failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-5).join('\n')}`); });
      const r = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ChildReport;
      console.log(`${name}: ${(r.params / 1e6).toFixed(2)}M parameters, batch ${s.batch} x ${r.tokens} tokens: ${r.medianMs.toFixed(1)} ms/step (${(1000 / r.medianMs).toFixed(2)} steps/s), peak RSS ${r.peakRssMb.toFixed(0)} MB`);
      if (!torch) {
        console.log(`  PyTorch comparison skipped: ${SYSTEM_PYTHON} has no torch (apt install python3-torch)`);
        continue;
      }
      const t = await runTorchTrainStep({
        config: s.config, weights: join(dir, 'weights.safetensors'), feeds: {}, feedsFile: join(dir, 'feeds.safetensors'), attention: ATTENTION, dir,
        threads: THREADS, warmup: 1, runs: s.torchRuns, hyper: HYPER,
      });
      console.log(`  PyTorch ${t.torch} (${t.threads} threads, BLAS ${t.blas}): ${t.medianMs.toFixed(1)} ms/step, peak RSS ${t.peakRssMb.toFixed(0)} MB`);
      console.log(`  first step: loss ORT ${r.loss.toPrecision(6)} / PyTorch ${t.loss.toPrecision(6)}, grad norm ${r.gradNorm.toPrecision(6)} / ${t.gradNorm.toPrecision(6)}`);
      console.log(`  ORT/PyTorch step time: ${(r.medianMs / t.medianMs).toFixed(3)} (target <= 1.0)`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else {
  const pick = process.argv.slice(2).filter((a) => a in SETTINGS);
  await parent(pick.length ? pick : Object.keys(SETTINGS));
}

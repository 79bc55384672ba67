/**
 * DiT editing benchmark, one run (`npm run bench:dit`), on this machine's cpu, with the `small` DiT
 * (seeded random weights; the numbers are about cost, not quality) in an editing model folder written to a
 * temp folder (tiny SD3-style VAE, 16 channels at 1/8; an embedding-table text encoder):
 *  (a) the dit/edit node (5 turns, CFG 7.5 batched as 2, block-causal with the context cache) against the
 *      sum of the DiT session.run calls it made (ratio; target <= 1.05). The node's remainder is text
 *      encoding, VAE encode/decode, packing, guidance arithmetic and the preview PNGs;
 *  (b) turn-5 over turn-1 latency with the context cache (target <= 1.3) and without it (the reference's
 *      behaviour: the whole session recomputed every step);
 *  (c) the denoiser step time of `small`: one forward of a 256x256 edit turn (150 text tokens, a 256-token
 *      context image and a 256-token target, batch 1);
 *  (d) where Debian's python3-torch is installed (/usr/bin/python3): the same forward as (c) in PyTorch
 *      (bench/torch/dit.py, float32, cpu, no_grad, as many threads as ORT's intra-op threads) on the same
 *      weights and feeds: the maximum absolute difference of the velocities and the ORT/PyTorch time ratio.
 *
 * `node dist/bench/dit.js [a|b|c|d]` runs one part only (`d`: the PyTorch comparison alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, RawImage } from '../engine/index.js';
import { buildDit, ditConfig, ditFeeds, packSession, type DitConfig } from '../ml/dit/index.js';
import { createSession, type ort } from '../ml/runtime/index.js';
import { readSafetensors } from '../ml/weights/index.js';
import { maxAbsDiff, runTorchDit, SYSTEM_PYTHON, torchVersion } from './torch/run.js';
import { gaussianNoise } from '../ml/diffusion/index.js';
import { editPrompt, InContextSession, loadEditModel, writeTinyEditModel, type EditModel } from '../ml/edit/index.js';
import { editNode } from '../nodes/dit/edit.js';

const dir = mkdtempSync(join(tmpdir(), 'cinegraph-bench-dit-'));
const SIDE = 128; // pixels: a 16x16 latent, 64 tokens per image
const TEXT_TOKENS = 32;
const TURNS = 5;
const STEPS = 8;
const instructions = ['make the sky orange', 'add a red hat', 'turn it into a sketch', 'zoom out a little', 'make it night'];

const ctx: NodeContext = {
  runId: 'bench', nodeId: 'bench', signal: new AbortController().signal, outputDir: dir, services: { dataDir: dir },
  log: { info: () => undefined, warn: (m) => process.stderr.write(`${m}\n`), debug: () => undefined },
  progress: () => undefined, preview: () => undefined, metric: () => undefined, scratchDir: async () => dir,
};

function image(side: number): RawImage {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data.set([x * 2, y * 2, 100], (y * side + x) * 3);
  return { width: side, height: side, channels: 3, data };
}

const widgets = (folder: string, steps: number, cache: boolean) => ({
  model: folder, steps, shift: 12, cfg: 7.5, imageCfg: 1, negative: '', seed: 0, attention: 'block-causal', cache, layout: 'joint', device: 'cpu',
});

async function runNode(folder: string, lines: readonly string[], steps: number): Promise<number> {
  const start = performance.now();
  const stream = editNode.stream!({ image: image(SIDE), instructions: lines.join('\n'), ...widgets(folder, steps, true) }, ctx) as AsyncIterable<unknown>;
  for await (const _ of stream) void _;
  return performance.now() - start;
}

async function turnLatencies(model: EditModel, cache: boolean, steps: number): Promise<number[]> {
  const s = await InContextSession.open(model, { cache, guidance: { scale: 7.5 }, steps, shift: 12, seed: 0 });
  const z0 = await model.vae.encode(image(SIDE));
  await s.addContext('', z0);
  const times: number[] = [];
  for (let k = 1; k <= TURNS; k++) {
    const start = performance.now();
    await s.generate(editPrompt(k, instructions[k - 1]!), z0);
    times.push(performance.now() - start);
  }
  return times;
}

/** The feeds of one 256x256 edit turn: 150 text tokens, a 256-token context image, a 256-token target (batch 1). */
function stepFeeds(c: DitConfig): Record<string, ort.Tensor> {
  const L = 150;
  const text = gaussianNoise(L * c.textDim, 1);
  const n = c.latentChannels * 32 * 32;
  const pack = packSession(c, [
    { text: new Float32Array(0), frames: [{ height: 32, width: 32, context: gaussianNoise(n, 2), isContext: true }] },
    { text, frames: [{ height: 32, width: 32, noisy: gaussianNoise(n, 3), isContext: false }] },
  ]);
  return ditFeeds(c, pack, 0.5, { attention: 'block-causal' });
}

/** Median of 3 timed calls after one warm-up; the last call's result. */
async function median3<T>(f: () => Promise<T>): Promise<{ ms: number; last: T }> {
  let last = await f();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    last = await f();
    times.push(performance.now() - start);
  }
  return { ms: times.sort((a, b) => a - b)[1]!, last };
}

async function stepTime(model: EditModel): Promise<number> {
  const dit = await model.dit('block-causal');
  const feeds = stepFeeds(model.config.dit);
  return (await median3(() => dit.run(feeds, ['velocity']))).ms;
}

// ORT's intra-op threads in (d), given explicitly so that PyTorch gets the same count (ml/runtime's default).
const THREADS = Math.min(os.availableParallelism(), 4);

/** (d): the (c) forward in ORT and in PyTorch on the same weights file and feeds. */
async function torchComparison(c: DitConfig, weightsFile: string): Promise<void> {
  const version = torchVersion();
  if (!version) {
    console.log(`(d) PyTorch comparison skipped: ${SYSTEM_PYTHON} cannot import torch (apt-get install python3-torch to enable it)`);
    return;
  }
  const { tensors } = await readSafetensors(weightsFile);
  const built = buildDit(c, { attention: 'block-causal', weights: tensors, strict: true, source: weightsFile });
  const session = await createSession(built.graph.toBytes(), { device: 'cpu', intraOpThreads: THREADS, cache: false, name: 'small DiT (bench d)' });
  try {
    const feeds = stepFeeds(c);
    const ortRun = await median3(() => session.run(feeds, { outputs: ['velocity'] }));
    const v = ortRun.last.velocity.data as Float32Array;
    const pt = await runTorchDit({ config: c, weights: weightsFile, feeds, attention: 'block-causal', dir, threads: THREADS, warmup: 1, runs: 3 });
    const peak = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    // Debian's default libblas.so.3 is the netlib reference BLAS: single-threaded and unblocked.
    const blas = pt.blas.includes('/blas/libblas') ? `${pt.blas}, the reference BLAS: apt-get install libopenblas0 makes PyTorch's matmuls far faster` : pt.blas;
    console.log(`(d) the (c) forward in PyTorch ${pt.torch} (cpu, float32, ${pt.threads} threads as ORT's intra-op; BLAS ${blas}), same weights and feeds:`);
    console.log(`    max |v_ORT - v_PyTorch| = ${maxAbsDiff(v, pt.velocity).toExponential(2)} (max |v| ${peak.toFixed(2)}); ORT ${ms(ortRun.ms)}, PyTorch ${ms(pt.medianMs)} (medians of 3); ORT/PyTorch time ratio ${(ortRun.ms / pt.medianMs).toFixed(3)}`);
  } finally {
    await session.release();
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only && !['a', 'b', 'c', 'd'].includes(only)) throw new Error(`bench/dit: unknown part '${only}'; give a, b, c or d (or nothing for all)`);
  const folder = await writeTinyEditModel(join(dir, 'small-edit'), { dit: ditConfig('small'), textTokens: TEXT_TOKENS });
  const model = await loadEditModel(folder, { device: 'cpu' });
  console.log(`bench:dit — DiT 'small' (${model.config.dit.width} wide, ${model.config.dit.layers} layers), ${SIDE}x${SIDE} images (64 tokens), ${TEXT_TOKENS} text tokens per turn, CFG batched (2), cpu`);

  if (!only || only === 'a') await partA(folder, model);
  if (!only || only === 'b') await partB(model);
  if (!only || only === 'c') console.log(`(c) denoiser step of 'small' on cpu (256x256 edit turn: 150 text + 256 context + 256 target tokens, batch 1): ${ms(await stepTime(model))} (median of 3)`);
  if (!only || only === 'd') await torchComparison(model.config.dit, join(folder, model.config.weights ?? 'dit.safetensors'));
}

/** (a) the node against its DiT runs (a warm-up run first: graph build and session load are not per-edit costs). */
async function partA(folder: string, model: EditModel): Promise<void> {
  await runNode(folder, instructions.slice(0, 1), 1);
  model.stats.runs = 0;
  model.stats.runMs = 0;
  const nodeMs = await runNode(folder, instructions, STEPS);
  const { runs, runMs } = model.stats;
  console.log(`(a) dit/edit, ${TURNS} turns x ${STEPS} steps: node ${ms(nodeMs)}, ${runs} DiT session.run calls ${ms(runMs)}, ratio ${(nodeMs / runMs).toFixed(3)} (target <= 1.05)`);
}

/** (b) turn latency growth. */
async function partB(model: EditModel): Promise<void> {
  const cached = await turnLatencies(model, true, STEPS);
  const uncached = await turnLatencies(model, false, STEPS);
  const line = (t: number[]) => t.map((x) => (x / 1000).toFixed(2)).join(', ');
  console.log(`(b) per-turn latency (s), cache on:  ${line(cached)}; turn 5 / turn 1 = ${(cached[4]! / cached[0]!).toFixed(2)} (target <= 1.3)`);
  console.log(`    per-turn latency (s), cache off: ${line(uncached)}; turn 5 / turn 1 = ${(uncached[4]! / uncached[0]!).toFixed(2)} (the reference's behaviour)`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));

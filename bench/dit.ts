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
 *  (d) PyTorch's forward of the same model, where python3-torch is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, RawImage } from '../engine/index.js';
import { ditConfig, ditFeeds, packSession } from '../ml/dit/index.js';
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

async function stepTime(model: EditModel): Promise<number> {
  const c = model.config.dit;
  const dit = await model.dit('block-causal');
  const L = 150;
  const text = gaussianNoise(L * c.textDim, 1);
  const n = c.latentChannels * 32 * 32;
  const pack = packSession(c, [
    { text: new Float32Array(0), frames: [{ height: 32, width: 32, context: gaussianNoise(n, 2), isContext: true }] },
    { text, frames: [{ height: 32, width: 32, noisy: gaussianNoise(n, 3), isContext: false }] },
  ]);
  const feeds = ditFeeds(c, pack, 0.5, { attention: 'block-causal' });
  await dit.run(feeds, ['velocity']);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await dit.run(feeds, ['velocity']);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[1]!;
}

function torchAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const folder = await writeTinyEditModel(join(dir, 'small-edit'), { dit: ditConfig('small'), textTokens: TEXT_TOKENS });
  const model = await loadEditModel(folder, { device: 'cpu' });
  console.log(`bench:dit — DiT 'small' (${model.config.dit.width} wide, ${model.config.dit.layers} layers), ${SIDE}x${SIDE} images (64 tokens), ${TEXT_TOKENS} text tokens per turn, CFG batched (2), cpu`);

  // (a) the node against its DiT runs (a warm-up run first: graph build and session load are not per-edit costs)
  await runNode(folder, instructions.slice(0, 1), 1);
  model.stats.runs = 0;
  model.stats.runMs = 0;
  const nodeMs = await runNode(folder, instructions, STEPS);
  const { runs, runMs } = model.stats;
  console.log(`(a) dit/edit, ${TURNS} turns x ${STEPS} steps: node ${ms(nodeMs)}, ${runs} DiT session.run calls ${ms(runMs)}, ratio ${(nodeMs / runMs).toFixed(3)} (target <= 1.05)`);

  // (b) turn latency growth
  const cached = await turnLatencies(model, true, STEPS);
  const uncached = await turnLatencies(model, false, STEPS);
  const line = (t: number[]) => t.map((x) => (x / 1000).toFixed(2)).join(', ');
  console.log(`(b) per-turn latency (s), cache on:  ${line(cached)}; turn 5 / turn 1 = ${(cached[4]! / cached[0]!).toFixed(2)} (target <= 1.3)`);
  console.log(`    per-turn latency (s), cache off: ${line(uncached)}; turn 5 / turn 1 = ${(uncached[4]! / uncached[0]!).toFixed(2)} (the reference's behaviour)`);

  // (c) one denoiser step
  console.log(`(c) denoiser step of 'small' on cpu (256x256 edit turn: 150 text + 256 context + 256 target tokens, batch 1): ${ms(await stepTime(model))} (median of 3)`);

  // (d) PyTorch
  console.log(torchAvailable()
    ? '(d) python3-torch is installed, but the PyTorch port of the DiT is not written yet: no comparison'
    : '(d) PyTorch comparison skipped: python3-torch is not installed on this machine (apt-get install python3-torch to enable it)');
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));

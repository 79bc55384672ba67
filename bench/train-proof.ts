/**
 * The end-to-end proof that a DiT trained by Cinegraph on annotated video learns to edit, one run
 * (`npm run bench:proof`, minutes on two CPU cores):
 *  1. `synthesize-sessions` writes training sessions (synthetic clips with known edits: objects appear,
 *     disappear, move, change colour or size) and, from other clip seeds, 50 held-out sessions, as shards;
 *  2. the proof model (bench/proof/model.ts: a ~1.5M-parameter DiT, a patch VAE, a text-embedding table)
 *     is written with seeded initial weights;
 *  3. the untrained model edits the held-out sessions: masked L1 against the true next frame;
 *  4. ml/train trains it on the shards with the method's objective (NIP / CSP / NSP, mask and context
 *     dropout, logit-normal timesteps), checkpointing as it goes;
 *     every `PROOF_EVAL_EVERY` updates the EMA weights edit 50 validation sessions (other clip seeds
 *     again), and the weights with the lowest validation error are kept (model selection that never looks
 *     at the held-out sessions);
 *  5. the kept weights edit the held-out sessions; the copy-the-source baseline is measured too.
 * It passes when the trained error is at least 30% below the untrained one and below copy-the-source.
 *
 * `node dist/bench/train-proof.js [steps]`; `PROOF_DIR` keeps the data, checkpoints, the kept model and an
 * example sheet (default: a temp folder, removed at the end). Settings: PROOF_TRAIN (sessions), PROOF_LR,
 * PROOF_EMA, PROOF_EVAL_EVERY, PROOF_SAMPLES (edits per session, averaged), PROOF_SIDE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gridImages, writeImage, type RawImage } from '../media/image/index.js';
import type { Session } from '../media/session/index.js';
import { readShards } from '../media/shards/index.js';
import { loadEditModel, releaseEditModels } from '../ml/edit/index.js';
import { Trainer } from '../ml/train/index.js';
import { fitSession } from '../nodes/train/sources.js';
import { synthesizeShards } from './proof/data.js';
import { copySourceError, evaluateEdits, type EditEvalOptions } from './proof/evaluate.js';
import { PROOF_DIT, writeProofModel } from './proof/model.js';

const STEPS = Number(process.argv[2] ?? process.env.PROOF_STEPS ?? 3000);
const TRAIN_SESSIONS = Number(process.env.PROOF_TRAIN ?? 3000);
const HELD_OUT = 50;
const VALIDATION = 50;
const EVAL_EVERY = Number(process.env.PROOF_EVAL_EVERY ?? 500);
/** Clips are synthesized at 64 x 64 (the synthesizer's smallest) and trained at SIDE x SIDE, as dit/train fits them. */
const CLIP_SIDE = 64;
const SIDE = Number(process.env.PROOF_SIDE ?? 32);
const BATCH = 4;
const LR = Number(process.env.PROOF_LR ?? 2e-3);
const EMA = Number(process.env.PROOF_EMA ?? 0.995);
const keep = process.env.PROOF_DIR;
const dir = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), 'cinegraph-proof-'));
const evalOptions: EditEvalOptions = { steps: 20, guidance: 3, seed: 7, samples: Number(process.env.PROOF_SAMPLES ?? 1) };
const log = (m: string) => process.stdout.write(`${m}\n`);
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

async function sessionsOf(folder: string): Promise<Session[]> {
  const out: Session[] = [];
  for await (const s of readShards({ dir: folder })) out.push(await fitSession(s, SIDE, SIDE));
  return out;
}

async function main(): Promise<void> {
  if (!(STEPS >= 1)) throw new Error(`steps must be a positive number, got ${process.argv[2]}`);
  if (!(EVAL_EVERY >= 1)) throw new Error(`PROOF_EVAL_EVERY must be a positive number of updates, got ${process.env.PROOF_EVAL_EVERY}`);
  log(`proof: ${TRAIN_SESSIONS} training + ${VALIDATION} validation + ${HELD_OUT} held-out sessions (${CLIP_SIDE}x${CLIP_SIDE} clips, trained at ${SIDE}x${SIDE}), ${STEPS} steps of batch ${BATCH} (lr ${LR}, EMA ${EMA}), in ${dir}`);
  let t0 = performance.now();
  const trainDir = join(dir, 'train');
  const heldDir = join(dir, 'held-out');
  const nTrain = await synthesizeShards({ out: trainDir, count: TRAIN_SESSIONS, seed: 0, side: CLIP_SIDE, events: 1 });
  const nHeld = await synthesizeShards({ out: heldDir, count: HELD_OUT, seed: 1_000_000, side: CLIP_SIDE, events: 1 });
  const validDir = join(dir, 'validation');
  const nValid = await synthesizeShards({ out: validDir, count: VALIDATION, seed: 2_000_000, side: CLIP_SIDE, events: 1 });
  log(`data: ${nTrain} training, ${nValid} validation and ${nHeld} held-out sessions written by synthesize-sessions (${secs(t0)})`);

  const held = await sessionsOf(heldDir);
  const validation = await sessionsOf(validDir);
  const untrainedFolder = await writeProofModel(join(dir, 'untrained'), 0);
  const untrained = await loadEditModel(untrainedFolder, { device: 'cpu' });
  t0 = performance.now();
  const before = await evaluateEdits(untrained, held, evalOptions);
  log(`untrained model: held-out masked L1 ${before.mean.toFixed(4)} (${secs(t0)})`);

  let losses: number[] = [];
  let tTrain = performance.now();
  const trainer = await Trainer.create({
    model: untrained, batchSize: BATCH, seed: 1, lr: { base: LR, warmup: 200, decayTo: 0.1, total: STEPS }, clipNorm: 1, emaDecay: EMA,
    sessions: async function* (epoch) {
      for await (const s of readShards({ dir: trainDir, shuffle: 64, seed: 1 + epoch })) yield await fitSession(s, SIDE, SIDE);
    },
    checkpoint: { dir: join(dir, 'checkpoints'), every: 500, keep: 2 },
    onStep: (r) => {
      losses.push(r.loss);
      if (r.step % 100 !== 0 && r.step !== STEPS) return;
      const rate = r.step / ((performance.now() - tTrain) / 1000);
      const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
      log(`  step ${r.step}/${STEPS}  loss ${mean.toFixed(4)} (mean of the last ${losses.length})  grad norm ${r.gradNorm.toFixed(2)}  ${rate.toFixed(2)} steps/s  eta ${((STEPS - r.step) / rate / 60).toFixed(1)} min`);
      losses = [];
    },
  });
  const params = trainer.graph.step.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  log(`training ${PROOF_DIT.name} (${(params / 1e6).toFixed(2)}M parameters) ...`);
  tTrain = performance.now();
  // Train in rounds of EVAL_EVERY updates; after each, the EMA weights edit the validation sessions and
  // the best weights so far are kept in `trained`.
  const trainedFolder = join(dir, 'trained');
  let best = { step: 0, error: Infinity };
  let trainSeconds = 0;
  while (trainer.step < STEPS) {
    const t1 = performance.now();
    await trainer.run(Math.min(EVAL_EVERY, STEPS - trainer.step));
    trainSeconds += (performance.now() - t1) / 1000;
    const candidate = await trainer.exportEma(join(dir, `ema-step-${trainer.step}`));
    const t2 = performance.now();
    const { mean } = await evaluateEdits(await loadEditModel(candidate, { device: 'cpu' }), validation, evalOptions);
    const better = mean < best.error;
    log(`  step ${trainer.step}: validation masked L1 ${mean.toFixed(4)}${better ? ' (best so far)' : ` (best: ${best.error.toFixed(4)} at step ${best.step})`} (${secs(t2)})`);
    if (better) {
      best = { step: trainer.step, error: mean };
      await rm(trainedFolder, { recursive: true, force: true });
      await rename(candidate, trainedFolder);
    } else {
      await rm(candidate, { recursive: true, force: true });
    }
  }
  await trainer.release();
  log(`trained ${STEPS} steps in ${trainSeconds.toFixed(0)} s (${(STEPS / trainSeconds).toFixed(2)} steps/s); kept the EMA weights of step ${best.step} (lowest validation error)`);

  const trained = await loadEditModel(trainedFolder, { device: 'cpu' });
  t0 = performance.now();
  const after = await evaluateEdits(trained, held, evalOptions);
  log(`trained model: held-out masked L1 ${after.mean.toFixed(4)} (${secs(t0)})`);
  const copy = copySourceError(held);
  const drop = 1 - after.mean / before.mean;
  log('');
  log(`edit error on ${held.length} held-out sessions (mean |edited - true next frame| over the changed pixels, 0..1):`);
  log(`  untrained model     ${before.mean.toFixed(4)}`);
  log(`  copy the source     ${copy.mean.toFixed(4)}`);
  log(`  trained model       ${after.mean.toFixed(4)}   (${(100 * drop).toFixed(1)}% below untrained; target >= 30%; EMA weights of step ${best.step})`);
  const pass = drop >= 0.3 && after.mean < copy.mean;
  log(`proof: ${pass ? 'PASS' : 'FAIL'} (${drop >= 0.3 ? '' : 'less than 30% below untrained; '}${after.mean < copy.mean ? 'beats' : 'does not beat'} copy-the-source)`);

  if (keep) {
    const rows: RawImage[] = [];
    for (let i = 0; i < Math.min(8, held.length); i++) rows.push(held[i]!.frames[0]!, held[i]!.frames[1]!, before.images[i]!, after.images[i]!);
    const sheet = gridImages(rows, { columns: 4, padding: 2 });
    await mkdir(dir, { recursive: true });
    await writeImage(sheet, join(dir, 'examples.png'));
    log(`examples (source | true next | untrained | trained): ${join(dir, 'examples.png')}`);
  }
  await releaseEditModels();
  if (!keep) rmSync(dir, { recursive: true, force: true });
  process.exitCode = pass ? 0 : 1;
}

await main();

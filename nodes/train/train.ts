/** dit/train: trains an editing model's DiT on sessions from shards, with a live loss curve. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { defineNode, T } from '../../engine/index.js';
import { patchOutDim } from '../../ml/dit/index.js';
import { loadEditModel } from '../../ml/edit/index.js';
import { checkpointName, latestCheckpoint, Trainer, type StepReport } from '../../ml/train/index.js';
import { openTrainLog } from './log.js';
import { shardSource } from './sources.js';
import { resolveStart } from './start.js';

/**
 * Trains the DiT with the method's objective (NIP / CSP / NSP proxy tasks, region masks, context and text
 * dropout, logit-normal timesteps, v target on the noised tokens) until update `steps`, saving atomic
 * checkpoints every `every` updates into `<out>/checkpoints`. A rerun (or a run after a kill or a cancel)
 * continues from the newest checkpoint there, exactly. Each update reports the metrics loss, lr, grad_norm
 * and steps_per_second.
 * @example { "type": "dit/train", "inputs": { "shards": "output/synthetic-shards", "model": "tiny", "steps": 200, "out": "output/train", "width": 32, "height": 32 } }
 */
export const trainNode = defineNode({
  type: 'dit/train',
  title: 'Train DiT',
  description:
    "Trains an in-context editing DiT on sessions read from shards (VINCIE's objective: NIP/CSP/NSP proxy tasks, region masks p=0.8, context and text dropout, logit-normal timesteps, lerp noising with the v target, loss on noised tokens only) with AdamW, warmup, gradient clipping and an EMA. Runs until update `steps`; checkpoints go to <out>/checkpoints every `every` updates, and a rerun continues from the newest one exactly. Plots loss, lr, grad_norm and steps_per_second per update. A cancel stops between updates and keeps the last periodic checkpoint.",
  inputs: {
    shards: { type: T.STRING, default: 'output/synthetic-shards', description: 'the shard folder (dataset/write-shards)' },
    holdout: { type: T.INT, default: 0, min: 0, description: 'keep every n-th stored session out of training: those dataset/read-shards gives worker 0 of n (0: none)' },
    shuffle: { type: T.INT, default: 64, min: 0, max: 100000, description: 'shuffle buffer (reshuffled each epoch from seed + epoch; 0: stored order)' },
    width: { type: T.INT, default: 32, min: 0, max: 4096, step: 16, description: 'training width in pixels; frames and masks are cover-cropped to width x height (0 and 0: stored size)' },
    height: { type: T.INT, default: 32, min: 0, max: 4096, step: 16, description: 'training height in pixels' },
    model: {
      type: T.STRING,
      default: 'tiny',
      description: "'tiny' or 'small' (a fresh random model of that DiT config, written to <out>/base-model), an editing model folder to fine-tune, or a checkpoint folder to continue from",
    },
    steps: { type: T.INT, default: 1000, min: 1, max: 10_000_000, description: 'train until this update (a resumed run does the rest)' },
    lr: { type: T.FLOAT, default: 0.001, min: 1e-8, max: 1, step: 0.0001, description: 'AdamW learning rate (after warmup)' },
    warmup: { type: T.INT, default: 100, min: 0, description: 'linear warmup, updates' },
    lrFinal: { type: T.FLOAT, default: 1, min: 0, max: 1, step: 0.05, description: "the learning rate at update `steps`, as a fraction of lr (cosine decay after the warmup; 1: constant)" },
    batch: { type: T.INT, default: 4, min: 1, max: 4096, description: 'sessions per update' },
    seed: { type: T.INT, default: 0, min: 0, max: 2 ** 31 - 1, description: 'seeds the model init, the data order and every draw of the objective' },
    nip: { type: T.FLOAT, default: 0.6, min: 0, max: 1, step: 0.05, description: 'task ratio: next image' },
    csp: { type: T.FLOAT, default: 0.2, min: 0, max: 1, step: 0.05, description: 'task ratio: current segmentation' },
    nsp: { type: T.FLOAT, default: 0.2, min: 0, max: 1, step: 0.05, description: 'task ratio: next segmentation' },
    clipNorm: { type: T.FLOAT, default: 1, min: 0, max: 1000, step: 0.1, description: 'global gradient-norm clip (0: none)' },
    emaDecay: { type: T.FLOAT, default: 0.9998, min: 0, max: 1, step: 0.0001, description: 'EMA decay of the exported weights (VINCIE: 0.9998)' },
    out: { type: T.STRING, default: '', description: 'run folder: checkpoints/, base-model/, train-log.jsonl (default <output folder>/train)' },
    every: { type: T.INT, default: 100, min: 1, description: 'save a checkpoint every this many updates' },
    keep: { type: T.INT, default: 3, min: 1, description: 'checkpoints kept (older ones are removed)' },
    resume: { type: T.BOOLEAN, default: true, description: "continue from the newest checkpoint in <out>/checkpoints (off: such checkpoints are an error)" },
    threads: { type: T.INT, default: 0, min: 0, max: 256, description: 'ONNX Runtime threads (0: its default; 1 makes CPU runs bit-reproducible)' },
  },
  outputs: {
    checkpoint: { type: T.STRING, description: 'the final checkpoint folder' },
    dir: { type: T.STRING, description: 'the checkpoints folder' },
    loss: { type: T.FLOAT, description: 'the loss of the last update (NaN when unknown)' },
    step: { type: T.INT, description: 'updates done' },
  },
  output: true,
  // It writes checkpoints and continues from what it finds on disk: a cached result could name
  // checkpoints that were since removed, or skip training that a user asked for again.
  notIdempotent: true,
  version: 1,
  async run(inputs, ctx) {
    const out = path.resolve(inputs.out.trim() || path.join(ctx.outputDir, 'train'));
    const checkpoints = path.join(out, 'checkpoints');
    await mkdir(out, { recursive: true });
    const start = await resolveStart({ model: inputs.model, checkpoints, baseModel: path.join(out, 'base-model'), seed: inputs.seed, resume: inputs.resume });
    const source = await shardSource({
      dir: inputs.shards, holdout: inputs.holdout, shuffle: inputs.shuffle, seed: inputs.seed, width: inputs.width, height: inputs.height, signal: ctx.signal,
    });
    const model = await loadEditModel(start.model, { device: 'cpu', log: ctx.log });
    ctx.log.info(`training on ${source.count} session(s), ${source.heldOut} held out; starting from ${start.from}`);
    const dit = model.config.dit;
    if (patchOutDim(dit) > dit.width) {
      ctx.log.warn(`the DiT '${dit.name}' is ${dit.width} wide but a token carries ${patchOutDim(dit)} output values: it cannot learn to remove the noise (use a wider model, or a VAE with fewer channels)`);
    }
    let log: Awaited<ReturnType<typeof openTrainLog>> | undefined;
    const trainer = await Trainer.create(
      {
        model,
        sessions: source.sessions,
        batchSize: inputs.batch,
        seed: inputs.seed,
        lr: inputs.lrFinal < 1 && inputs.steps > inputs.warmup
          ? { base: inputs.lr, warmup: inputs.warmup, decayTo: inputs.lrFinal, total: inputs.steps }
          : { base: inputs.lr, warmup: inputs.warmup },
        objective: { taskRatios: { NIP: inputs.nip, CSP: inputs.csp, NSP: inputs.nsp } },
        clipNorm: inputs.clipNorm > 0 ? inputs.clipNorm : undefined,
        emaDecay: inputs.emaDecay,
        checkpoint: { dir: checkpoints, every: inputs.every, keep: inputs.keep },
        threads: inputs.threads || undefined,
        onStep: async (r: StepReport) => {
          ctx.metric('loss', r.step, r.loss);
          ctx.metric('lr', r.step, r.lr);
          ctx.metric('grad_norm', r.step, r.gradNorm);
          ctx.metric('steps_per_second', r.step, r.stepsPerSecond);
          ctx.progress(r.step, inputs.steps);
          await log?.append(r);
        },
      },
      { resume: start.resume },
    );
    try {
      log = await openTrainLog(path.join(out, 'train-log.jsonl'), trainer.step);
      const remaining = Math.max(0, inputs.steps - trainer.step);
      const reports = await trainer.run(remaining, { signal: ctx.signal });
      // A cancel stops between updates; the last periodic checkpoint stays as it was.
      ctx.signal.throwIfAborted();
      const last = await latestOrSave(trainer, checkpoints, inputs.keep);
      ctx.progress(trainer.step, Math.max(trainer.step, inputs.steps));
      const loss = reports.at(-1)?.loss ?? (log.last?.step === trainer.step ? log.last.loss : Number.NaN);
      return { checkpoint: last, dir: checkpoints, loss, step: trainer.step };
    } finally {
      await trainer.release();
    }
  },
});

/** The checkpoint of the trainer's current step: the periodic one if it was just saved, else a new save. */
async function latestOrSave(trainer: Trainer, dir: string, keep: number): Promise<string> {
  const latest = await latestCheckpoint(dir);
  if (latest && path.basename(latest) === checkpointName(trainer.step)) return latest;
  return trainer.save(dir, keep);
}

/**
 * ml/train: training the DiT on sessions with the method's objective — per-sample proxy tasks (NIP, CSP,
 * NSP), region masks, context and text dropout, logit-normal timesteps, lerp noising with the v target, a
 * masked MSE on the noised tokens only — as pure batch building plus one train-step ONNX graph
 * (ml/autodiff), with atomic checkpoints, exact resume and EMA export as an editing model folder.
 *
 * @example
 * import { Trainer } from '../ml/train/index.js';
 * const t = await Trainer.create({ model, sessions: (e) => readShards({ dir, shuffle: 64, seed: e }), batchSize: 4, seed: 1, lr: { base: 1e-3, warmup: 100 }, checkpoint: { dir: 'ckpt', every: 100 } });
 * await t.run(1000, { signal });
 * await t.exportEma('out/model');
 */

// The objective and the batch
export { planSample, resolveObjective, shapeOf, OBJECTIVE_DEFAULTS, TRAIN_TASKS } from './objective.js';
export type { ObjectiveOptions, ResolvedObjective, SamplePlan, PlannedTurn, ImageRef, SessionShape, TrainTask } from './objective.js';
export { sampleUniforms, sampleNoise, logitNormal, normalFrom, NOISE_STREAMS_PER_STEP, DRAWS_PER_SAMPLE } from './random.js';
export { encodeSession } from './latent-session.js';
export type { LatentSession, LatentTransition } from './latent-session.js';
export { buildBatch, planTexts, imageLatent } from './batch.js';
export type { Batch, BatchSample, BatchContext } from './batch.js';
export { buildTrainingGraph } from './loss.js';
export type { TrainingGraph, TrainingGraphOptions } from './loss.js';
export { learningRate } from './schedule.js';
export type { LrSchedule } from './schedule.js';

// Checkpoints and the trainer
export { saveCheckpoint, loadCheckpoint, listCheckpoints, latestCheckpoint, checkpointName, exportEditModel, CHECKPOINT_FORMAT } from './checkpoint.js';
export type { Checkpoint, RandomState, ExportEditModelOptions } from './checkpoint.js';
export { Trainer } from './trainer.js';
export type { TrainerOptions, StepReport } from './trainer.js';

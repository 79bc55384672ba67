/**
 * Trainer: sessions -> objective plans -> batch feeds -> one train-step run per update, with the state
 * (weights, AdamW moments, EMA, step, data position) kept between runs, reported per step, saved as
 * checkpoints, resumed exactly, and cancelled between steps by an AbortSignal.
 */
import type { Session } from '../../media/session/index.js';
import type { DitAttention } from '../dit/index.js';
import type { EditModel } from '../edit/index.js';
import { ort } from '../runtime/index.js';
import { graphWeights, readSafetensors, type StoredTensor } from '../weights/index.js';
import { buildBatch, planTexts } from './batch.js';
import { exportEditModel, loadCheckpoint, saveCheckpoint, type Checkpoint, type RandomState } from './checkpoint.js';
import { encodeSession, type LatentSession } from './latent-session.js';
import { buildTrainingGraph, type TrainingGraph } from './loss.js';
import { planSample, resolveObjective, shapeOf, type ObjectiveOptions, type ResolvedObjective } from './objective.js';
import { learningRate, type LrSchedule } from './schedule.js';
import type { AdamWOptions } from '../autodiff/index.js';
import path from 'node:path';

/** What each step reports. */
export interface StepReport {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly stepsPerSecond: number;
}

/** Options of a Trainer. */
export interface TrainerOptions {
  /** The editing model whose DiT is trained (its weights, or its initSeed, start the run), VAE and text encoder. */
  readonly model: EditModel;
  /** The sessions of one epoch (called again with epoch + 1 when a pass ends), e.g. `(e) => readShards({ dir, shuffle: 64, seed: 1 + e })`. */
  readonly sessions: (epoch: number) => AsyncIterable<Session> | Iterable<Session>;
  readonly batchSize: number;
  readonly seed: number;
  readonly lr: LrSchedule;
  readonly objective?: ObjectiveOptions;
  readonly optimizer?: AdamWOptions;
  readonly clipNorm?: number;
  /** EMA decay (default 0.9998). */
  readonly emaDecay?: number;
  /** Default 'block-causal' (needed to batch sessions of different lengths). */
  readonly attention?: DitAttention;
  /** Periodic saves: every `every` updates into `dir`, keeping the last `keep`. */
  readonly checkpoint?: { readonly dir: string; readonly every: number; readonly keep?: number };
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  /** ORT threads (default ORT's). */
  readonly threads?: number;
}

/**
 * Trains an editing model's DiT on sessions.
 * @example
 * const trainer = await Trainer.create({ model, sessions: (e) => readShards({ dir, shuffle: 64, seed: e }), batchSize: 4, seed: 1, lr: { base: 1e-3, warmup: 100 } });
 * await trainer.run(1000, { signal });
 * await trainer.exportEma('out/model');
 */
export class Trainer {
  private stepsDone = 0;
  private random: RandomState;
  private readonly state = new Map<string, ort.Tensor>();
  private readonly latents = new Map<string, LatentSession>();
  private readonly textCache = new Map<string, Float32Array>();
  private iterator: AsyncIterator<Session> | null = null;
  private readonly objective: ResolvedObjective;

  private constructor(readonly options: TrainerOptions, readonly graph: TrainingGraph, private readonly session: ort.InferenceSession, init: ReadonlyMap<string, StoredTensor>) {
    this.objective = resolveObjective(options.objective);
    this.random = { seed: options.seed, epoch: 0, consumed: 0 };
    for (const p of graph.step.params) {
      const w = init.get(p.name);
      if (!w) throw new Error(`Trainer: no initial value for weight '${p.name}'`);
      const zeros = () => new ort.Tensor('float32', new Float32Array(w.data.length), [...p.shape]);
      this.state.set(p.input, new ort.Tensor('float32', Float32Array.from(w.data), [...p.shape]));
      this.state.set(p.m.input, zeros());
      this.state.set(p.v.input, zeros());
      if (p.ema) this.state.set(p.ema.input, new ort.Tensor('float32', Float32Array.from(w.data), [...p.shape]));
    }
  }

  /**
   * Builds the train step and the initial state; `resume` continues from a checkpoint folder.
   * @example const t = await Trainer.create(options, { resume: await latestCheckpoint('ckpt') ?? undefined });
   */
  static async create(options: TrainerOptions, init: { resume?: string } = {}): Promise<Trainer> {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`Trainer: batchSize must be a positive integer, got ${options.batchSize}`);
    const m = options.model;
    const weights = m.config.weights ? (await readSafetensors(path.join(m.folder, m.config.weights))).tensors : undefined;
    const graph = buildTrainingGraph(m.config.dit, {
      attention: options.attention ?? 'block-causal', optimizer: options.optimizer, clipNorm: options.clipNorm,
      ema: options.emaDecay, weights, initSeed: m.config.initSeed,
    });
    const sessionOptions: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}) };
    const session = await ort.InferenceSession.create(graph.step.graph.toBytes(), sessionOptions);
    // The DiT graph holds its initial weights (loaded from the folder, or initialised from initSeed).
    const trainer = new Trainer(options, graph, session, graphWeights(graph.dit.graph));
    if (init.resume) trainer.restore(await loadCheckpoint(init.resume), init.resume);
    return trainer;
  }

  /** Updates done. */
  get step(): number {
    return this.stepsDone;
  }

  /**
   * Runs `steps` more updates (stops early, between steps, when `signal` aborts); resolves with the reports.
   * @example const reports = await trainer.run(10, { signal: controller.signal });
   */
  async run(steps: number, options: { signal?: AbortSignal } = {}): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    const c = this.options.checkpoint;
    for (let k = 0; k < steps; k++) {
      if (options.signal?.aborted) break;
      const t0 = performance.now();
      const report = await this.oneStep();
      reports.push({ ...report, stepsPerSecond: 1000 / (performance.now() - t0) });
      await this.options.onStep?.(reports.at(-1)!);
      if (c && this.stepsDone % c.every === 0) await this.save(c.dir, c.keep);
    }
    return reports;
  }

  private async oneStep(): Promise<Omit<StepReport, 'stepsPerSecond'>> {
    const m = this.options.model;
    const index = this.stepsDone; // draws of update k + 1 use step index k
    const sessions: LatentSession[] = [];
    for (let b = 0; b < this.options.batchSize; b++) sessions.push(await this.nextLatent());
    const plans = sessions.map((s, b) => planSample(shapeOf(s), this.objective, { seed: this.random.seed, step: index, sample: b }));
    const missing = planTexts(plans).filter((t) => !this.textCache.has(t));
    if (missing.length) {
      const enc = await m.text.encode(missing, { maxTokens: m.config.textTokens });
      missing.forEach((t, i) => this.textCache.set(t, enc[i]!.data));
    }
    const batch = buildBatch(plans.map((plan, b) => ({ plan, session: sessions[b]! })), {
      config: m.config.dit, textTokens: m.config.textTokens, texts: this.textCache, seed: this.random.seed, step: index,
      attention: this.options.attention ?? 'block-causal',
    });
    const step = this.graph.step;
    const lr = learningRate(this.options.lr, index + 1);
    const feeds: Record<string, ort.Tensor> = { ...Object.fromEntries(this.state), step: new ort.Tensor('float32', new Float32Array([index + 1]), []), lr: new ort.Tensor('float32', new Float32Array([lr]), []) };
    for (const n of step.dataInputs) {
      const f = batch.feeds[n];
      if (!f) throw new Error(`Trainer: the batch has no feed '${n}' (a bug in ml/train)`);
      feeds[n] = f;
    }
    const out = await this.session.run(feeds);
    for (const p of step.params) {
      this.state.set(p.input, out[p.output]!);
      this.state.set(p.m.input, out[p.m.output]!);
      this.state.set(p.v.input, out[p.v.output]!);
      if (p.ema) this.state.set(p.ema.input, out[p.ema.output]!);
    }
    this.stepsDone++;
    return { step: this.stepsDone, loss: out.loss!.data[0] as number, lr, gradNorm: out.grad_norm!.data[0] as number };
  }

  private async nextLatent(): Promise<LatentSession> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.iterator) {
        this.iterator = toAsync(this.options.sessions(this.random.epoch));
        for (let i = 0; i < this.random.consumed; i++) {
          if ((await this.iterator.next()).done) throw new Error(`Trainer: epoch ${this.random.epoch} has fewer than the ${this.random.consumed} sessions the checkpoint consumed (a different dataset?)`);
        }
      }
      const r = await this.iterator.next();
      if (!r.done) {
        this.random = { ...this.random, consumed: this.random.consumed + 1 };
        const key = r.value.record.key;
        let z = this.latents.get(key);
        if (!z) {
          z = await encodeSession(r.value, this.options.model.vae);
          if (this.latents.size >= 512) this.latents.delete(this.latents.keys().next().value!);
          this.latents.set(key, z);
        }
        return z;
      }
      this.iterator = null;
      this.random = { ...this.random, epoch: this.random.epoch + 1, consumed: 0 };
    }
    throw new Error('Trainer: the session source yielded no sessions');
  }

  /** The current state as a checkpoint. */
  checkpoint(): Checkpoint {
    const weights = new Map<string, StoredTensor>();
    const optimizer = new Map<string, StoredTensor>();
    const get = (name: string) => ({ data: this.state.get(name)!.data as Float32Array, shape: [...this.state.get(name)!.dims] });
    for (const p of this.graph.step.params) {
      weights.set(p.name, get(p.input));
      optimizer.set(p.m.input, get(p.m.input));
      optimizer.set(p.v.input, get(p.v.input));
      if (p.ema) optimizer.set(p.ema.input, get(p.ema.input));
    }
    return { step: this.stepsDone, weights, optimizer, random: this.random, config: this.config() };
  }

  /**
   * Saves a checkpoint now.
   * @example const folder = await trainer.save('runs/a/checkpoints');
   */
  save(dir: string, keep?: number): Promise<string> {
    return saveCheckpoint(dir, this.checkpoint(), { keep });
  }

  /**
   * Writes the EMA weights (the trained weights when no EMA is kept) as an editing model folder.
   * @example await trainer.exportEma('out/tiny-trained'); const model = await loadEditModel('out/tiny-trained');
   */
  exportEma(folder: string): Promise<string> {
    const m = this.options.model;
    const weights = new Map<string, StoredTensor>();
    for (const p of this.graph.step.params) {
      const t = this.state.get(p.ema ? p.ema.input : p.input)!;
      weights.set(p.name, { data: t.data as Float32Array, shape: [...t.dims] });
    }
    const near = (f: string) => (path.isAbsolute(f) ? f : path.join(m.folder, f));
    return exportEditModel(folder, { dit: m.config.dit, weights, vae: near(m.config.vae), text: near(m.config.text), textTokens: m.config.textTokens });
  }

  /** Releases the ORT session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  private config(): Record<string, unknown> {
    const o = this.options;
    return {
      model: o.model.folder, dit: o.model.config.dit, batchSize: o.batchSize, seed: o.seed, lr: o.lr, objective: this.objective,
      optimizer: this.graph.step.optimizer, clipNorm: o.clipNorm ?? null, emaDecay: this.graph.step.emaDecay ?? null, attention: o.attention ?? 'block-causal',
    };
  }

  private restore(ckpt: Checkpoint, where: string): void {
    if (ckpt.random.seed !== this.options.seed) throw new Error(`Trainer: checkpoint ${where} was trained with seed ${ckpt.random.seed}, this run has seed ${this.options.seed}`);
    const take = (name: string, src: ReadonlyMap<string, StoredTensor>, key: string) => {
      const t = src.get(key);
      const cur = this.state.get(name)!;
      if (!t || t.data.length !== cur.data.length) throw new Error(`Trainer: checkpoint ${where} lacks '${key}' or it has the wrong size`);
      this.state.set(name, new ort.Tensor('float32', Float32Array.from(t.data), [...cur.dims]));
    };
    for (const p of this.graph.step.params) {
      take(p.input, ckpt.weights, p.name);
      take(p.m.input, ckpt.optimizer, p.m.input);
      take(p.v.input, ckpt.optimizer, p.v.input);
      if (p.ema) take(p.ema.input, ckpt.optimizer, p.ema.input);
    }
    this.stepsDone = ckpt.step;
    this.random = ckpt.random;
    this.iterator = null;
  }
}


function toAsync<X>(src: AsyncIterable<X> | Iterable<X>): AsyncIterator<X> {
  if (Symbol.asyncIterator in src) return src[Symbol.asyncIterator]();
  const it = src[Symbol.iterator]();
  return { next: async () => it.next() };
}

/**
 * The method's objective (VINCIE's proxy tasks), drawn per sample: which task (NIP: the next image, CSP:
 * the current frame's segmentation, NSP: the next frame's segmentation), which transition, whether region
 * masks are in the sequence (p = 0.8), which context is dropped (current frame 0.2, current mask 0.7, next
 * mask 0.7), whether the texts are dropped (0.1, for classifier-free guidance), and the logit-normal
 * timestep. Pure: a plan is a function of (seed, step, sample index, the session's shape) only.
 *
 * The sequence follows ml/edit's joint layout (one DiT turn = a text and the image it asks for; the first
 * image has no text), images numbered in sequence order, masks being images:
 * `I0 | [Tm00 M00 | Tm01 M01 |] T0 I1 | ... | target`. A dropped context image keeps its tokens with a zero
 * latent (ml/edit's image-free guidance branch does the same); a dropped text is replaced by the empty
 * prompt's features (ml/edit's negative prompt).
 */
import { editPrompt } from '../edit/index.js';
import { logitNormal, normalFrom, sampleUniforms } from './random.js';

/** The proxy tasks. */
export type TrainTask = 'NIP' | 'CSP' | 'NSP';
export const TRAIN_TASKS: readonly TrainTask[] = ['NIP', 'CSP', 'NSP'];

/** Options of the objective (defaults: the method's). */
export interface ObjectiveOptions {
  /** Relative weights of NIP, CSP, NSP (normalised). Default 0.6 / 0.2 / 0.2. */
  readonly taskRatios?: Readonly<Record<TrainTask, number>>;
  /** Probability that region masks are in the sequence. Default 0.8. */
  readonly maskProbability?: number;
  /** Context dropout probabilities. Defaults 0.2, 0.7, 0.7. */
  readonly dropCurrentFrame?: number;
  readonly dropCurrentMask?: number;
  readonly dropNextMask?: number;
  /** Text dropout probability. Default 0.1. */
  readonly dropText?: number;
  /** Logit-normal timestep parameters. Defaults 0 and 1. */
  readonly timestepMean?: number;
  readonly timestepStd?: number;
}

/** Defaults of {@link ObjectiveOptions}. */
export const OBJECTIVE_DEFAULTS = Object.freeze({
  taskRatios: Object.freeze({ NIP: 0.6, CSP: 0.2, NSP: 0.2 }),
  maskProbability: 0.8, dropCurrentFrame: 0.2, dropCurrentMask: 0.7, dropNextMask: 0.7, dropText: 0.1,
  timestepMean: 0, timestepStd: 1,
});

/** An image of the session: a frame, or a transition's source (mask0) / target (mask1) mask. */
export type ImageRef = { readonly kind: 'frame'; readonly index: number } | { readonly kind: 'mask0' | 'mask1'; readonly transition: number };

/** One DiT turn of a sample: its text (null: none) and image. */
export interface PlannedTurn {
  readonly text: string | null;
  readonly image: ImageRef;
  readonly role: 'context' | 'target';
  /** A context image whose latent is zeroed (context dropout). */
  readonly dropped: boolean;
}

/** What a session must tell the planner. */
export interface SessionShape {
  readonly frames: number;
  readonly transitions: readonly { readonly text: string; readonly regions: { readonly source: string; readonly target: string }; readonly hasMask: { readonly source: boolean; readonly target: boolean } }[];
}

/** One sample's draw. */
export interface SamplePlan {
  /** The task drawn, and the task used (CSP / NSP fall back to NIP when the transition lacks that mask). */
  readonly drawn: TrainTask;
  readonly task: TrainTask;
  readonly transition: number;
  readonly masksIncluded: boolean;
  readonly dropped: { readonly currentFrame: boolean; readonly currentMask: boolean; readonly nextMask: boolean };
  readonly textDropped: boolean;
  readonly timestep: number;
  readonly turns: readonly PlannedTurn[];
}

/** Resolved options (defaults filled, checked). */
export type ResolvedObjective = Required<ObjectiveOptions>;

/**
 * Fills and checks objective options.
 * @example resolveObjective({ taskRatios: { NIP: 1, CSP: 0, NSP: 0 } }).dropText // 0.1
 */
export function resolveObjective(o: ObjectiveOptions = {}): ResolvedObjective {
  const r = { ...OBJECTIVE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as ResolvedObjective;
  const ratios = r.taskRatios;
  const sum = TRAIN_TASKS.reduce((s, t) => s + (ratios[t] ?? 0), 0);
  if (TRAIN_TASKS.some((t) => !(ratios[t] >= 0)) || !(sum > 0)) throw new Error(`objective: taskRatios must be non-negative numbers for NIP, CSP and NSP with a positive sum, got ${JSON.stringify(ratios)}`);
  for (const k of ['maskProbability', 'dropCurrentFrame', 'dropCurrentMask', 'dropNextMask', 'dropText'] as const) {
    if (!(r[k] >= 0 && r[k] <= 1)) throw new Error(`objective: ${k} must be a probability in [0, 1], got ${r[k]}`);
  }
  if (!Number.isFinite(r.timestepMean) || !(r.timestepStd >= 0)) throw new Error(`objective: timestepMean must be finite and timestepStd >= 0, got ${r.timestepMean}, ${r.timestepStd}`);
  return r;
}

const regionOf = (phrase: string) => (phrase.trim() === '' ? 'the changed region' : phrase.trim());

/**
 * Draws sample `sample` of step `step` for a session.
 * @example const plan = planSample(shape, resolveObjective(), { seed: 1, step: 0, sample: 3 });
 */
export function planSample(s: SessionShape, o: ResolvedObjective, at: { seed: number; step: number; sample: number }): SamplePlan {
  if (s.frames < 2 || s.transitions.length !== s.frames - 1) throw new Error(`objective: a session needs >= 2 frames and one transition between each pair, got ${s.frames} frames and ${s.transitions.length} transitions`);
  const u = sampleUniforms(at.seed, at.step, at.sample);
  const sum = TRAIN_TASKS.reduce((a, t) => a + o.taskRatios[t], 0);
  let acc = 0;
  let drawn: TrainTask = 'NIP';
  for (const t of TRAIN_TASKS) {
    acc += o.taskRatios[t] / sum;
    if (u[0]! < acc && o.taskRatios[t] > 0) { drawn = t; break; }
  }
  const masksIncluded = u[1]! < o.maskProbability;
  const dropFrame = u[2]! < o.dropCurrentFrame;
  const dropCurMask = u[3]! < o.dropCurrentMask;
  const dropNextMask = u[4]! < o.dropNextMask;
  const textDropped = u[5]! < o.dropText;
  const timestep = logitNormal(normalFrom(u[6]!, u[7]!), o.timestepMean, o.timestepStd);
  const j = Math.min(s.transitions.length - 1, Math.floor(u[8]! * s.transitions.length));
  const tj = s.transitions[j]!;
  const task: TrainTask = drawn === 'CSP' && !tj.hasMask.source ? 'NIP' : drawn === 'NSP' && !tj.hasMask.target ? 'NIP' : drawn;

  const turns: PlannedTurn[] = [];
  let images = 0;
  let frameImage = 0; // the image number of the latest frame
  const push = (text: string | null, image: ImageRef, role: 'context' | 'target' = 'context', dropped = false) => {
    turns.push({ text, image, role, dropped });
    return images++;
  };
  const maskText = (phrase: string, of: string, n: number) => `The mask of ${regionOf(phrase)} in ${of}. Output <IMG${n}>: `;
  frameImage = push(null, { kind: 'frame', index: 0 });
  for (let i = 0; i < j; i++) {
    const t = s.transitions[i]!;
    if (masksIncluded && t.hasMask.source) push(maskText(t.regions.source, `<IMG${frameImage}>`, images), { kind: 'mask0', transition: i });
    if (masksIncluded && t.hasMask.target) push(maskText(t.regions.target, 'the next image', images), { kind: 'mask1', transition: i });
    frameImage = push(edit(frameImage, t.text, images), { kind: 'frame', index: i + 1 });
  }
  // The current frame is the last context frame; CSP reads it, so only NIP and NSP drop it.
  const dropsFrame = dropFrame && task !== 'CSP';
  if (dropsFrame) turns[turns.length - 1] = { ...turns[turns.length - 1]!, dropped: true };
  const cur = frameImage;
  if (task === 'CSP') {
    push(maskText(tj.regions.source, `<IMG${cur}>`, images), { kind: 'mask0', transition: j }, 'target');
  } else {
    if (masksIncluded && tj.hasMask.source) push(maskText(tj.regions.source, `<IMG${cur}>`, images), { kind: 'mask0', transition: j }, 'context', dropCurMask);
    if (task === 'NSP') {
      push(`Based on <IMG${cur}>, ${trim(tj.text)}. The mask of ${regionOf(tj.regions.target)} in the next image. Output <IMG${images}>: `, { kind: 'mask1', transition: j }, 'target');
    } else {
      if (masksIncluded && tj.hasMask.target) push(maskText(tj.regions.target, 'the next image', images), { kind: 'mask1', transition: j }, 'context', dropNextMask);
      push(edit(cur, tj.text, images), { kind: 'frame', index: j + 1 }, 'target');
    }
  }
  return {
    drawn, task, transition: j, masksIncluded,
    dropped: { currentFrame: dropsFrame, currentMask: turns.some((t) => t.dropped && t.image.kind === 'mask0'), nextMask: turns.some((t) => t.dropped && t.image.kind === 'mask1') },
    textDropped, timestep, turns,
  };
}

/** ml/edit's edit prompt, from image `from` to image `to` (the prompt reads `<IMG{to-1}>`, so rename). */
function edit(from: number, instruction: string, to: number): string {
  const text = trim(instruction) === '' ? 'keep it as it is' : instruction;
  const base = editPrompt(to, text);
  return from === to - 1 ? base : base.replace(`<IMG${to - 1}>`, `<IMG${from}>`);
}

function trim(s: string): string {
  return s.trim().replace(/[.\s]+$/, '');
}

/**
 * The planner's view of a latent session.
 * @example planSample(shapeOf(latents), resolveObjective(), { seed, step, sample })
 */
export function shapeOf(z: { frames: readonly unknown[]; transitions: readonly { text: string; regions: { source: string; target: string }; masks: { source: unknown; target: unknown } }[] }): SessionShape {
  return {
    frames: z.frames.length,
    transitions: z.transitions.map((t) => ({ text: t.text, regions: t.regions, hasMask: { source: t.masks.source !== null, target: t.masks.target !== null } })),
  };
}

/**
 * The batch builder: sample plans + latent sessions + text features -> the train step's feeds. Pure
 * TypeScript (no I/O, no randomness beyond the seeded noise), so a batch is a function of its inputs.
 *
 * Every sample is packed as ml/edit packs a session for sampling (packSession, `noised: 'target'`, L fixed
 * at turnSlots * (textTokens + 1)); its target is noised by lerp, x_t = (1 - t) x0 + t noise, and the
 * velocity target is v = noise - x0. Variable-length samples share the DiT's per-token layout by padding:
 * a shorter sample gets trailing padding turns (zero text, zero context image, loss mask 0). Block-causal
 * attention lets no real token see a later turn, so padding changes nothing for the real tokens. Which tokens
 * the timestep modulates (`vision_noised`) is given per sample, so every sample sees exactly what it would see
 * alone.
 */
import { ditFeeds, packSession, patchify, patchOutDim, type DitAttention, type DitConfig, type SessionTurn } from '../dit/index.js';
import { ort } from '../runtime/index.js';
import type { LatentSession } from './latent-session.js';
import type { ImageRef, SamplePlan } from './objective.js';
import { sampleNoise } from './random.js';

/** One sample of a batch. */
export interface BatchSample {
  readonly plan: SamplePlan;
  readonly session: LatentSession;
}

/** Inputs of {@link buildBatch} besides the samples. */
export interface BatchContext {
  readonly config: DitConfig;
  /** Padded tokens of each turn text (the editing model's textTokens). */
  readonly textTokens: number;
  /** Features [textTokens, textDim] of each text the plans name ('' included: the dropped text). */
  readonly texts: ReadonlyMap<string, Float32Array>;
  readonly seed: number;
  readonly step: number;
  readonly attention: DitAttention;
}

/** A built batch: the feeds of the loss graph and what they hold. */
export interface Batch {
  readonly feeds: Record<string, ort.Tensor>;
  readonly batch: number;
  readonly visionLen: number;
  /** Real turns of each sample (the rest is padding). */
  readonly turns: readonly number[];
  /** [start, end) of each sample's target tokens. */
  readonly targetTokens: readonly (readonly [number, number])[];
  readonly timesteps: Float32Array;
  /** The noised tokens, as `loss_mask` [batch, visionLen] (1 on each sample's target). */
  readonly lossMask: Float32Array;
}

/**
 * The latent of an image reference.
 * @example imageLatent(z, { kind: 'frame', index: 0 })
 */
export function imageLatent(z: LatentSession, ref: ImageRef): Float32Array {
  const data = ref.kind === 'frame' ? z.frames[ref.index] : z.transitions[ref.transition]?.masks[ref.kind === 'mask0' ? 'source' : 'target'];
  if (!data) throw new Error(`session ${z.key}: no ${ref.kind === 'frame' ? `frame ${ref.index}` : `${ref.kind} of transition ${ref.transition}`}`);
  return data;
}

/**
 * Builds the feeds of one batch (the DiT inputs plus `target` and `loss_mask`).
 * @example const { feeds } = buildBatch(samples, { config, textTokens: 8, texts, seed: 1, step: 0, attention: 'block-causal' });
 */
export function buildBatch(samples: readonly BatchSample[], ctx: BatchContext): Batch {
  const c = ctx.config;
  if (samples.length === 0) throw new Error('buildBatch: no samples');
  const { height: H, width: W, channels: C } = samples[0]!.session;
  for (const s of samples) {
    if (s.session.height !== H || s.session.width !== W) throw new Error(`buildBatch: session ${s.session.key} has ${s.session.height}x${s.session.width} latents, the batch ${H}x${W} (batch sessions of one size)`);
    if (s.session.channels !== c.latentChannels) throw new Error(`buildBatch: session ${s.session.key} has ${s.session.channels} latent channels, the DiT takes ${c.latentChannels}`);
  }
  const maxTurns = Math.max(...samples.map((s) => s.plan.turns.length));
  if (ctx.attention === 'full' && samples.some((s) => s.plan.turns.length !== maxTurns)) {
    throw new Error(`buildBatch: samples of ${[...new Set(samples.map((s) => s.plan.turns.length))].join(', ')} turns in one batch need block-causal attention (full attention would let real tokens see the padding)`);
  }
  const textOf = (text: string): Float32Array => {
    const f = ctx.texts.get(text);
    if (!f) throw new Error(`buildBatch: no text features for ${JSON.stringify(text)}`);
    if (f.length !== ctx.textTokens * c.textDim) throw new Error(`buildBatch: features of ${JSON.stringify(text)} have ${f.length} values, expected textTokens ${ctx.textTokens} x textDim ${c.textDim}`);
    return f;
  };
  const textLength = c.turnSlots * (ctx.textTokens + 1);
  const outDim = patchOutDim(c);
  const n = C * H * W;
  const timesteps = new Float32Array(samples.length);
  const targets: Float32Array[] = [];
  const ranges: (readonly [number, number])[] = [];
  const packs = samples.map((s, b) => {
    const t = s.plan.timestep;
    timesteps[b] = t;
    const turns: SessionTurn[] = [];
    let x0: Float32Array | undefined;
    let noise: Float32Array | undefined;
    s.plan.turns.forEach((turn) => {
      const text = turn.text === null ? new Float32Array(0) : textOf(s.plan.textDropped ? '' : turn.text);
      const z = imageLatent(s.session, turn.image);
      if (turn.role === 'target') {
        x0 = z;
        noise = sampleNoise(ctx.seed, ctx.step, b, n);
        const xt = new Float32Array(n);
        for (let i = 0; i < n; i++) xt[i] = (1 - t) * z[i]! + t * noise[i]!;
        turns.push({ text, frames: [{ height: H, width: W, noisy: xt, isContext: false }] });
      } else {
        turns.push({ text, frames: [{ height: H, width: W, context: turn.dropped ? null : z, isContext: true }] });
      }
    });
    if (!x0 || !noise) throw new Error(`buildBatch: sample ${b} (session ${s.session.key}) has no target turn`);
    const zeroText = new Float32Array(ctx.textTokens * c.textDim);
    while (turns.length < maxTurns) turns.push({ text: zeroText, frames: [{ height: H, width: W, context: null, isContext: true }] });
    const pack = packSession(c, turns, { textLength });
    const target = pack.frames.find((f) => !f.isContext)!;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = noise[i]! - x0[i]!;
    targets.push(patchify({ data: v, channels: C, frames: 1, height: H, width: W }, c.patch).tokens);
    ranges.push(target.tokens);
    return pack;
  });
  const p0 = packs[0]!;
  for (const [b, p] of packs.entries()) {
    if (p.textLen !== p0.textLen || p.visionLen !== p0.visionLen || !sameInts(p.textTurn, p0.textTurn) || !sameInts(p.visionTurn, p0.visionTurn) || !sameFloats(p.visionPos, p0.visionPos) || !sameFloats(p.textPos, p0.textPos)) {
      throw new Error(`buildBatch: sample ${b} (session ${samples[b]!.session.key}) packs to a different token layout than sample 0 (turns with and without text at one index)`);
    }
  }
  const B = samples.length;
  const Lv = p0.visionLen;
  const feeds = ditFeeds(c, packs, [...timesteps], { attention: ctx.attention });
  const noised = new Uint8Array(B * Lv);
  const lossMask = new Float32Array(B * Lv);
  const target = new Float32Array(B * Lv * outDim);
  ranges.forEach(([s, e], b) => {
    noised.fill(1, b * Lv + s, b * Lv + e);
    lossMask.fill(1, b * Lv + s, b * Lv + e);
    target.set(targets[b]!, (b * Lv + s) * outDim);
  });
  feeds.vision_noised = new ort.Tensor('bool', noised, [B, Lv]);
  feeds.target = new ort.Tensor('float32', target, [B, Lv, outDim]);
  feeds.loss_mask = new ort.Tensor('float32', lossMask, [B, Lv]);
  return { feeds, batch: B, visionLen: Lv, turns: samples.map((s) => s.plan.turns.length), targetTokens: ranges, timesteps, lossMask };
}

/** Every text the plans need encoded ('' always: the dropped text). */
export function planTexts(plans: readonly SamplePlan[]): string[] {
  const set = new Set<string>(['']);
  for (const p of plans) for (const t of p.turns) if (t.text !== null && !p.textDropped) set.add(t.text);
  return [...set];
}

function sameInts(a: BigInt64Array, b: BigInt64Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

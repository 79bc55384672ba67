/**
 * InContextSession: a growing multi-turn session sampled turn by turn with the DiT — context images and
 * texts are added, each generated image joins the context — with classifier-free guidance batched into one
 * DiT run per step, and, in block-causal mode, the context cache: the keys and values of every turn before
 * the one being generated are computed once and reused by every step and every later turn.
 *
 * Turn layout (what one DiT "turn" holds, so what block-causal attention lets see what):
 * - `joint` (default): a turn is a text and the image it asks for (`Based on <IMG0>, ... Output <IMG1>: `
 *   then IMG1), so the text of the turn being generated sees its noisy image and is recomputed every step;
 * - `split`: a text is its own turn before the image's turn, so it is cached with the context and a step
 *   computes only the target image's tokens (and its turn-embedding token).
 * Caching never changes the result: a cached run equals recomputing the whole session every step (the
 * reference's behaviour, `cache: false`), up to float rounding.
 */
import { ditFeeds, frameInput, packSession, patchify, patchInDim, patchOutDim, unpatchify, type DitAttention, type DitConfig, type PackedSession, type SessionTurn } from '../dit/index.js';
import {
  gaussianNoise, guidanceBranches, guidedVelocity, sample, type BranchVelocity, type Guidance, type GuidanceBranch, type Latent, type StepInfo,
} from '../diffusion/index.js';
import { ort } from '../runtime/index.js';
import { ContextCache } from './cache.js';
import type { DitSession, EditModel } from './model.js';

/** Where a turn's text goes (see the module doc). */
export type TurnLayout = 'joint' | 'split';

/** Options of a session (fixed for its life). */
export interface InContextOptions {
  /** Default 'block-causal'. The graph must be one the model can build. */
  readonly attention?: DitAttention;
  /** Cache earlier turns' keys and values (block-causal only). Default true. */
  readonly cache?: boolean;
  /** Default 'joint'. */
  readonly layout?: TurnLayout;
  /** Default { scale: 1 } (no guidance). */
  readonly guidance?: Guidance;
  /** Euler steps per image. Default 50. */
  readonly steps?: number;
  /** SD3 timestep shift. Default 1. */
  readonly shift?: number;
  /** Noise seed; generated image k uses stream k. Default 0. */
  readonly seed?: number;
}

/** Options of one {@link InContextSession.generate} call. */
export interface GenerateOptions {
  /** Latent size of the image to generate. */
  readonly height: number;
  readonly width: number;
  readonly signal?: AbortSignal;
  /** After every step (awaited): the sampler's step info. */
  readonly onStep?: (info: StepInfo) => void | Promise<void>;
}

interface Frame { latent: Float32Array | null; readonly height: number; readonly width: number; isContext: boolean }
interface Entry { readonly text: Float32Array | null; readonly frame: Frame | null }

/**
 * A multi-turn in-context session over an editing model.
 * @example
 * const s = await InContextSession.open(model, { guidance: { scale: 7.5 }, steps: 50, seed: 1 });
 * await s.addContext('', await model.vae.encode(source));
 * const z1 = await s.generate(editPrompt(1, 'make the cup red'), { height: z0.height, width: z0.width });
 */
export class InContextSession {
  private readonly entries: Entry[] = [];
  private readonly branches: GuidanceBranch[];
  private readonly guidance: Guidance;
  private cache: ContextCache | null;
  private cachedTurns = 0;
  private generated = 0;
  private negative: Float32Array | undefined;
  private readonly c: DitConfig;
  private readonly textLength: number;

  private constructor(readonly model: EditModel, private readonly dit: DitSession, private readonly options: InContextOptions) {
    this.c = dit.config;
    this.guidance = options.guidance ?? { scale: 1 };
    this.branches = guidanceBranches(this.guidance);
    const useCache = dit.attention === 'block-causal' && (options.cache ?? true);
    this.cache = useCache ? new ContextCache(this.c, this.branches.length) : null;
    // A fixed L keeps every frame's RoPE time where it was when later turns are added.
    this.textLength = this.c.turnSlots * (model.config.textTokens + 1);
  }

  /**
   * Opens a session on the model's DiT of the asked attention mode.
   * @example const s = await InContextSession.open(model, { attention: 'block-causal', cache: true });
   */
  static async open(model: EditModel, options: InContextOptions = {}): Promise<InContextSession> {
    return new InContextSession(model, await model.dit(options.attention ?? 'block-causal'), options);
  }

  /** Turns of the session so far (DiT turns: with the split layout a text is a turn of its own). */
  get turns(): number {
    return this.entries.length;
  }

  /** Session turns whose keys and values are cached. */
  get cached(): number {
    return this.cachedTurns;
  }

  /** Adds a context image (a scaled latent) with an optional text before it. */
  async addContext(text: string, latent: Latent): Promise<void> {
    this.checkLatent(latent);
    await this.push(text, { latent: latent.data, height: latent.height, width: latent.width, isContext: true });
  }

  /**
   * Generates an image for a text from everything before it, then adds it to the context.
   * @example const z = await s.generate('Based on <IMG0>, add a hat. Output <IMG1>: ', { height: 16, width: 16, signal });
   */
  async generate(text: string, options: GenerateOptions): Promise<Latent> {
    const { height, width } = options;
    const C = this.c.latentChannels;
    const target: Frame = { latent: null, height, width, isContext: false };
    const before = this.entries.length;
    await this.push(text, target);
    try {
      const last = this.entries.length - 1;
      await this.extendCache(last);
      const from = this.cache ? this.cachedTurns : 0;
      const packs = this.branches.map((b) => packSession(this.c, this.sessionFor(b), { from, textLength: this.textLength }));
      const velocity = guidedVelocity(this.stepModel(packs), this.guidance);
      const noise = gaussianNoise(C * height * width, this.options.seed ?? 0, { stream: this.generated });
      const x0 = await sample(velocity, noise, {
        steps: this.options.steps ?? 50, shift: this.options.shift ?? 1, signal: options.signal, onStep: options.onStep,
      });
      target.latent = x0;
      target.isContext = true;
      this.generated++;
      return { data: x0, channels: C, height, width };
    } catch (e) {
      // A failed or cancelled turn leaves the session as it was before it.
      this.entries.length = before;
      if (this.cache && this.cachedTurns > before) {
        this.cache = new ContextCache(this.c, this.branches.length);
        this.cachedTurns = 0;
      }
      throw e;
    }
  }

  private checkLatent(z: Latent): void {
    if (z.channels !== this.c.latentChannels) throw new Error(`in-context session: a latent of ${z.channels} channels; the DiT takes ${this.c.latentChannels}`);
  }

  private async encode(text: string): Promise<Float32Array> {
    const [e] = await this.model.text.encode([text], { maxTokens: this.model.config.textTokens });
    return e!.data;
  }

  private async push(text: string, frame: Frame): Promise<void> {
    const features = text === '' ? null : await this.encode(text);
    if (this.branches.length > 1 && !this.negative) this.negative = await this.encode(this.guidance.negativePrompt ?? '');
    if (this.options.layout === 'split' && features) {
      this.entries.push({ text: features, frame: null }, { text: null, frame });
    } else {
      this.entries.push({ text: features, frame });
    }
    if (this.entries.length > this.c.turnSlots) {
      this.entries.splice(-(features && this.options.layout === 'split' ? 2 : 1));
      throw new Error(`in-context session: more than the model's ${this.c.turnSlots} turns (each image is a turn; with the split layout each text too)`);
    }
  }

  /** The session as one guidance branch sees it: `uncond*` replace texts by the negative prompt, `uncondImage` drops context images. */
  private sessionFor(branch: GuidanceBranch): SessionTurn[] {
    return this.entries.map((e) => ({
      text: e.text === null ? new Float32Array(0) : branch === 'cond' ? e.text : this.negative!,
      frames: e.frame
        ? [{ height: e.frame.height, width: e.frame.width, isContext: e.frame.isContext, context: e.frame.isContext && branch !== 'uncondImage' ? e.frame.latent : null }]
        : [],
    }));
  }

  /** Caches turns [cachedTurns, upTo) in one run when they hold an image (text-only turns stay in the step's run). */
  private async extendCache(upTo: number): Promise<void> {
    if (!this.cache || this.cachedTurns >= upTo || !this.entries.slice(this.cachedTurns, upTo).some((e) => e.frame)) return;
    const packs = this.branches.map((b) => packSession(this.c, this.sessionFor(b), { from: this.cachedTurns, to: upTo, textLength: this.textLength }));
    const feeds = ditFeeds(this.c, packs, 0, { attention: 'block-causal', past: this.cache.length ? this.cache.past() : null });
    const names = Array.from({ length: this.c.layers }, (_, i) => [`present_key_${i}`, `present_value_${i}`]).flat();
    const out = await this.dit.run(feeds, names);
    this.cache.append(out, packs[0]!.textTurn, packs[0]!.visionTurn);
    this.cachedTurns = upTo;
  }

  /** The branch model of one target: the packs' feeds built once, then only the target's noisy tokens and t change per step. */
  private stepModel(packs: PackedSession[]): BranchVelocity {
    const c = this.c;
    const attention = this.dit.attention;
    const base = ditFeeds(c, packs, 0, { attention, past: this.cache && this.cache.length ? this.cache.past() : null });
    const p = packs[0]!;
    const target = p.frames.find((f) => !f.isContext);
    if (!target) throw new Error('in-context session: no target frame in the run (a bug in ml/edit)');
    const [start, end] = target.tokens;
    const { grid } = target;
    const B = packs.length;
    const inDim = patchInDim(c);
    const outDim = patchOutDim(c);
    const vision = base.vision!.data as Float32Array;
    const C = c.latentChannels;
    const [h, w] = [grid.h * c.patch[1], grid.w * c.patch[2]];
    return async (x, t, asked) => {
      if (asked.length !== B || asked.some((b, i) => b !== this.branches[i])) throw new Error(`in-context session: asked for branches ${asked.join(', ')}, built for ${this.branches.join(', ')}`);
      const { tokens } = patchify(frameInput({ channels: C, frames: 1, height: h, width: w, noisy: x, context: null, isContext: false }), c.patch);
      for (let b = 0; b < B; b++) vision.set(tokens, (b * p.visionLen + start) * inDim);
      const feeds = {
        ...base,
        vision: new ort.Tensor('float32', vision, [B, p.visionLen, inDim]),
        timestep: new ort.Tensor('float32', new Float32Array(B).fill(t), [B]),
      };
      const v = (await this.dit.run(feeds, ['velocity'])).velocity!.data as Float32Array;
      return this.branches.map((_, b) => unpatchify(v.subarray((b * p.visionLen + start) * outDim, (b * p.visionLen + end) * outDim), C, grid, c.patch).data);
    };
  }
}

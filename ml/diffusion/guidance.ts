/**
 * Classifier-free guidance over velocities.
 *
 * Branches of one request (what the model is conditioned on):
 * - `cond`: the session as given: the turn texts and the images.
 * - `uncond`: the negative prompt replaces every turn text; the images are kept (VINCIE's text guidance).
 * - `uncondImage`: the negative prompt and no context images (the image-free branch of image guidance).
 *
 * Text guidance: v = uncond + scale (cond - uncond). With an image guidance scale (InstructPix2Pix's rule):
 * v = uncondImage + imageScale (uncond - uncondImage) + scale (cond - uncond). A scale of 1 (and no image
 * scale, or 1) asks for `cond` alone and returns it untouched, so it is bit-identical to no guidance.
 */
import type { Velocity } from './sampler.js';

/** One branch of a guided request. */
export type GuidanceBranch = 'cond' | 'uncond' | 'uncondImage';

/** Guidance settings: VINCIE uses scale 7.5 (3B) or 10 (7B) and no image scale. */
export interface Guidance {
  /** Text guidance scale; 1 turns guidance off. */
  scale: number;
  /** Image guidance scale; undefined or 1 turns it off (two branches instead of three). */
  imageScale?: number;
  /** The text that replaces every turn text in the `uncond` and `uncondImage` branches. Default ''. */
  negativePrompt?: string;
}

/**
 * The model call of a guided sampler: the velocities of the asked branches at (x, t), in the order asked.
 * A DiT evaluates them as one batch (batch item i = branch i) where it can.
 * @example const branches: BranchVelocity = async (x, t, asked) => asked.map((b) => runDit(x, t, b));
 */
export type BranchVelocity = (x: Float32Array, t: number, branches: readonly GuidanceBranch[], signal?: AbortSignal) => Promise<readonly Float32Array[]>;

function checkGuidance(g: Guidance): void {
  if (!Number.isFinite(g.scale)) throw new Error(`guidance scale must be a number, got ${g.scale}`);
  if (g.imageScale !== undefined && !Number.isFinite(g.imageScale)) throw new Error(`image guidance scale must be a number, got ${g.imageScale}`);
}

/**
 * The branches a guidance setting needs, in the order a BranchVelocity is asked for them.
 * @example guidanceBranches({ scale: 7.5 }) // ['cond', 'uncond']
 */
export function guidanceBranches(g: Guidance): GuidanceBranch[] {
  checkGuidance(g);
  const image = g.imageScale !== undefined && g.imageScale !== 1;
  if (image) return ['cond', 'uncond', 'uncondImage'];
  return g.scale === 1 ? ['cond'] : ['cond', 'uncond'];
}

/**
 * Combines branch velocities by the guidance rule (see the module doc).
 * @example const v = combineGuidance({ cond, uncond }, { scale: 7.5 });
 */
export function combineGuidance(outputs: Partial<Record<GuidanceBranch, Float32Array>>, g: Guidance): Float32Array {
  const needed = guidanceBranches(g);
  for (const b of needed) if (!outputs[b]) throw new Error(`guidance: the "${b}" branch is missing (needed: ${needed.join(', ')})`);
  const cond = outputs.cond!;
  if (needed.length === 1) return cond;
  const uncond = outputs.uncond!;
  const n = cond.length;
  for (const b of needed) if (outputs[b]!.length !== n) throw new Error(`guidance: branch "${b}" has ${outputs[b]!.length} values, "cond" has ${n}`);
  const out = new Float32Array(n);
  const s = g.scale;
  if (needed.length === 2) {
    for (let i = 0; i < n; i++) out[i] = uncond[i]! + s * (cond[i]! - uncond[i]!);
    return out;
  }
  const free = outputs.uncondImage!;
  const si = g.imageScale!;
  for (let i = 0; i < n; i++) out[i] = free[i]! + si * (uncond[i]! - free[i]!) + s * (cond[i]! - uncond[i]!);
  return out;
}

/**
 * A guided Velocity for the sampler: one BranchVelocity call per evaluation, with only the branches the
 * setting needs, combined by the guidance rule.
 * @example const v = guidedVelocity(ditBranches, { scale: 7.5 }); await sample(v, noise, { steps: 50, shift: 12 });
 */
export function guidedVelocity(model: BranchVelocity, g: Guidance): Velocity {
  const branches = guidanceBranches(g);
  return async (x, t, signal) => {
    const outputs = await model(x, t, branches, signal);
    if (outputs.length !== branches.length) throw new Error(`guidance: asked for ${branches.length} branches (${branches.join(', ')}), the model returned ${outputs.length}`);
    return combineGuidance(Object.fromEntries(branches.map((b, i) => [b, outputs[i]!])), g);
  };
}

/**
 * A BranchVelocity from one Velocity per branch, called one after another (when the model cannot batch).
 * @example const model = separateBranches({ cond: (x, t) => dit(x, t, texts), uncond: (x, t) => dit(x, t, negatives) });
 */
export function separateBranches(velocities: Partial<Record<GuidanceBranch, Velocity>>): BranchVelocity {
  return async (x, t, branches, signal) => {
    const out: Float32Array[] = [];
    for (const b of branches) {
      const v = velocities[b];
      if (!v) throw new Error(`guidance: no velocity given for the "${b}" branch`);
      out.push(await v(x, t, signal));
    }
    return out;
  };
}

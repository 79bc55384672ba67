/**
 * ml/diffusion: rectified-flow sampling for the DiT — the lerp schedule with v-prediction, uniform
 * trailing timesteps with the SD3 shift, Euler and Heun samplers over any velocity model, classifier-free
 * guidance (text, and optionally image), and seeded noise that is bit-identical across machines.
 *
 * @example
 * import { gaussianNoise, guidedVelocity, sample, SAMPLING_SHIFT } from '../ml/diffusion/index.js';
 * const v = guidedVelocity(ditBranches, { scale: 7.5 });
 * const z = await sample(v, gaussianNoise(16 * 32 * 32, 42), { steps: 50, shift: SAMPLING_SHIFT['vincie-3b'] });
 */

// Latents
export { assertLatent, latentLike } from './latent.js';
export type { Latent } from './latent.js';

// The schedule and its timesteps
export { addNoise, velocityTarget, predictX0, predictNoise } from './schedule.js';
export { SAMPLING_SHIFT, shiftTimestep, uniformTrailingTimesteps, checkTimesteps } from './timesteps.js';

// Sampling and guidance
export { sample } from './sampler.js';
export type { Velocity, SampleOptions, StepInfo } from './sampler.js';
export { guidanceBranches, combineGuidance, guidedVelocity, separateBranches } from './guidance.js';
export type { Guidance, GuidanceBranch, BranchVelocity } from './guidance.js';

// Seeded noise
export { gaussianNoise, philox4x32 } from './noise.js';
export type { NoiseOptions } from './noise.js';

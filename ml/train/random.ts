/**
 * The objective's random draws: Philox4x32-10 (ml/diffusion's generator) keyed by the run's seed, with the
 * step and the sample in the counter, so any sample of any step is drawn on its own (a resumed run needs no
 * generator state beyond the seed and the step). Gaussian noise uses ml/diffusion's gaussianNoise with one
 * stream per (step, sample); the uniform draws here use counter word 3 = 1, which gaussianNoise never uses.
 */
import { gaussianNoise, philox4x32 } from '../diffusion/index.js';

const TWO32 = 4294967296;
/** Samples per step that get their own noise stream (the stream is step * NOISE_STREAMS_PER_STEP + sample). */
export const NOISE_STREAMS_PER_STEP = 4096;
/** Uniform draws available per sample per step. */
export const DRAWS_PER_SAMPLE = 16;

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`training seed must be an integer from 0 to 2^53 - 1, got ${seed}`);
}

/**
 * The uniform draws in (0, 1) of one sample of one step (DRAWS_PER_SAMPLE of them, fixed by the counter).
 * @example const u = sampleUniforms(7, 12, 0); u[0] // the task draw of step 12's first sample
 */
export function sampleUniforms(seed: number, step: number, sample: number): Float64Array {
  checkSeed(seed);
  if (!Number.isSafeInteger(step) || step < 0 || step >= TWO32) throw new Error(`step must be an integer from 0 to 2^32 - 1, got ${step}`);
  if (!Number.isSafeInteger(sample) || sample < 0 || sample >= NOISE_STREAMS_PER_STEP) throw new Error(`sample index must be in 0..${NOISE_STREAMS_PER_STEP - 1}, got ${sample}`);
  const key = [seed % TWO32, Math.floor(seed / TWO32)];
  const out = new Float64Array(DRAWS_PER_SAMPLE);
  const block = new Uint32Array(4);
  for (let b = 0; b < DRAWS_PER_SAMPLE / 4; b++) {
    philox4x32([step, sample, b, 1], key, block);
    for (let k = 0; k < 4; k++) out[4 * b + k] = (block[k]! + 0.5) / TWO32;
  }
  return out;
}

/**
 * A standard normal from two uniforms (Box-Muller).
 * @example normalFrom(0.3, 0.7)
 */
export function normalFrom(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A logit-normal timestep: sigmoid(mean + std * z), in (0, 1).
 * @example logitNormal(0, 0, 1) // 0.5
 */
export function logitNormal(z: number, mean: number, std: number): number {
  return 1 / (1 + Math.exp(-(mean + std * z)));
}

/**
 * The Gaussian noise of one sample of one step (n float32 values, bit-identical everywhere).
 * @example const eps = sampleNoise(7, 12, 0, 16 * 8 * 8);
 */
export function sampleNoise(seed: number, step: number, sample: number, n: number): Float32Array {
  const stream = step * NOISE_STREAMS_PER_STEP + sample;
  if (stream >= TWO32) throw new Error(`step ${step} is past the last step with its own noise streams (${Math.floor(TWO32 / NOISE_STREAMS_PER_STEP) - 1})`);
  return gaussianNoise(n, seed, { stream });
}

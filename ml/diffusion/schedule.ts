/**
 * The rectified-flow ("lerp") schedule with v-prediction, as VINCIE trains and samples it:
 * x_t = (1 - t) x0 + t noise for t in [0, 1] (t = 1 is pure noise), and the model predicts v = noise - x0,
 * the velocity dx_t/dt. All functions work element-wise on flat Float32Arrays of one length.
 */

function sameLength(what: string, a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`${what}: arrays of different lengths (${a.length} and ${b.length})`);
}

/**
 * Noises a clean sample to time t: x_t = (1 - t) x0 + t noise.
 * @example const xt = addNoise(x0, gaussianNoise(x0.length, 7), 0.5);
 */
export function addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array {
  sameLength('addNoise', x0, noise);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - t) * x0[i]! + t * noise[i]!;
  return out;
}

/**
 * The training target of v-prediction: v = noise - x0.
 * @example const v = velocityTarget(x0, noise);
 */
export function velocityTarget(x0: Float32Array, noise: Float32Array): Float32Array {
  sameLength('velocityTarget', x0, noise);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < out.length; i++) out[i] = noise[i]! - x0[i]!;
  return out;
}

/**
 * The clean sample a velocity predicts at time t: x0 = x_t - t v (the preview of a sampling step).
 * @example const preview = predictX0(xt, v, 0.8);
 */
export function predictX0(xt: Float32Array, v: Float32Array, t: number): Float32Array {
  sameLength('predictX0', xt, v);
  const out = new Float32Array(xt.length);
  for (let i = 0; i < out.length; i++) out[i] = xt[i]! - t * v[i]!;
  return out;
}

/**
 * The noise a velocity predicts at time t: noise = x_t + (1 - t) v.
 * @example const eps = predictNoise(xt, v, 0.8);
 */
export function predictNoise(xt: Float32Array, v: Float32Array, t: number): Float32Array {
  sameLength('predictNoise', xt, v);
  const out = new Float32Array(xt.length);
  for (let i = 0; i < out.length; i++) out[i] = xt[i]! + (1 - t) * v[i]!;
  return out;
}

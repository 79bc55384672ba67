/**
 * Sampling timesteps: "uniform trailing" (Lin et al. 2023, arXiv 2305.08891) with the SD3 shift
 * (Esser et al. 2024, arXiv 2403.03206, eq. 23), as VINCIE's UniformTrailingSamplingTimesteps makes them:
 * t_i = 1 - i / steps for i = 0..steps-1, then t' = shift t / (1 + (shift - 1) t). Times are in [0, 1];
 * a model trained on T = 1000 steps takes t * 1000.
 */

/** The shift of each released model's sampler (DESIGN.md section 9). */
export const SAMPLING_SHIFT = Object.freeze({ 'vincie-3b': 12, 'vincie-7b': 10 });

/**
 * The SD3 shift of one time: shift t / (1 + (shift - 1) t). Shift 1 is the identity; larger shifts spend
 * more steps at high noise.
 * @example shiftTimestep(0.5, 3) // 0.75
 */
export function shiftTimestep(t: number, shift: number): number {
  if (!(shift > 0)) throw new Error(`timestep shift must be > 0, got ${shift}`);
  return (shift * t) / (1 + (shift - 1) * t);
}

/**
 * The `steps` sampling times from 1 down, uniformly trailing and shifted, followed by the final 0: a
 * descending array of steps + 1 values whose neighbours are the (t, t_next) of each step.
 * @example uniformTrailingTimesteps(4, 1) // [1, 0.75, 0.5, 0.25, 0]
 * @example uniformTrailingTimesteps(50, SAMPLING_SHIFT['vincie-3b'])
 */
export function uniformTrailingTimesteps(steps: number, shift = 1): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`sampling steps must be a positive integer, got ${steps}`);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push(shiftTimestep(1 - i / steps, shift));
  out.push(0);
  return out;
}

/**
 * Checks a timestep list for the sampler: at least two values, strictly descending, within [0, 1].
 * @example checkTimesteps([1, 0.5, 0]);
 */
export function checkTimesteps(timesteps: readonly number[]): void {
  if (timesteps.length < 2) throw new Error(`timesteps: need at least a start and an end time, got [${timesteps.join(', ')}]`);
  for (let i = 0; i < timesteps.length; i++) {
    const t = timesteps[i]!;
    if (!(t >= 0 && t <= 1)) throw new Error(`timesteps: value ${t} at index ${i} is outside [0, 1]`);
    if (i > 0 && !(t < timesteps[i - 1]!)) throw new Error(`timesteps: must be strictly descending, but index ${i} (${t}) follows ${timesteps[i - 1]}`);
  }
}

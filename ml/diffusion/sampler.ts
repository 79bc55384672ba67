/**
 * The ODE sampler of rectified flow: from x at t = 1 (noise) to t = 0 along the predicted velocity, by
 * Euler steps (VINCIE's sampler) or Heun's second-order steps, with a callback per step (progress, a
 * preview of the predicted clean sample) and cancellation between steps.
 */
import { checkTimesteps, uniformTrailingTimesteps } from './timesteps.js';

/**
 * A velocity model (v-prediction): v(x_t, t) ≈ noise - x0, t in [0, 1].
 * @example const v: Velocity = async (x, t) => runDit(x, t * 1000);
 */
export type Velocity = (x: Float32Array, t: number, signal?: AbortSignal) => Promise<Float32Array>;

/** What the sampler reports after each step. */
export interface StepInfo {
  /** 1-based step number. */
  step: number;
  steps: number;
  /** The step's start and end times. */
  t: number;
  tNext: number;
  /** The state after the step (at tNext). */
  x: Float32Array;
  /** The clean sample predicted at the step's start: x_t - t v (for previews). */
  x0: Float32Array;
}

/** Options of `sample`. */
export interface SampleOptions {
  /** Descending times in [0, 1], the first being the input's time; default `uniformTrailingTimesteps(steps, shift)`. */
  timesteps?: readonly number[];
  /** Steps when timesteps are not given. Default 50. */
  steps?: number;
  /** SD3 shift when timesteps are not given (12 for VINCIE 3B, 10 for 7B). Default 1. */
  shift?: number;
  /** 'euler' (one model call per step) or 'heun' (two, except a step ending at t = 0). Default 'euler'. */
  method?: 'euler' | 'heun';
  /** Checked before every step (and passed to the model); an aborted signal rejects with its reason. */
  signal?: AbortSignal;
  /** Called after every step, awaited before the next. */
  onStep?: (info: StepInfo) => void | Promise<void>;
}

/** The error an abort rejects with when the signal gives no reason. */
function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('sampling was cancelled'), { name: 'AbortError' });
}

/**
 * Integrates x from timesteps[0] (pure noise at t = 1 by default) to the last time (0), returning the
 * sample. With the same inputs and a deterministic model the result is bit-identical run to run.
 * @example
 * const x0 = await sample(velocity, gaussianNoise(16 * 32 * 32, 42), { steps: 50, shift: 12,
 *   onStep: ({ step, steps }) => ctx.progress(step, steps), signal: ctx.signal });
 */
export async function sample(velocity: Velocity, x: Float32Array, options: SampleOptions = {}): Promise<Float32Array> {
  const timesteps = options.timesteps ?? uniformTrailingTimesteps(options.steps ?? 50, options.shift ?? 1);
  checkTimesteps(timesteps);
  const method = options.method ?? 'euler';
  if (method !== 'euler' && method !== 'heun') throw new Error(`sampler method must be 'euler' or 'heun', got '${String(method)}'`);
  const { signal } = options;
  const steps = timesteps.length - 1;
  const n = x.length;
  let state = Float32Array.from(x);
  const call = async (at: Float32Array, t: number): Promise<Float32Array> => {
    const v = await velocity(at, t, signal);
    if (v.length !== n) throw new Error(`the velocity model returned ${v.length} values for a state of ${n} at t = ${t}`);
    return v;
  };
  for (let i = 0; i < steps; i++) {
    if (signal?.aborted) throw abortError(signal);
    const t = timesteps[i]!;
    const tNext = timesteps[i + 1]!;
    const dt = tNext - t;
    const v = await call(state, t);
    const next = new Float32Array(n);
    for (let j = 0; j < n; j++) next[j] = state[j]! + dt * v[j]!;
    if (method === 'heun' && tNext > 0) {
      if (signal?.aborted) throw abortError(signal);
      const v2 = await call(next, tNext);
      for (let j = 0; j < n; j++) next[j] = state[j]! + dt * 0.5 * (v[j]! + v2[j]!);
    }
    if (options.onStep) {
      const x0 = new Float32Array(n);
      for (let j = 0; j < n; j++) x0[j] = state[j]! - t * v[j]!;
      await options.onStep({ step: i + 1, steps, t, tNext, x: next, x0 });
    }
    state = next;
  }
  return state;
}

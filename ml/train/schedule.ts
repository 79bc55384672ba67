/** Learning-rate schedules: a function of the 1-based update number. */

/** A schedule: constant `base` after a linear warmup over `warmup` updates (0: none). */
export interface LrSchedule {
  readonly base: number;
  readonly warmup?: number;
}

/**
 * The learning rate of update `step` (1-based).
 * @example learningRate({ base: 1e-3, warmup: 10 }, 5) // 5e-4
 */
export function learningRate(s: LrSchedule, step: number): number {
  if (!(s.base > 0)) throw new Error(`learning rate must be > 0, got ${s.base}`);
  const w = s.warmup ?? 0;
  if (!(w >= 0)) throw new Error(`warmup must be >= 0 updates, got ${w}`);
  return w > 0 && step < w ? (s.base * step) / w : s.base;
}

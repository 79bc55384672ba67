/** Learning-rate schedules: a function of the 1-based update number. */

/**
 * A schedule: a linear warmup over `warmup` updates (0: none) to `base`, then constant, or, when `decayTo`
 * (a fraction of `base`) and `total` (the update where the decay ends) are given, a cosine decay from
 * `base` at the end of the warmup to `base * decayTo` at update `total` (and constant after it).
 */
export interface LrSchedule {
  readonly base: number;
  readonly warmup?: number;
  readonly decayTo?: number;
  readonly total?: number;
}

/**
 * The learning rate of update `step` (1-based).
 * @example learningRate({ base: 1e-3, warmup: 10 }, 5) // 5e-4
 * @example learningRate({ base: 1e-3, warmup: 0, decayTo: 0.1, total: 100 }, 100) // 1e-4
 */
export function learningRate(s: LrSchedule, step: number): number {
  if (!(s.base > 0)) throw new Error(`learning rate must be > 0, got ${s.base}`);
  const w = s.warmup ?? 0;
  if (!(w >= 0)) throw new Error(`warmup must be >= 0 updates, got ${w}`);
  if (w > 0 && step < w) return (s.base * step) / w;
  if (s.decayTo === undefined || s.total === undefined) return s.base;
  if (!(s.decayTo >= 0 && s.decayTo <= 1)) throw new Error(`decayTo must be a fraction of the base rate in [0, 1], got ${s.decayTo}`);
  if (!(s.total > w)) throw new Error(`the decay must end (total ${s.total}) after the warmup (${w} updates)`);
  const progress = Math.min(1, (step - w) / (s.total - w));
  return s.base * (s.decayTo + ((1 - s.decayTo) * (1 + Math.cos(Math.PI * progress))) / 2);
}

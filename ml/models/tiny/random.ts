/** A seeded generator for the tiny models' weights, so a generated folder is identical on every run. */

/**
 * A deterministic uniform generator (mulberry32) with a normal sampler on top.
 * @example const rng = seededRandom(7); rng.normal(0, 0.02); rng.uniform();
 */
export function seededRandom(seed: number): { uniform(): number; normal(mean?: number, std?: number): number; fill(n: number, std: number): Float32Array } {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (mean = 0, std = 1): number => {
    const u = Math.max(uniform(), 1e-12);
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  const fill = (n: number, std: number): Float32Array => Float32Array.from({ length: n }, () => normal(0, std));
  return { uniform, normal, fill };
}

/**
 * A small seeded random generator (mulberry32): the same seed gives the same clips on every machine.
 */

// Math's functions as locals: a global lookup in a hot loop is slow inside vm contexts (jest).
const { floor, imul, trunc } = Math;

/** A seeded source of random numbers with a few helpers. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  range(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<X>(items: readonly X[]): X;
  /** true with probability p. */
  chance(p: number): boolean;
}

/**
 * A deterministic generator from a 32-bit seed.
 * @example const rng = seeded(42); rng.int(0, 9);
 */
export function seeded(seed: number): Random {
  let state = (trunc(seed) ^ 0x9e3779b9) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + floor(next() * (max - min + 1)),
    range: (min, max) => min + next() * (max - min),
    pick: (items) => {
      if (!items.length) throw new Error('pick from an empty list');
      return items[floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
  };
}

/**
 * Hashes integers to a float in [0, 1): stateless noise for textures (the same lattice point, the same value).
 * @example hash01(seed, x, y)
 */
export function hash01(a: number, b: number, c: number): number {
  let h = imul(a | 0, 0x27d4eb2d) ^ imul(b | 0, 0x165667b1) ^ imul(c | 0, 0x9e3779b1);
  h = imul(h ^ (h >>> 15), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Deterministic random initialisation: each weight's values depend only on (seed, name, shape), never on
 * the order weights are created in, so tests and training runs start from the same numbers everywhere.
 */

function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A seeded normal generator (mulberry32 + Box-Muller).
 * @example const next = seededNormal(7); next() // a standard normal sample
 */
export function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Random values for one weight, by its name and shape: matrices and tables N(0, 1/fan_in); norm weights
 * and `*_scale` vectors 1 + N(0, 1/dim); other vectors (biases, shifts, gates) N(0, 1/dim), as the
 * reference initialises its modulation parameters.
 * @example const w = initWeight('blocks.0.attn.proj_qkv.vid.weight', [96, 32], 0);
 */
export function initWeight(name: string, shape: readonly number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const next = seededNormal(fnv1a(`${name}:${shape.join('x')}`, seed));
  const out = new Float32Array(n);
  if (shape.length >= 2) {
    const std = 1 / Math.sqrt(shape.slice(1).reduce((a, b) => a * b, 1));
    for (let i = 0; i < n; i++) out[i] = next() * std;
    return out;
  }
  const std = 1 / Math.sqrt(Math.max(n, 1));
  const base = /norm/.test(name) || /scale$/.test(name) ? 1 : 0;
  for (let i = 0; i < n; i++) out[i] = base + next() * std;
  return out;
}

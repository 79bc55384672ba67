/**
 * Seeded Gaussian noise that is bit-identical on every machine Node runs on.
 *
 * The generator is Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011;
 * the counter-based generator of Random123, cuRAND and PyTorch's CUDA generator): the 64-bit seed is the
 * key, the element's block index and a stream number are the counter, so any slice of the noise can be
 * made on its own. Each block of 4 uint32 becomes 4 normals by Box-Muller on (u + 0.5) / 2^32. The
 * arithmetic is integer (Math.imul and exact double products) except Box-Muller's sqrt, log, cos and sin:
 * sqrt is correctly rounded by IEEE 754, and V8 computes log, cos and sin with its own fdlibm port rather
 * than the platform's libm, so the float32 results are the same on every platform.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

/** The high 32 bits of the 64-bit product of two uint32 (exact: every partial product fits a double). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const carry = Math.floor(((ah * bl + al * bh) * 65536 + al * bl) / TWO32);
  return (ah * bh + carry) >>> 0;
}

/**
 * One Philox4x32-10 block: 4 uint32 from a 4-word counter and a 2-word key.
 * @example philox4x32([0, 0, 0, 0], [0, 0]) // [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32(counter: readonly number[], key: readonly number[], out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let c0 = counter[0]! >>> 0, c1 = counter[1]! >>> 0, c2 = counter[2]! >>> 0, c3 = counter[3]! >>> 0;
  let k0 = key[0]! >>> 0, k1 = key[1]! >>> 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

/** Options of `gaussianNoise`. */
export interface NoiseOptions {
  /** An independent stream for the same seed (e.g. one per turn or per batch item). Default 0. */
  stream?: number;
  /** Index of the first element: `gaussianNoise(n, s, { offset: k })` equals elements k..k+n-1 of a longer draw. */
  offset?: number;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`noise seed must be an integer from 0 to 2^53 - 1, got ${seed}`);
}

/**
 * `n` standard normal float32 values for a seed: the same seed, stream and offset give the same bits on
 * every machine (Philox4x32-10 + Box-Muller, see the module doc).
 * @example const noise = gaussianNoise(16 * 32 * 32, 42); // one 16x32x32 latent
 */
export function gaussianNoise(n: number, seed: number, options: NoiseOptions = {}): Float32Array {
  checkSeed(seed);
  const stream = options.stream ?? 0;
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(stream) || stream < 0 || stream >= TWO32) throw new Error(`noise stream must be an integer from 0 to 2^32 - 1, got ${stream}`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`noise offset must be a non-negative integer, got ${offset}`);
  const key = [seed % TWO32, Math.floor(seed / TWO32)];
  const out = new Float32Array(n);
  const block = new Uint32Array(4);
  const normals = new Float64Array(4);
  let cached = -1;
  for (let i = 0; i < n; i++) {
    const index = offset + i;
    const b = Math.floor(index / 4);
    if (b !== cached) {
      philox4x32([b % TWO32, Math.floor(b / TWO32), stream, 0], key, block);
      for (let pair = 0; pair < 2; pair++) {
        const u1 = (block[2 * pair]! + 0.5) / TWO32;
        const u2 = (block[2 * pair + 1]! + 0.5) / TWO32;
        const r = Math.sqrt(-2 * Math.log(u1));
        const theta = 2 * Math.PI * u2;
        normals[2 * pair] = r * Math.cos(theta);
        normals[2 * pair + 1] = r * Math.sin(theta);
      }
      cached = b;
    }
    out[i] = normals[index % 4]!;
  }
  return out;
}

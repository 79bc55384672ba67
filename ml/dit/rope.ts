/**
 * The 3D rotary layout of the reference (mmrope3d over rotary_embedding_torch): `ropeDim` of each head is
 * split in three equal axis parts (time, row, column), each rotating floor(floor(ropeDim / 3) / 2) adjacent
 * pairs (x[2j], x[2j+1]) at frequency theta^(-2j / floor(ropeDim / 3)); the remaining pairs are not rotated.
 * Text tokens use their position on all three axes; frame tokens (time, row, column).
 */
import type { DitConfig } from './config.js';

/** For each of the headDim / 2 pairs: the axis it rotates with (0 time, 1 row, 2 column; -1 none) and its frequency. */
export interface RopeLayout {
  readonly axis: readonly number[];
  readonly freq: Float32Array;
}

/**
 * The pair layout of a config.
 * @example ropeLayout(ditConfig('tiny')).axis // [0, 0, 1, 1, 2, 2, -1, -1]
 */
export function ropeLayout(c: DitConfig): RopeLayout {
  const pairs = c.headDim / 2;
  const axisRaw = Math.floor(c.ropeDim / 3);
  const perAxis = Math.floor(axisRaw / 2);
  const axis: number[] = Array(pairs).fill(-1);
  const freq = new Float32Array(pairs);
  for (let a = 0; a < 3; a++) {
    for (let j = 0; j < perAxis; j++) {
      axis[a * perAxis + j] = a;
      freq[a * perAxis + j] = 1 / c.ropeTheta ** ((2 * j) / axisRaw);
    }
  }
  return { axis, freq };
}

/**
 * The [3, headDim / 2] matrix that maps a (time, row, column) position to the angle of each pair
 * (one non-zero per column, so the product is exact in float32).
 * @example ropeMatrix(ditConfig('tiny')).length // 24
 */
export function ropeMatrix(c: DitConfig): Float32Array {
  const { axis, freq } = ropeLayout(c);
  const pairs = c.headDim / 2;
  const m = new Float32Array(3 * pairs);
  axis.forEach((a, j) => { if (a >= 0) m[a * pairs + j] = freq[j]; });
  return m;
}

/**
 * The [headDim / 2] frequencies of a text token (its one position on all three axes).
 * @example textRopeFreqs(ditConfig('tiny'))[0] // 1
 */
export function textRopeFreqs(c: DitConfig): Float32Array {
  const { axis, freq } = ropeLayout(c);
  return Float32Array.from(freq, (f, j) => (axis[j] >= 0 ? f : 0));
}

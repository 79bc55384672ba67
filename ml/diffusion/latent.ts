/** The latent value of the LATENT socket: one C x h x w tensor, channel-major, float32. */

/**
 * A latent image: `data[c * height * width + y * width + x]`.
 * @example const z: Latent = { data: new Float32Array(16 * 32 * 32), channels: 16, height: 32, width: 32 };
 */
export interface Latent {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/**
 * Checks that a value is a well-formed latent (for node inputs); `where` names the input in errors.
 * @example assertLatent(inputs.latent, 'input "latent"');
 */
export function assertLatent(value: unknown, where = 'latent'): asserts value is Latent {
  const v = value as Partial<Latent> | null;
  if (!v || typeof v !== 'object' || !(v.data instanceof Float32Array)) throw new Error(`${where}: expected a latent {data: Float32Array, channels, height, width}`);
  const { channels, height, width } = v;
  for (const [k, n] of Object.entries({ channels, height, width })) {
    if (!Number.isInteger(n) || (n as number) < 1) throw new Error(`${where}: ${k} must be a positive integer, got ${n}`);
  }
  const expected = channels! * height! * width!;
  if (v.data.length !== expected) throw new Error(`${where}: data has ${v.data.length} values, but ${channels}x${height}x${width} needs ${expected}`);
}

/**
 * A latent filled with seeded noise-like data or zeros, shaped like another.
 * @example const z = latentLike(source, gaussianNoise(source.data.length, 1));
 */
export function latentLike(like: Latent, data: Float32Array = new Float32Array(like.data.length)): Latent {
  if (data.length !== like.data.length) throw new Error(`latentLike: ${data.length} values for a ${like.channels}x${like.height}x${like.width} latent`);
  return { data, channels: like.channels, height: like.height, width: like.width };
}

/**
 * All-ones mask inputs (GroundingDINO's `pixel_mask`, Idefics3's `pixel_attention_mask`), kept for the
 * last few shapes: the models only read them, and a frame-sized one is megabytes to fill each call.
 */
import { Tensor as HfTensor } from '@huggingface/transformers';

const cached = new Map<string, HfTensor>();

/**
 * A read-only all-ones tensor of `type` and `dims`, the same object for the same shape while it is among
 * the last 4 asked for.
 * @example onesMask('int64', [1, 800, 1029]) // GroundingDINO's pixel_mask for a 1029x800 input
 */
export function onesMask(type: 'int64' | 'bool', dims: readonly number[]): HfTensor {
  const key = `${type}:${dims.join('x')}`;
  let mask = cached.get(key);
  if (!mask) {
    if (cached.size >= 4) cached.delete(cached.keys().next().value!);
    const size = dims.reduce((n, d) => n * d, 1);
    const data = type === 'int64' ? new BigInt64Array(size).fill(1n) : new Uint8Array(size).fill(1);
    cached.set(key, (mask = new HfTensor(type, data, [...dims])));
  }
  return mask;
}

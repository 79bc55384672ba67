/** Conversions between Cinegraph's RawImage (IMAGE/MASK values) and transformers.js' RawImage. */
import { RawImage as HfImage } from '@huggingface/transformers';
import type { RawImage } from '../../engine/index.js';

/**
 * Wraps an IMAGE for transformers.js' processors (no copy). Checks the shape first, naming `what`.
 * @example const hf = toHfImage(frame, 'vision/ground input "image"');
 */
export function toHfImage(image: RawImage, what = 'image'): HfImage {
  const { width, height, channels, data } = image ?? ({} as RawImage);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: expected an image with a positive integer width and height, got ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`${what}: expected 1, 3 or 4 channels, got ${channels}`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new Error(`${what}: expected ${width * height * channels} bytes (${width}x${height}x${channels}), got ${data?.length}`);
  }
  return new HfImage(data, width, height, channels);
}

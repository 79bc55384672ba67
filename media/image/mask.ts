/**
 * Masks: 1-channel RawImages, 255 = inside, 0 = outside (soft values in between are allowed).
 */
import { resizeNearest } from './geometry.js';
import { toChannels, type RawImage, type Rgb } from './raw.js';

/**
 * Which value of a colour image `thresholdMask` compares.
 * @example thresholdMask(img, 0.5, MASK_CHANNELS[4]) // alpha
 */
export const MASK_CHANNELS = ['luminance', 'red', 'green', 'blue', 'alpha'] as const;
export type MaskChannel = (typeof MASK_CHANNELS)[number];

/**
 * A binary mask: 255 where the chosen channel is above `threshold` (0..1 of full scale), else 0.
 * A 1-channel input is compared directly; `alpha` on an image without alpha counts as opaque (255).
 * @example const mask = thresholdMask(segmentation, 0.5);
 */
export function thresholdMask(img: RawImage, threshold = 0.5, channel: MaskChannel = 'luminance'): RawImage {
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`threshold must be between 0 and 1, got ${threshold}`);
  if (!MASK_CHANNELS.includes(channel)) throw new Error(`unknown mask channel "${channel}"; use one of ${MASK_CHANNELS.join(', ')}`);
  const level = threshold * 255;
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const c = img.channels;
  const hasAlpha = c === 2 || c === 4;
  for (let p = 0; p < n; p++) {
    const s = p * c;
    let v: number;
    if (channel === 'alpha') v = hasAlpha ? img.data[s + c - 1]! : 255;
    else if (c < 3) v = img.data[s]!;
    else if (channel === 'luminance') v = 0.299 * img.data[s]! + 0.587 * img.data[s + 1]! + 0.114 * img.data[s + 2]!;
    else v = img.data[s + (channel === 'red' ? 0 : channel === 'green' ? 1 : 2)]!;
    out[p] = v > level ? 255 : 0;
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}

/**
 * Swaps inside and outside: each value v becomes 255 - v.
 * @example const background = invertMask(person);
 */
export function invertMask(mask: RawImage): RawImage {
  const m = toChannels(mask, 1);
  const out = new Uint8Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - m.data[i]!;
  return { width: m.width, height: m.height, channels: 1, data: out };
}

/**
 * Gives a mask an image's size. A mask of another size is resized with nearest-neighbour sampling, so a
 * binary mask stays binary and lines up proportionally (a 32x32 mask over a 64x64 image covers the same
 * relative regions).
 * @example const m = fitMask(mask, image.width, image.height);
 */
export function fitMask(mask: RawImage, width: number, height: number): RawImage {
  return resizeNearest(toChannels(mask, 1), width, height);
}

/**
 * Paints a mask over an image in a colour: out = image x (1 - a) + colour x a, with a = opacity x mask/255.
 * Unmasked pixels are unchanged; the image's alpha channel, if any, is kept. The mask is fitted to the
 * image (see `fitMask`).
 * @example const shown = overlayMask(frame, mask, [255, 0, 0], 0.5);
 */
export function overlayMask(img: RawImage, mask: RawImage, color: Rgb, opacity = 0.5): RawImage {
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`opacity must be between 0 and 1, got ${opacity}`);
  const base = img.channels >= 3 ? img : toChannels(img, img.channels === 2 ? 4 : 3);
  const m = fitMask(mask, base.width, base.height);
  const c = base.channels;
  const data = base.data.slice(0, base.width * base.height * c);
  const src = base.data;
  const alpha = m.data;
  // A fully set mask pixel (the common, binary case) looks its three values up: the same formula, per byte.
  const full = (opacity * 255) / 255;
  const lookup = new Uint8Array(3 * 256);
  for (let k = 0; k < 3; k++) for (let v = 0; v < 256; v++) lookup[k * 256 + v] = Math.round(v * (1 - full) + color[k]! * full);
  for (let p = 0, o = 0; p < base.width * base.height; p++, o += c) {
    const v = alpha[p]!;
    if (v === 0) continue;
    if (v === 255) {
      data[o] = lookup[src[o]!]!;
      data[o + 1] = lookup[256 + src[o + 1]!]!;
      data[o + 2] = lookup[512 + src[o + 2]!]!;
      continue;
    }
    const a = (opacity * v) / 255;
    if (a <= 0) continue;
    for (let k = 0; k < 3; k++) data[o + k] = Math.round(src[o + k]! * (1 - a) + color[k]! * a);
  }
  return { width: base.width, height: base.height, channels: c, data };
}

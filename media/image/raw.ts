/**
 * Raw pixels and the bridge to sharp. `RawImage` has the same shape as the engine's IMAGE and MASK values
 * (media/ imports nothing of ours, so the shape is declared here and matches structurally).
 */
import sharp, { type Sharp } from 'sharp';
import { sharpThreads } from './sharp-threads.js';

sharpThreads(); // both cores for each resize (see sharp-threads.ts)

/** 8-bit interleaved pixels: IMAGE values have 3 (RGB) or 4 (RGBA) channels, MASK values have 1. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

/** An RGB colour, each part 0..255. */
export type Rgb = readonly [number, number, number];

/**
 * Makes a RawImage, zero-filled unless `data` is given (whose length must match).
 * @example const black = rawImage(64, 32, 3);
 */
export function rawImage(width: number, height: number, channels: RawImage['channels'], data?: Uint8Array): RawImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`an image must be at least 1x1 pixels with integer sides, got ${width}x${height}`);
  }
  const size = width * height * channels;
  if (data && data.length !== size) throw new Error(`${width}x${height}x${channels} pixels need ${size} bytes, got ${data.length}`);
  return { width, height, channels, data: data ?? new Uint8Array(size) };
}

/**
 * Checks that a value is a well-formed RawImage; `what` names it in the error.
 * @example assertRawImage(value, 'image/crop input "image"');
 */
export function assertRawImage(value: unknown, what: string): asserts value is RawImage {
  const v = value as Partial<RawImage> | null;
  const ok =
    !!v &&
    typeof v === 'object' &&
    Number.isInteger(v.width) &&
    Number.isInteger(v.height) &&
    [1, 2, 3, 4].includes(v.channels as number) &&
    v.data instanceof Uint8Array &&
    v.data.length === v.width! * v.height! * v.channels!;
  if (!ok) throw new Error(`${what} is not an image (expected {width, height, channels, data} with matching byte length)`);
}

/**
 * Converts between channel layouts: grey <-> RGB, adds an opaque alpha or drops it.
 * Grey from colour uses Rec. 601 luma (0.299 R + 0.587 G + 0.114 B).
 * @example const rgb = toChannels(mask, 3); // a grey copy in RGB
 */
export function toChannels(img: RawImage, channels: RawImage['channels']): RawImage {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * channels);
  const src = img.data;
  const sc = img.channels;
  const srcHasAlpha = sc === 2 || sc === 4;
  const dstHasAlpha = channels === 2 || channels === 4;
  for (let p = 0; p < n; p++) {
    const s = p * sc;
    const d = p * channels;
    let r: number, g: number, b: number;
    if (sc >= 3) [r, g, b] = [src[s]!, src[s + 1]!, src[s + 2]!];
    else r = g = b = src[s]!;
    const a = srcHasAlpha ? src[s + sc - 1]! : 255;
    if (channels >= 3) {
      out[d] = r;
      out[d + 1] = g;
      out[d + 2] = b;
    } else out[d] = sc >= 3 ? Math.round(0.299 * r + 0.587 * g + 0.114 * b) : r;
    if (dstHasAlpha) out[d + channels - 1] = a;
  }
  return { width: img.width, height: img.height, channels, data: out };
}

/**
 * A sharp pipeline reading the raw pixels. Grey (1- or 2-channel) pixels stay grey on the way out; sharp
 * would otherwise widen them to RGB.
 * @example const png = await toSharp(img).png().toBuffer();
 */
export function toSharp(img: RawImage): Sharp {
  const buffer = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const pipeline = sharp(buffer, { raw: { width: img.width, height: img.height, channels: img.channels } });
  return img.channels <= 2 ? pipeline.toColourspace('b-w') : pipeline;
}

/**
 * Runs a sharp pipeline to 8-bit raw pixels.
 * @example const small = await fromSharp(toSharp(img).resize(64, 64));
 */
export async function fromSharp(pipeline: Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return rawImage(info.width, info.height, info.channels as RawImage['channels'], bytes);
}

const NAMED: Record<string, Rgb> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  yellow: [255, 255, 0],
  cyan: [0, 255, 255],
  magenta: [255, 0, 255],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
};

/**
 * Parses a colour: `#rgb`, `#rrggbb`, `r,g,b` (0..255) or a basic name (red, green, blue, ...).
 * @example parseColor('#ff8000') // [255, 128, 0]
 */
export function parseColor(text: string): Rgb {
  const t = text.trim().toLowerCase();
  const named = NAMED[t];
  if (named) return named;
  let m = /^#?([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(t);
  if (m) return [parseInt(m[1]! + m[1]!, 16), parseInt(m[2]! + m[2]!, 16), parseInt(m[3]! + m[3]!, 16)];
  m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(t);
  if (m) return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
  m = /^(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})$/.exec(t);
  if (m) {
    const rgb = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
    if (rgb.every((v) => v <= 255)) return rgb;
  }
  throw new Error(`"${text}" is not a colour: use #rrggbb, #rgb, "r,g,b" (0..255) or a name (${Object.keys(NAMED).join(', ')})`);
}

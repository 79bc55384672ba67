/**
 * The weight-free change mask between two aligned frames: blurred absolute difference, threshold,
 * morphology (open, close), hole filling and a minimum region area. The fallback when no segmentation
 * model is configured, and a cross-check on model masks.
 */
import type { RawImage } from '../image/raw.js';
import { absDiff, blur, close, fillHoles, open, threshold } from './ops.js';
import { connectedRegions, type Region } from './regions.js';

/** Settings of the change mask; every field has a default tuned on synthetic clips. */
export interface ChangeMaskOptions {
  /** Box-blur radius applied to the difference, two passes (default 1). */
  blur?: number;
  /** Difference level 0..255 that counts as changed, after blurring (default 40). */
  threshold?: number;
  /** Opening radius: removes specks (default 1). */
  open?: number;
  /** Closing radius: joins nearby parts (default 1). */
  close?: number;
  /** Fill regions enclosed by change (default true). */
  fillHoles?: boolean;
  /** Smallest region kept, as a fraction of the frame area (default 0.001). */
  minArea?: number;
}

/** The change mask and its regions. */
export interface ChangeMask {
  /** 1 channel, 0 or 255. */
  mask: RawImage;
  /** Connected regions, largest first. */
  regions: Region[];
  /** Fraction of the frame that changed (0..1). */
  changed: number;
}

/** The defaults of `changeMask`. */
export const CHANGE_MASK_DEFAULTS: Required<ChangeMaskOptions> = { blur: 1, threshold: 40, open: 1, close: 1, fillHoles: true, minArea: 0.001 };

/**
 * Computes where two aligned frames differ.
 * @example const { mask, regions } = changeMask(frameA, frameB, { threshold: 30 });
 */
export function changeMask(source: RawImage, target: RawImage, options: ChangeMaskOptions = {}): ChangeMask {
  const o = { ...CHANGE_MASK_DEFAULTS, ...definedOnly(options) };
  const { width, height } = source;
  let plane = threshold(blur(absDiff(source, target), width, height, o.blur), o.threshold);
  plane = close(open(plane, width, height, o.open), width, height, o.close);
  if (o.fillHoles) plane = fillHoles(plane, width, height);
  const regions = connectedRegions(plane, width, height, Math.round(o.minArea * width * height));
  let set = 0;
  for (let i = 0; i < plane.length; i++) if (plane[i]) set++;
  return { mask: { width, height, channels: 1, data: plane }, regions, changed: set / plane.length };
}

function definedOnly<X extends object>(o: X): Partial<X> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<X>;
}

/**
 * Intersection over union of two binary masks of the same size (1 when both are empty).
 * @example maskIoU(predicted, truth) // 0.93
 */
export function maskIoU(a: RawImage, b: RawImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`maskIoU: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let inter = 0;
  let union = 0;
  const n = a.width * a.height;
  for (let p = 0; p < n; p++) {
    const x = a.data[p * a.channels]! > 127;
    const y = b.data[p * b.channels]! > 127;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * The union of binary masks of the same size.
 * @example maskUnion(m0, m1)
 */
export function maskUnion(...masks: RawImage[]): RawImage {
  const first = masks[0]!;
  const data = new Uint8Array(first.width * first.height);
  for (const m of masks) for (let p = 0; p < data.length; p++) if (m.data[p * m.channels]! > 127) data[p] = 255;
  return { width: first.width, height: first.height, channels: 1, data };
}

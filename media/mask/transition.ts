/**
 * Choosing a transition's masks: which region phrases to ground on the source and the target frame, and,
 * per frame, whether the model's mask or the weight-free change mask is kept (the change mask is both the
 * cross-check, by IoU, and the fallback).
 */
import type { RawImage } from '../image/raw.js';
import { maskIoU } from './change.js';

/** A changed region as a caption names it (ml/vlm's CaptionRegion, structurally). */
export interface RegionPhrase {
  phrase: string;
  frame: 'source' | 'target' | 'both';
}

/** Where a transition side's mask came from. */
export type MaskSource = 'grounded' | 'change-mask' | 'none';

/**
 * The phrases to ground on each frame of a transition: `source` and `both` regions on the source frame,
 * `target` and `both` regions on the target frame (blank phrases dropped, duplicates removed).
 * @example sidePhrases([{ phrase: 'red cup', frame: 'both' }, { phrase: 'lid', frame: 'target' }])
 * // { source: ['red cup'], target: ['red cup', 'lid'] }
 */
export function sidePhrases(regions: readonly RegionPhrase[]): { source: string[]; target: string[] } {
  const pick = (side: 'source' | 'target') => [
    ...new Set(regions.filter((r) => r.frame === side || r.frame === 'both').map((r) => r.phrase.trim()).filter(Boolean)),
  ];
  return { source: pick('source'), target: pick('target') };
}

/** Whether a mask has any set pixel. */
export function maskIsEmpty(mask: RawImage): boolean {
  for (let p = 0; p < mask.width * mask.height; p++) if (mask.data[p * mask.channels]! > 127) return false;
  return true;
}

/** What `chooseSideMask` decides for one frame of a transition. */
export interface SideChoice {
  mask: RawImage | null;
  used: MaskSource;
  /** IoU of the model's mask with the change mask; null when either is missing. */
  iou: number | null;
  /** Why the change mask (or nothing) was used; absent when the model's mask was kept. */
  reason?: string;
}

/** Inputs of `chooseSideMask`. */
export interface SideCandidates {
  /** The model's mask (the union over the side's boxes), or undefined when grounding was not run. */
  grounded?: RawImage;
  /** Why grounding was not run (no model configured, no caption, ...). */
  skipped?: string;
  /** The caption names regions, but none in this frame (the source of an "add"): no mask, no fallback. */
  absent?: boolean;
  /** The change mask of the transition, when one was given. */
  change?: RawImage | null;
  /** A model mask whose IoU with the change mask is below this is replaced by the change mask (0: never). */
  minIoU?: number;
  /** What to use when the model's mask is not kept: the change mask (default) or no mask. */
  fallback?: 'change-mask' | 'none';
}

/**
 * Keeps the model's mask when it found something (and agrees with the change mask at least `minIoU`),
 * else falls back to the change mask, else to no mask.
 * @example chooseSideMask({ grounded: union, change: pair.source, minIoU: 0.1 }) // { mask: union, used: 'grounded', iou: 0.42 }
 */
export function chooseSideMask(c: SideCandidates): SideChoice {
  const change = c.change ?? null;
  const iou = c.grounded && change ? round(maskIoU(c.grounded, change)) : null;
  if (c.absent) return { mask: null, used: 'none', iou: null, reason: 'the caption names no region in this frame' };
  let reason: string;
  if (!c.grounded) reason = c.skipped ?? 'grounding was not run';
  else if (maskIsEmpty(c.grounded)) reason = 'grounding found no box';
  else if (iou !== null && iou < (c.minIoU ?? 0)) reason = `IoU with the change mask ${iou} is below minIoU ${c.minIoU}`;
  else return { mask: c.grounded, used: 'grounded', iou };
  if ((c.fallback ?? 'change-mask') === 'change-mask' && change) return { mask: change, used: 'change-mask', iou, reason };
  return { mask: null, used: 'none', iou, reason: change ? reason : `${reason}; no change mask given` };
}

/**
 * The mask annotator of a session from what each side used: the model's label, `change-mask`, both
 * (`"<model>, change-mask"`), or `none`.
 * @example masksAnnotator(['grounded', 'change-mask'], 'gdino -> sam2') // 'gdino -> sam2, change-mask'
 */
export function masksAnnotator(used: readonly MaskSource[], model: string): string {
  const names = [used.includes('grounded') ? model : '', used.includes('change-mask') ? 'change-mask' : ''].filter(Boolean);
  return names.length ? names.join(', ') : 'none';
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * The change-mask widgets shared by mask/change and mask/change-sequence.
 */
import { T } from '../../engine/index.js';
import { CHANGE_MASK_DEFAULTS, type ChangeMaskOptions } from '../../media/mask/index.js';

const d = CHANGE_MASK_DEFAULTS;

/**
 * Inputs of the change mask's settings.
 * @example inputs: { source: { type: T.IMAGE }, target: { type: T.IMAGE }, ...changeMaskInputs }
 */
export const changeMaskInputs = {
  blur: { type: T.INT, default: d.blur, min: 0, max: 16, description: 'box-blur radius of the difference (two passes)' },
  threshold: { type: T.INT, default: d.threshold, min: 1, max: 255, description: 'difference 0..255 that counts as changed' },
  open: { type: T.INT, default: d.open, min: 0, max: 16, description: 'opening radius: removes specks' },
  close: { type: T.INT, default: d.close, min: 0, max: 16, description: 'closing radius: joins nearby parts' },
  fillHoles: { type: T.BOOLEAN, default: d.fillHoles, description: 'fill areas enclosed by change (a grown object counts whole)' },
  minArea: { type: T.FLOAT, default: d.minArea, min: 0, max: 1, step: 0.0005, description: 'smallest region kept, as a fraction of the frame' },
} as const;

/**
 * The options object from the widget values.
 * @example changeMask(a, b, changeMaskOptions(inputs))
 */
export function changeMaskOptions(v: { blur: number; threshold: number; open: number; close: number; fillHoles: boolean; minArea: number }): ChangeMaskOptions {
  return { blur: v.blur, threshold: v.threshold, open: v.open, close: v.close, fillHoles: v.fillHoles, minArea: v.minArea };
}

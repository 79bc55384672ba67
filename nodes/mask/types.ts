/**
 * MASK_PAIRS: one (M_i0, M_i1) mask pair per transition of a frame set, as session/assemble takes them.
 */
import { registerType, socketType } from '../../engine/index.js';
import type { MaskPair } from '../../media/session/index.js';

/**
 * Mask pairs, one per transition: `source` aligned with frame i, `target` with frame i + 1.
 * @example inputs: { masks: { type: MASK_PAIRS, optional: true } }
 */
export const MASK_PAIRS = socketType<MaskPair[]>('MASK_PAIRS', {
  color: '#66bb6a',
  sizeOf: (pairs) => pairs.reduce((n, m) => n + (m.source?.data.byteLength ?? 0) + (m.target?.data.byteLength ?? 0) + 64, 64),
  summarize: (pairs) => ({ pairs: pairs.length, size: pairs[0]?.source ? `${pairs[0].source.width}x${pairs[0].source.height}` : undefined }),
});
registerType(MASK_PAIRS);

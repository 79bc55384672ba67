/**
 * Weight-free masks: the change mask between aligned frames, plane operations and connected regions.
 */
export { changeMask, maskIoU, maskUnion, CHANGE_MASK_DEFAULTS } from './change.js';
export type { ChangeMask, ChangeMaskOptions } from './change.js';
export { connectedRegions } from './regions.js';
export type { Region } from './regions.js';
export { absDiff, blur, threshold, dilate, erode, open, close, fillHoles } from './ops.js';
export { sidePhrases, maskIsEmpty, chooseSideMask, masksAnnotator } from './transition.js';
export type { RegionPhrase, MaskSource, SideChoice, SideCandidates } from './transition.js';

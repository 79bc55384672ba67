/**
 * Synthetic clips with known events and their ground truth (for tests, and for training a small model).
 */
export { planClip, writeClip } from './clip.js';
export type { ClipOptions, ClipPlan } from './clip.js';
export type { SynthTruth, TruthTransition, TruthSide, TruthState } from './truth.js';
export { EVENT_KINDS, generateScript, wherePhrase } from './scenario.js';
export type { EventKind, Script, SceneState, ScriptEvent } from './scenario.js';
export { encodeRle, decodeRle } from './rle.js';
export type { Rle } from './rle.js';
export type { Box, SynthObject } from './raster.js';
export { renderState } from './render.js';
export { encodeMp4, ffmpegBinary } from './ffmpeg.js';
export { seeded } from './random.js';
export { OBJECT_COLORS, SHAPES, TEXTURES } from './palette.js';

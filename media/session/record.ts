/**
 * The session record: VINCIE's interleaved sequence (I0, T0, Tm0, M00, Tm1, M01, I1, ..., IK) as one JSON
 * document plus its pictures. Documented in docs/session.md; the JSON Schema is in schema.ts.
 */
import type { RawImage } from '../image/raw.js';

/** The session format id and version. */
export const SESSION_FORMAT = 'cinegraph.session';
export const SESSION_VERSION = 1;
/** Frames per session, as in the method. */
export const MIN_FRAMES = 2;
export const MAX_FRAMES = 20;

/** A pixel box: left, top, width, height. */
export interface SessionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One frame I_i of the session. */
export interface SessionFrame {
  /** Time in the source video, seconds. */
  time: number;
  /** Frame number in the source video (-1 when unknown). */
  index: number;
  /** The shard member holding the picture, after the key: "0.png" is `{key}.0.png`. */
  file: string;
}

/** The change between frame i and frame i + 1. */
export interface SessionTransition {
  /** T_i: the instruction ("" until a captioner fills it). */
  text: string;
  /** Tm_i0 / Tm_i1: the changed region's phrase in the source and the target frame ("" when absent). */
  regions: { source: string; target: string };
  /** Boxes of the changed regions, pixels of the source and the target frame. */
  boxes: { source: SessionBox[]; target: SessionBox[] };
  /** M_i0 / M_i1: shard members of the masks ("0.mask0.png", "0.mask1.png"), or null when there is none. */
  masks: { source: string | null; target: string | null };
  /** What kind of change, when known (synthetic clips: appear, move, pan, ...). */
  kind?: string;
}

/** Which annotator produced what: "synthetic-truth", "change-mask", a model id, or "none". */
export interface SessionAnnotators {
  text: string;
  regions: string;
  masks: string;
}

/** The JSON record of a session (`{key}.json` in a shard). */
export interface SessionRecord {
  format: typeof SESSION_FORMAT;
  version: typeof SESSION_VERSION;
  /** Stable key: derived from the source path and the frame times (see sessionKey). */
  key: string;
  source: {
    /** The video the frames come from (absolute path or URL). */
    path: string;
    /** How the frames were picked: transitions, interval, count, synthetic. */
    sampling: string;
  };
  /** Size of every frame and mask of the session, pixels. */
  width: number;
  height: number;
  frames: SessionFrame[];
  /** transitions[i] lies between frames[i] and frames[i + 1]. */
  transitions: SessionTransition[];
  annotators: SessionAnnotators;
  /** Free-form additions (kept through write and read). */
  extra?: Record<string, unknown>;
}

/** A mask pair: M_i0 (aligned with frame i) and M_i1 (aligned with frame i + 1). */
export interface MaskPair {
  source: RawImage | null;
  target: RawImage | null;
}

/** A session in memory: the record, its frames (RGB) and its masks (1 channel), one pair per transition. */
export interface Session {
  record: SessionRecord;
  frames: RawImage[];
  masks: MaskPair[];
}

/**
 * The shard member name of frame i's picture, M_i0 or M_i1.
 * @example memberName('s1a2', 0, 'mask1') // 's1a2.0.mask1.png'
 */
export function memberName(key: string, i: number, kind: 'frame' | 'mask0' | 'mask1', ext: 'png' | 'jpg' = 'png'): string {
  return `${key}.${memberSuffix(i, kind, ext)}`;
}

/**
 * The part of a member name after the key.
 * @example memberSuffix(2, 'frame', 'jpg') // '2.jpg'
 */
export function memberSuffix(i: number, kind: 'frame' | 'mask0' | 'mask1', ext: 'png' | 'jpg' = 'png'): string {
  return kind === 'frame' ? `${i}.${ext}` : `${i}.${kind}.png`;
}

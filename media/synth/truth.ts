/**
 * Ground truth of a synthetic clip: the frames of every state, and per transition its time, instruction,
 * region phrases, boxes and masks (RLE). Documented in docs/session.md ("Synthetic ground truth").
 */
import type { EventKind } from './scenario.js';
import type { Box } from './raster.js';
import type { Rle } from './rle.js';

/** One side (source frame or target frame) of a transition. */
export interface TruthSide {
  /** Frame index in the clip. */
  frame: number;
  /** The region phrase ("red circle"; "" when the region is absent on this side; "the scene" for pans and cuts). */
  phrase: string;
  /** Boxes of the region in pixels (empty when absent). */
  boxes: Box[];
  /** The region's mask (M_i0 on the source side, M_i1 on the target side). */
  mask: Rle;
}

/** One known change between two consecutive states. */
export interface TruthTransition {
  index: number;
  kind: EventKind;
  /** The first frame showing the new state; the change lies between `frame - 1` and `frame`. */
  frame: number;
  /** `frame / fps`: the time of the first new frame, in seconds. */
  time: number;
  /** The instruction, in the method's style ("add a red circle at the top left"). */
  text: string;
  /** Whether the whole frame changes (pan, cut) rather than one object. */
  global: boolean;
  source: TruthSide;
  target: TruthSide;
}

/** One segment of constant content. */
export interface TruthState {
  /** First frame (inclusive) and end frame (exclusive). */
  start: number;
  end: number;
  /** The frame a session takes for this state (the segment's middle). */
  keyFrame: number;
  texture: string;
  objects: Array<{ id: number; shape: string; color: string; box: Box | null }>;
}

/** The ground truth of one clip. */
export interface SynthTruth {
  format: 'cinegraph.synth-truth';
  version: 1;
  /** The mp4 this truth describes. */
  path: string;
  seed: number;
  width: number;
  height: number;
  fps: number;
  frames: number;
  duration: number;
  states: TruthState[];
  transitions: TruthTransition[];
}

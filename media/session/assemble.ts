/**
 * Assembling a session from frames and whatever annotations exist: texts from a captioner, masks from the
 * change mask or a segmenter, or synthetic ground truth.
 */
import type { RawImage } from '../image/raw.js';
import { connectedRegions } from '../mask/regions.js';
import type { SynthTruth } from '../synth/index.js';
import { sessionKey } from './key.js';
import { MAX_FRAMES, MIN_FRAMES, SESSION_FORMAT, SESSION_VERSION, memberSuffix, type MaskPair, type Session, type SessionBox, type SessionTransition } from './record.js';
import { assertSession } from './schema.js';
import { truthBetween } from './truth.js';

/** A frame with its place in the source video. */
export interface TimedFrame extends RawImage {
  time: number;
  index: number;
}

/** What a session is made of. Only `source` and `frames` are required. */
export interface AssembleInput {
  source: string;
  /** How the frames were picked (default "unknown"). */
  sampling?: string;
  frames: readonly TimedFrame[];
  /** T_i, one per transition; an empty or missing list leaves texts empty. */
  texts?: readonly string[];
  /** Who wrote the texts (default "input"). */
  textAnnotator?: string;
  /** M_i0 / M_i1 per transition, e.g. from the change mask. */
  masks?: readonly MaskPair[];
  /** Who made the masks (default "change-mask"). */
  maskAnnotator?: string;
  /** Ground truth of a synthetic clip: fills texts, phrases, boxes and masks not given above. */
  truth?: SynthTruth;
  /** Picture format of the frames in shards (default png). */
  imageFormat?: 'png' | 'jpg';
  extra?: Record<string, unknown>;
}

/**
 * Builds a valid session (throws naming the problem otherwise).
 * @example const session = assembleSession({ source: 'a.mp4', frames, masks, sampling: 'transitions' });
 */
export function assembleSession(input: AssembleInput): Session {
  const { frames } = input;
  const where = `session from "${input.source}"`;
  if (frames.length < MIN_FRAMES || frames.length > MAX_FRAMES) throw new Error(`${where}: a session has ${MIN_FRAMES}..${MAX_FRAMES} frames, got ${frames.length}`);
  const { width, height } = frames[0]!;
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new Error(`${where}: frame ${i} is ${f.width}x${f.height}, frame 0 is ${width}x${height}; all frames of a session must have one size`);
    if (f.channels !== 3) throw new Error(`${where}: frame ${i} has ${f.channels} channels; session frames are RGB (3)`);
  });
  const n = frames.length - 1;
  if (input.texts?.length && input.texts.length !== n) throw new Error(`${where}: ${frames.length} frames need ${n} texts, got ${input.texts.length}`);
  if (input.masks?.length && input.masks.length !== n) throw new Error(`${where}: ${frames.length} frames need ${n} mask pairs, got ${input.masks.length}`);
  for (const [i, pair] of (input.masks ?? []).entries()) {
    for (const m of [pair.source, pair.target]) {
      if (m && (m.width !== width || m.height !== height || m.channels !== 1)) throw new Error(`${where}: mask pair ${i} is ${m.width}x${m.height}x${m.channels}; masks must be ${width}x${height} with 1 channel`);
    }
  }
  const truths = Array.from({ length: n }, (_, i) => (input.truth ? truthBetween(input.truth, frames[i]!.time, frames[i + 1]!.time, width, height) : undefined));
  const haveTexts = !!input.texts?.length && input.texts.some((t) => t.trim());
  const haveMasks = !!input.masks?.length;
  const masks: MaskPair[] = [];
  const transitions: SessionTransition[] = [];
  for (let i = 0; i < n; i++) {
    const truth = truths[i];
    const pair: MaskPair = haveMasks ? input.masks![i]! : truth ? truth.masks : { source: null, target: null };
    masks.push(pair);
    transitions.push({
      text: haveTexts ? input.texts![i]!.trim() : (truth?.text ?? ''),
      ...(truth ? { kind: truth.kind } : {}),
      regions: truth?.regions ?? { source: '', target: '' },
      boxes: haveMasks ? { source: boxesOf(pair.source), target: boxesOf(pair.target) } : (truth?.boxes ?? { source: [], target: [] }),
      masks: { source: pair.source ? memberSuffix(i, 'mask0') : null, target: pair.target ? memberSuffix(i, 'mask1') : null },
    });
  }
  const fromTruth = !!input.truth && truths.some(Boolean);
  const ext = input.imageFormat ?? 'png';
  const record = {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    key: sessionKey(input.source, frames.map((f) => f.time)),
    source: { path: input.source, sampling: input.sampling ?? 'unknown' },
    width,
    height,
    frames: frames.map((f, i) => ({ time: round(f.time), index: f.index, file: memberSuffix(i, 'frame', ext) })),
    transitions,
    annotators: {
      text: haveTexts ? (input.textAnnotator ?? 'input') : fromTruth ? 'synthetic-truth' : 'none',
      regions: fromTruth ? 'synthetic-truth' : haveMasks ? (input.maskAnnotator ?? 'change-mask') : 'none',
      masks: haveMasks ? (input.maskAnnotator ?? 'change-mask') : fromTruth ? 'synthetic-truth' : 'none',
    },
    ...(input.extra ? { extra: input.extra } : {}),
  };
  assertSession(record, where);
  const pixels = frames.map(({ width: w, height: h, channels, data }) => ({ width: w, height: h, channels, data }));
  return { record, frames: pixels, masks };
}

function round(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}

/** Boxes of a mask's connected regions (none for an absent mask). */
function boxesOf(mask: RawImage | null): SessionBox[] {
  if (!mask) return [];
  const plane = mask.data.map((v) => (v > 127 ? 255 : 0));
  return connectedRegions(plane, mask.width, mask.height).map(({ x, y, width, height }) => ({ x, y, width, height }));
}

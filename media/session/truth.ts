/**
 * Matching synthetic ground truth to the frames of a session: which known events lie between two frames.
 */
import type { RawImage } from '../image/raw.js';
import { maskUnion } from '../mask/change.js';
import { decodeRle, type SynthTruth, type TruthTransition } from '../synth/index.js';
import type { SessionBox } from './record.js';

// Math's functions as locals: a global lookup in a hot loop is slow inside vm contexts (jest).
const { floor, max, min, round } = Math;

/** What the truth says about one transition of a session. */
export interface TruthAnnotation {
  text: string;
  kind: string;
  regions: { source: string; target: string };
  boxes: { source: SessionBox[]; target: SessionBox[] };
  masks: { source: RawImage; target: RawImage };
}

/**
 * The known events between two frame times (a change at time t lies between the frame before t and the
 * frame at t). Several events between two sparse frames are joined ("..., then ..."), masks united.
 * Returns undefined when no event lies between them.
 * @example truthBetween(truth, 0.875, 1.0, 256, 192)
 */
export function truthBetween(truth: SynthTruth, from: number, to: number, width: number, height: number): TruthAnnotation | undefined {
  const half = 0.5 / truth.fps;
  const events = truth.transitions.filter((t) => from <= t.time - half && t.time - half < to);
  if (!events.length) return undefined;
  const sx = width / truth.width;
  const sy = height / truth.height;
  const scale = (b: SessionBox): SessionBox => clampBox({ x: floor(b.x * sx), y: floor(b.y * sy), width: max(1, round(b.width * sx)), height: max(1, round(b.height * sy)) }, width, height);
  const mask = (t: TruthTransition, side: 'source' | 'target') => resizeNearest(decodeRle(t[side].mask), width, height);
  const phrases = (side: 'source' | 'target') => unique(events.map((t) => t[side].phrase).filter(Boolean)).join(', ');
  return {
    text: events.map((t) => t.text).join(', then '),
    kind: events.map((t) => t.kind).join('+'),
    regions: { source: phrases('source'), target: phrases('target') },
    boxes: { source: events.flatMap((t) => t.source.boxes.map(scale)), target: events.flatMap((t) => t.target.boxes.map(scale)) },
    masks: { source: maskUnion(...events.map((t) => mask(t, 'source'))), target: maskUnion(...events.map((t) => mask(t, 'target'))) },
  };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function clampBox(b: SessionBox, width: number, height: number): SessionBox {
  const x = min(b.x, width - 1);
  const y = min(b.y, height - 1);
  return { x, y, width: min(b.width, width - x), height: min(b.height, height - y) };
}

/**
 * Nearest-neighbour resize of a mask (keeps it binary).
 * @example resizeNearest(mask, 256, 192)
 */
export function resizeNearest(mask: RawImage, width: number, height: number): RawImage {
  if (mask.width === width && mask.height === height) return mask;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = min(mask.height - 1, floor(((y + 0.5) * mask.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = min(mask.width - 1, floor(((x + 0.5) * mask.width) / width));
      data[y * width + x] = mask.data[(sy * mask.width + sx) * mask.channels]!;
    }
  }
  return { width, height, channels: 1, data };
}

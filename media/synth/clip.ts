/**
 * One synthetic clip: script -> rendered frames -> mp4, plus its ground truth. Deterministic from the seed.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RawImage } from '../image/raw.js';
import { encodeMp4 } from './ffmpeg.js';
import { constantMask, maskBox, type Box } from './raster.js';
import { renderState, stateObjectMask } from './render.js';
import { encodeRle } from './rle.js';
import { generateScript, visibleObjects, type EventKind, type SceneState, type Script } from './scenario.js';
import type { SynthTruth, TruthSide, TruthTransition } from './truth.js';

/** Options of a synthetic clip. */
export interface ClipOptions {
  seed: number;
  /** Frame size; sides should be multiples of 16 (default 320x240). */
  width?: number;
  height?: number;
  fps?: number;
  /** Frames each state is held (default 8). */
  segmentFrames?: number;
  /** Number of events (default 4). */
  events?: number;
  kinds?: readonly EventKind[];
}

/** A clip in memory: the script, the picture of each state and the ground truth (path still empty). */
export interface ClipPlan {
  script: Script;
  images: RawImage[];
  truth: SynthTruth;
}

/**
 * Scripts and renders a clip without encoding it.
 * @example const plan = planClip({ seed: 3 }); plan.truth.transitions[0].text
 */
export function planClip(options: ClipOptions): ClipPlan {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const fps = options.fps ?? 8;
  const seg = options.segmentFrames ?? 8;
  if (width < 64 || height < 64 || width % 2 || height % 2) throw new Error(`clip size ${width}x${height}: sides must be even and at least 64`);
  if (seg < 2) throw new Error(`segmentFrames ${seg}: each state needs at least 2 frames`);
  const script = generateScript({ width, height, seed: options.seed, events: options.events ?? 4, kinds: options.kinds });
  const images = script.states.map((s) => renderState(s, width, height));
  const side = (state: SceneState, frame: number, phrase: string, id: number | undefined, global: boolean): TruthSide => {
    const mask = global ? constantMask(width, height, 255) : id === undefined || !phrase ? constantMask(width, height, 0) : stateObjectMask(state, id, width, height);
    const box = maskBox(mask);
    return { frame, phrase, boxes: box ? [box] : [], mask: encodeRle(mask) };
  };
  const transitions: TruthTransition[] = script.events.map((event, i) => {
    const frame = (i + 1) * seg;
    const global = event.kind === 'pan' || event.kind === 'cut';
    return {
      index: i,
      kind: event.kind,
      frame,
      time: frame / fps,
      text: event.text,
      global,
      source: side(script.states[i]!, frame - 1, event.phrases.source, event.objectId, global),
      target: side(script.states[i + 1]!, frame, event.phrases.target, event.objectId, global),
    };
  });
  const frames = script.states.length * seg;
  const truth: SynthTruth = {
    format: 'cinegraph.synth-truth',
    version: 1,
    path: '',
    seed: options.seed,
    width,
    height,
    fps,
    frames,
    duration: frames / fps,
    states: script.states.map((s, k) => ({
      start: k * seg,
      end: (k + 1) * seg,
      keyFrame: k * seg + Math.floor(seg / 2),
      texture: s.background.texture,
      objects: visibleObjects(s, width, height).map((o) => ({ id: o.id, shape: o.shape, color: o.color, box: boxOf(s, o.id, width, height) })),
    })),
    transitions,
  };
  return { script, images, truth };
}

function boxOf(state: SceneState, id: number, width: number, height: number): Box | null {
  return maskBox(stateObjectMask(state, id, width, height));
}

/**
 * Renders a clip and encodes it to `path` (H.264 mp4, yuv420p), written under a temporary name and renamed
 * when complete. Returns the plan with `truth.path` set to the absolute path.
 * @example const { truth } = await writeClip({ seed: 1 }, 'out/clip-1.mp4');
 */
export async function writeClip(options: ClipOptions, path: string, signal?: AbortSignal): Promise<ClipPlan> {
  const plan = planClip(options);
  const full = resolve(path);
  await mkdir(dirname(full), { recursive: true });
  const temp = `${full}.partial`;
  const { width, height, fps } = plan.truth;
  const seg = plan.truth.states[0]!.end;
  function* frames(): Generator<Uint8Array> {
    for (const img of plan.images) for (let f = 0; f < seg; f++) yield img.data;
  }
  try {
    await encodeMp4(frames(), temp, { width, height, fps, signal });
    await rename(temp, full);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  plan.truth.path = full;
  return plan;
}

/** video/synthesize: synthetic clips of simple shapes with known events, and their ground truth. */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { defineNode, T } from '../../engine/index.js';
import { toSharp } from '../../media/image/raw.js';
import { EVENT_KINDS, writeClip, type EventKind } from '../../media/synth/index.js';
import { FRAME_SET, type Frame } from './types.js';

/**
 * Synthetic clips with known events.
 * @example { "type": "video/synthesize", "inputs": { "count": 8, "seed": 0, "events": 4 } }
 */
export const synthesizeNode = defineNode({
  type: 'video/synthesize',
  title: 'synthesize clips',
  description:
    'Short mp4 clips (H.264, yuv420p) of circles, squares and triangles in named colours on textured backgrounds (noise, gradient, stripes), with known events: an object appears, disappears, moves, changes colour or size; a camera pan; a scene cut. Each clip comes with its ground truth (per transition: frame and time, instruction text, region phrases, boxes, RLE masks; see docs/session.md) and its key frames (one per state) as a frame set. Deterministic from the seed: clip i uses seed + i.',
  inputs: {
    count: { type: T.INT, default: 4, min: 1, max: 100000, description: 'number of clips' },
    seed: { type: T.INT, default: 0, description: 'clip i uses seed + i' },
    width: { type: T.INT, default: 320, min: 64, max: 1920, step: 16 },
    height: { type: T.INT, default: 240, min: 64, max: 1088, step: 16 },
    fps: { type: T.INT, default: 8, min: 1, max: 60 },
    segmentFrames: { type: T.INT, default: 8, min: 2, max: 600, description: 'frames each state is held' },
    events: { type: T.INT, default: 4, min: 1, max: 19, description: 'events per clip (a session has events + 1 frames)' },
    kinds: { type: T.STRING, default: 'all', description: `comma-separated event kinds (${EVENT_KINDS.join(', ')}) or "all"` },
    dir: { type: T.STRING, default: '', description: 'folder for the mp4 files (default: <output folder>/synth)' },
  },
  outputs: {
    path: { type: T.STRING, description: 'the mp4 file' },
    truth: { type: T.JSON, description: 'the ground truth (format cinegraph.synth-truth)' },
    frames: { type: FRAME_SET, description: 'one key frame per state, rendered without compression' },
  },
  async *stream(inputs, ctx) {
    const kinds = parseKinds(inputs.kinds);
    const dir = resolve(inputs.dir.trim() || join(ctx.outputDir, 'synth'));
    const settings = { width: inputs.width, height: inputs.height, fps: inputs.fps, segmentFrames: inputs.segmentFrames, events: inputs.events, kinds };
    // The file name holds the settings' hash, so a rerun writes the same path and sessions keep their keys.
    const tag = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 8);
    for (let i = 0; i < inputs.count; i++) {
      ctx.signal.throwIfAborted();
      const seed = inputs.seed + i;
      const path = join(dir, `synth-${seed}-${tag}.mp4`);
      const { truth, images } = await writeClip({ seed, ...settings }, path, ctx.signal);
      const frames: Frame[] = truth.states.map((s, k) => ({ ...images[k]!, time: s.keyFrame / truth.fps, index: s.keyFrame, source: path }));
      if (i === 0) await sendPreview(ctx, images[0]!);
      ctx.progress(i + 1, inputs.count);
      yield { path, truth, frames: { source: path, frames, reason: 'transitions' as const } };
    }
  },
});

function parseKinds(text: string): EventKind[] | undefined {
  const t = text.trim().toLowerCase();
  if (!t || t === 'all') return undefined;
  const kinds = t.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (bad.length) throw new Error(`input "kinds": unknown event kind(s) ${bad.join(', ')}; use ${EVENT_KINDS.join(', ')} or "all"`);
  return kinds as EventKind[];
}

async function sendPreview(ctx: { preview(p: { url: string; width?: number; height?: number }): void }, image: Frame | { width: number; height: number; channels: 1 | 2 | 3 | 4; data: Uint8Array }): Promise<void> {
  const scale = Math.min(1, 256 / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const png = await toSharp(image).resize(width, height).png().toBuffer();
  ctx.preview({ url: `data:image/png;base64,${png.toString('base64')}`, width, height });
}

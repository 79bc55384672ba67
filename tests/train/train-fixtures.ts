/** Synthetic sessions made by hand (coloured squares that move, with their masks) and a tiny editing model. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Session } from '../../media/session/index.js';
import { loadEditModel, writeTinyEditModel, type EditModel } from '../../ml/edit/index.js';

const SIZE = 16;

function square(x: number, y: number, s: number, color: readonly number[]): { frame: Uint8Array; mask: Uint8Array } {
  const frame = new Uint8Array(SIZE * SIZE * 3).fill(40);
  const mask = new Uint8Array(SIZE * SIZE);
  for (let j = y; j < Math.min(SIZE, y + s); j++) for (let i = x; i < Math.min(SIZE, x + s); i++) {
    frame.set(color, 3 * (j * SIZE + i));
    mask[j * SIZE + i] = 255;
  }
  return { frame, mask };
}

/** A session of `frames` 16x16 frames: a square moving right by 2 px per frame, with both masks per transition. */
export function movingSquare(key: string, frames: number, seed: number): Session {
  const color = [(seed * 70) % 256, (seed * 130 + 60) % 256, (seed * 30 + 120) % 256];
  const shots = Array.from({ length: frames }, (_, i) => square(2 * i + (seed % 3), 2 + (seed % 5), 5, color));
  const img = (d: Uint8Array, channels: 1 | 3) => ({ width: SIZE, height: SIZE, channels, data: d });
  return {
    record: {
      format: 'cinegraph.session', version: 1, key, source: { path: `/synthetic/${key}.mp4`, sampling: 'synthetic' }, width: SIZE, height: SIZE,
      frames: shots.map((_, i) => ({ time: i, index: i, file: `${i}.png` })),
      transitions: shots.slice(1).map((_, i) => ({
        text: 'move the square to the right', kind: 'move', regions: { source: 'square', target: 'square' },
        boxes: { source: [], target: [] }, masks: { source: `${i}.mask0.png`, target: `${i}.mask1.png` },
      })),
      annotators: { text: 'synthetic-truth', regions: 'synthetic-truth', masks: 'synthetic-truth' },
    },
    frames: shots.map((s) => img(s.frame, 3)),
    masks: shots.slice(1).map((s, i) => ({ source: img(shots[i]!.mask, 1), target: img(s.mask, 1) })),
  };
}

/** Sessions of 2, 3 and 4 frames (variable lengths). */
export function syntheticSessions(count: number): Session[] {
  return Array.from({ length: count }, (_, i) => movingSquare(`s${i}`, 2 + (i % 3), i + 1));
}

/** A temp folder with a tiny editing model in it; `done` removes it. */
export async function tinyModelDir(): Promise<{ dir: string; model: EditModel; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cinegraph-train-'));
  const folder = await writeTinyEditModel(path.join(dir, 'model'), { seed: 2, textTokens: 4 });
  const model = await loadEditModel(folder, { device: 'cpu' });
  return { dir, model, done: () => rm(dir, { recursive: true, force: true }) };
}

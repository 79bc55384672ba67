/**
 * Textured backgrounds as functions of world coordinates, so a camera pan shows the same texture shifted.
 */
import type { Rgb } from '../image/raw.js';
import { hash01 } from './random.js';
import type { Texture } from './palette.js';

// Math's functions as locals: a global lookup in a hot loop is slow inside vm contexts (jest).
const { floor, round, sin } = Math;

/** A background: its texture, seed and colours. */
export interface Background {
  texture: Texture;
  seed: number;
  base: Rgb;
  /** Second colour (stripes and gradients). */
  accent: Rgb;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Value noise on a lattice of `cell` pixels, in [0, 1). */
function valueNoise(seed: number, x: number, y: number, cell: number): number {
  const gx = floor(x / cell);
  const gy = floor(y / cell);
  const fx = smooth(x / cell - gx);
  const fy = smooth(y / cell - gy);
  const a = hash01(seed, gx, gy);
  const b = hash01(seed, gx + 1, gy);
  const c = hash01(seed, gx, gy + 1);
  const d = hash01(seed, gx + 1, gy + 1);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/**
 * Fills an RGB buffer (width*height*3) with the background seen by a camera at (camX, camY).
 * @example paintBackground(buf, 320, 240, { texture: 'noise', seed: 1, base: [120,128,118], accent: [90,96,88] }, 0, 0);
 */
export function paintBackground(data: Uint8Array, width: number, height: number, bg: Background, camX: number, camY: number): void {
  const [r0, g0, b0] = bg.base;
  const [r1, g1, b1] = bg.accent;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const wx = x + camX;
      const wy = y + camY;
      let t: number;
      if (bg.texture === 'noise') {
        // Two octaves of smooth noise: textured, yet compressible and stable under H.264.
        t = 0.65 * valueNoise(bg.seed, wx, wy, 24) + 0.35 * valueNoise(bg.seed + 7, wx, wy, 9);
      } else if (bg.texture === 'gradient') {
        t = 0.5 + 0.5 * sin((wx * 0.8 + wy * 0.45) / 60 + (bg.seed % 17));
      } else {
        const band = (((wx + wy * 0.6 + bg.seed) / 14) % 2 + 2) % 2;
        t = band < 1 ? 0.15 : 0.85;
      }
      const o = (y * width + x) * 3;
      data[o] = round(r0 + (r1 - r0) * t);
      data[o + 1] = round(g0 + (g1 - g0) * t);
      data[o + 2] = round(b0 + (b1 - b0) * t);
    }
  }
}

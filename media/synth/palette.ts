/**
 * The named colours and shapes of synthetic clips. Object colours are saturated (or very bright/dark) and
 * backgrounds muted, so every object stands out from every background.
 */
import type { Rgb } from '../image/raw.js';

/** Colours objects may have, by the name used in instructions. */
export const OBJECT_COLORS: Readonly<Record<string, Rgb>> = {
  red: [220, 30, 30],
  green: [30, 170, 50],
  blue: [30, 70, 220],
  yellow: [245, 215, 20],
  orange: [250, 130, 10],
  purple: [140, 40, 190],
  white: [250, 250, 250],
  black: [15, 15, 15],
};

/** The colour names, in a fixed order (the generator picks by index). */
export const COLOR_NAMES = Object.keys(OBJECT_COLORS);

/** The shapes objects may have. */
export const SHAPES = ['circle', 'square', 'triangle'] as const;
export type Shape = (typeof SHAPES)[number];

/** Background textures. */
export const TEXTURES = ['noise', 'gradient', 'stripes'] as const;
export type Texture = (typeof TEXTURES)[number];

/** Muted base colours for backgrounds (mid luminance, low saturation). */
export const BACKGROUND_BASES: readonly Rgb[] = [
  [120, 128, 118],
  [140, 130, 112],
  [110, 120, 136],
  [132, 118, 128],
  [116, 134, 130],
];

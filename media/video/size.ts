/** Output frame sizes: a target pixel area with sides that are multiples of 16, keeping the aspect ratio. */

/** The method's resolution presets, as pixel areas (VINCIE: 256x256 for the 3B model, 640x480 for 7B). */
export const AREA_PRESETS = { '256x256': 256 * 256, '640x480': 640 * 480 } as const;

/** A preset name, or 'native' for the video's own size. */
export type AreaPreset = keyof typeof AREA_PRESETS | 'native';

/**
 * The size with about `area` pixels and the aspect of `width`x`height`, each side a multiple of `multiple`.
 * @example fitArea(1280, 720, 65536) // { width: 336, height: 192 }
 */
export function fitArea(width: number, height: number, area: number, multiple = 16): { width: number; height: number } {
  if (!(width > 0 && height > 0 && area > 0)) throw new Error(`fitArea: invalid size ${width}x${height} or area ${area}`);
  const scale = Math.sqrt(area / (width * height));
  const side = (n: number) => Math.max(multiple, Math.round((n * scale) / multiple) * multiple);
  return { width: side(width), height: side(height) };
}

/**
 * The pixel area of a preset, or null for 'native'.
 * @example presetArea('640x480') // 307200
 */
export function presetArea(preset: AreaPreset): number | null {
  if (preset === 'native') return null;
  const area = AREA_PRESETS[preset];
  if (!area) throw new Error(`unknown area preset "${String(preset)}" (expected native, ${Object.keys(AREA_PRESETS).join(', ')})`);
  return area;
}

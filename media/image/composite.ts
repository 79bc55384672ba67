/**
 * Compositing: an overlay blended onto a base, and contact sheets (a grid of images).
 */
import { pasteInto, resizeNearest } from './geometry.js';
import { rawImage, toChannels, type RawImage, type Rgb } from './raw.js';

/** Where and how `compositeImages` places the overlay. */
export interface CompositeOptions {
  /** Left edge of the overlay on the base (may be negative; the overlay is clipped to the base). */
  x?: number;
  /** Top edge of the overlay on the base. */
  y?: number;
  /** 0..1, multiplies the overlay's own alpha (default 1). */
  opacity?: number;
  /** Optional MASK limiting the overlay (255 = fully overlay); resized (nearest) to the overlay's size. */
  mask?: RawImage;
}

/**
 * Blends `overlay` onto `base` ("over" operator): alpha = opacity x overlay alpha x mask. The result has
 * the base's size and channels (RGB, or RGBA with the combined alpha).
 * @example const marked = compositeImages(photo, logo, { x: 8, y: 8, opacity: 0.5 });
 */
export function compositeImages(base: RawImage, overlay: RawImage, options: CompositeOptions = {}): RawImage {
  const { x = 0, y = 0, opacity = 1 } = options;
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`opacity must be between 0 and 1, got ${opacity}`);
  const out = toChannels(base, base.channels === 4 || base.channels === 2 ? 4 : 3);
  const result: RawImage = { ...out, data: Uint8Array.from(out.data) };
  const over = toChannels(overlay, 4);
  const mask = options.mask ? toChannels(resizeNearest(options.mask, overlay.width, overlay.height), 1) : undefined;
  const c = result.channels;
  for (let oy = Math.max(0, -y); oy < overlay.height && y + oy < base.height; oy++) {
    for (let ox = Math.max(0, -x); ox < overlay.width && x + ox < base.width; ox++) {
      const o = oy * overlay.width + ox;
      const a = (opacity * over.data[o * 4 + 3]! * (mask ? mask.data[o]! : 255)) / (255 * 255);
      if (a <= 0) continue;
      const d = ((y + oy) * base.width + (x + ox)) * c;
      if (c === 3) {
        for (let k = 0; k < 3; k++) result.data[d + k] = Math.round(over.data[o * 4 + k]! * a + result.data[d + k]! * (1 - a));
      } else {
        const ba = result.data[d + 3]! / 255;
        const outA = a + ba * (1 - a);
        for (let k = 0; k < 3; k++) {
          result.data[d + k] = outA > 0 ? Math.round((over.data[o * 4 + k]! * a + result.data[d + k]! * ba * (1 - a)) / outA) : 0;
        }
        result.data[d + 3] = Math.round(outA * 255);
      }
    }
  }
  return result;
}

/** Layout of a contact sheet. */
export interface GridOptions {
  /** Images per row; 0 or absent picks ceil(sqrt(n)). */
  columns?: number;
  /** Pixels between cells and around the edge (default 4). */
  padding?: number;
  /** Fill colour (default black). */
  background?: Rgb;
}

/**
 * Lays images out in a grid (a contact sheet). Every cell is as large as the largest image; each image is
 * centred in its cell. The sheet is RGBA when any image has alpha, else RGB; masks become grey.
 * @example const sheet = gridImages(frames, { columns: 4, padding: 8, background: [32, 32, 32] });
 */
export function gridImages(images: readonly RawImage[], options: GridOptions = {}): RawImage {
  if (images.length === 0) throw new Error('a grid needs at least one image, got none');
  const padding = options.padding ?? 4;
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`grid padding must be a whole number >= 0, got ${padding}`);
  const columns = Math.min(images.length, options.columns || Math.ceil(Math.sqrt(images.length)));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`grid columns must be a whole number >= 1, got ${options.columns}`);
  const rows = Math.ceil(images.length / columns);
  const cellW = Math.max(...images.map((i) => i.width));
  const cellH = Math.max(...images.map((i) => i.height));
  const channels = images.some((i) => i.channels === 4 || i.channels === 2) ? 4 : 3;
  const sheet = rawImage(columns * cellW + (columns + 1) * padding, rows * cellH + (rows + 1) * padding, channels);
  const [r, g, b] = options.background ?? [0, 0, 0];
  for (let p = 0; p < sheet.width * sheet.height; p++) {
    sheet.data.set(channels === 4 ? [r, g, b, 255] : [r, g, b], p * channels);
  }
  images.forEach((img, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x = padding + col * (cellW + padding) + ((cellW - img.width) >> 1);
    const y = padding + row * (cellH + padding) + ((cellH - img.height) >> 1);
    pasteInto(sheet, toChannels(img, channels), x, y);
  });
  return sheet;
}

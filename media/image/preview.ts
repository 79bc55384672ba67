/**
 * Preview thumbnails for the editor: small PNGs as data URLs.
 */
import { areaResize } from './geometry.js';
import { encodePng } from './png.js';
import { toSharp, type RawImage } from './raw.js';

/** Up to this many pixels a preview is scaled and encoded on the calling thread (a few ms); larger images go to sharp. */
const INLINE_PIXELS = 512 * 512;

/** A thumbnail ready for `ctx.preview()`. */
export interface PreviewImage {
  url: string;
  width: number;
  height: number;
}

/** The size of `img`'s thumbnail: the longer side at most `maxSide`, never enlarged. */
function thumbnailSize(img: RawImage, maxSide: number): { width: number; height: number } {
  if (img.width <= maxSide && img.height <= maxSide) return { width: img.width, height: img.height };
  const s = Math.min(maxSide / img.width, maxSide / img.height);
  return { width: Math.max(1, Math.round(img.width * s)), height: Math.max(1, Math.round(img.height * s)) };
}

/** The thumbnail as a PNG data URL, on the calling thread: area averaging and the synchronous encoder. */
function inlineUrl(img: RawImage, width: number, height: number): string {
  const small = width === img.width && height === img.height ? img : areaResize(img, width, height);
  return `data:image/png;base64,${encodePng(small, 3).toString('base64')}`;
}

/**
 * A thumbnail of a frame whose PNG is made only when its `url` is first read (then kept): by the editor's
 * connection when a client listens, by the cache when it re-sends it. Headless runs, where no one reads it,
 * pay nothing for a preview per frame. `img` must not change afterwards (engine values never do). Meant for
 * frame-sized images; the encoding runs on the reading thread (a 288x224 frame: a few ms).
 * @example ctx.preview(lazyPreview(drawBoxes(frame, boxes)));
 */
export function lazyPreview(img: RawImage, maxSide = 256): PreviewImage {
  const { width, height } = thumbnailSize(img, maxSide);
  let url: string | undefined;
  return {
    get url() {
      return (url ??= inlineUrl(img, width, height));
    },
    width,
    height,
  };
}

/**
 * A PNG thumbnail whose longer side is at most `maxSide` (never enlarged), as a `data:image/png;base64,`
 * URL with its size.
 * @example ctx.preview(await previewDataUrl(img));
 */
export async function previewDataUrl(img: RawImage, maxSide = 256): Promise<PreviewImage> {
  const large = img.width > maxSide || img.height > maxSide;
  if (img.width * img.height <= INLINE_PIXELS) {
    // For frame-sized images, area averaging and a synchronous PNG encoder cost less than a trip through
    // sharp's thread pool, and nothing waits on another thread.
    const { width, height } = thumbnailSize(img, maxSide);
    return { url: inlineUrl(img, width, height), width, height };
  }
  let pipeline = toSharp(img); // one sharp pipeline: resize and encode
  if (large) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  return { url: `data:image/png;base64,${data.toString('base64')}`, width: info.width, height: info.height };
}

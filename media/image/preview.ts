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

/**
 * A PNG thumbnail whose longer side is at most `maxSide` (never enlarged), as a `data:image/png;base64,`
 * URL with its size.
 * @example ctx.preview(await previewDataUrl(img));
 */
export async function previewDataUrl(img: RawImage, maxSide = 256): Promise<PreviewImage> {
  const large = img.width > maxSide || img.height > maxSide;
  if (img.width * img.height <= INLINE_PIXELS) {
    // Model nodes send a preview per frame: for frame-sized images, area averaging and a synchronous PNG
    // encoder cost less than a trip through sharp's thread pool, and nothing waits on another thread.
    const s = Math.min(maxSide / img.width, maxSide / img.height);
    const small = large ? areaResize(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s))) : img;
    return { url: `data:image/png;base64,${encodePng(small, 3).toString('base64')}`, width: small.width, height: small.height };
  }
  let pipeline = toSharp(img); // one sharp pipeline: resize and encode
  if (large) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  return { url: `data:image/png;base64,${data.toString('base64')}`, width: info.width, height: info.height };
}

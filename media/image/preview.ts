/**
 * Preview thumbnails for the editor: small PNGs as data URLs.
 */
import { encodeImage } from './io.js';
import { fromSharp, toSharp, type RawImage } from './raw.js';

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
  const small =
    img.width > maxSide || img.height > maxSide
      ? await fromSharp(toSharp(img).resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' }))
      : img;
  const png = await encodeImage(small, 'png');
  return { url: `data:image/png;base64,${png.toString('base64')}`, width: small.width, height: small.height };
}

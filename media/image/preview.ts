/**
 * Preview thumbnails for the editor: small PNGs as data URLs.
 */
import { toSharp, type RawImage } from './raw.js';

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
  // One sharp pipeline (resize and encode): a preview is made per frame by the model nodes, and each
  // pipeline is a trip through libuv's thread pool.
  let pipeline = toSharp(img);
  if (img.width > maxSide || img.height > maxSide) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  return { url: `data:image/png;base64,${data.toString('base64')}`, width: info.width, height: info.height };
}

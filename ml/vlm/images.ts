/**
 * Images as `data:` URLs for chat messages (`image_url` parts): resized to fit a side limit, encoded as
 * PNG or JPEG with sharp, and kept under a byte limit.
 */
import sharp from 'sharp';
import type { RawImage } from '../../engine/index.js';

/** How images are put into a request. */
export interface ImageEncoding {
  /** `png` (lossless) or `jpeg` (smaller). Default `jpeg`. */
  format?: 'png' | 'jpeg';
  /** The longest side after resizing (never enlarged). Default 1024. */
  maxSide?: number;
  /** The most bytes one encoded image may take; larger ones are re-encoded as smaller JPEGs. Default 4 MiB. */
  maxBytes?: number;
  /** JPEG quality, 1..100. Default 90. */
  quality?: number;
}

/**
 * Encodes one image as a `data:` URL under the limits.
 *
 * @example const url = await imageDataUrl(frame, { format: 'png', maxSide: 512 }); // 'data:image/png;base64,...'
 */
export async function imageDataUrl(img: RawImage, encoding: ImageEncoding = {}): Promise<string> {
  if (!img || !(img.data instanceof Uint8Array) || img.data.length !== img.width * img.height * img.channels) {
    throw new Error(`an image for the model is not a valid RawImage (expected width*height*channels bytes)`);
  }
  const maxSide = encoding.maxSide ?? 1024;
  const maxBytes = encoding.maxBytes ?? 4 * 1024 * 1024;
  let format = encoding.format ?? 'jpeg';
  let quality = encoding.quality ?? 90;
  let side = Math.min(maxSide, Math.max(img.width, img.height));
  for (let attempt = 0; attempt < 6; attempt++) {
    const bytes = await encode(img, format, side, quality);
    if (bytes.length <= maxBytes) return `data:image/${format};base64,${bytes.toString('base64')}`;
    // Too big: switch to JPEG, then shrink by the square root of the overshoot (bytes scale with area).
    side = format === 'png' ? side : Math.max(16, Math.floor(side * Math.sqrt(maxBytes / bytes.length) * 0.95));
    format = 'jpeg';
    quality = Math.min(quality, 85);
  }
  throw new Error(`an image of ${img.width}x${img.height} does not fit in ${maxBytes} bytes even as a small JPEG`);
}

async function encode(img: RawImage, format: 'png' | 'jpeg', side: number, quality: number): Promise<Buffer> {
  let pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  });
  if (side < Math.max(img.width, img.height)) pipeline = pipeline.resize({ width: side, height: side, fit: 'inside' });
  // Models see RGB: flatten alpha onto white.
  if (img.channels === 2 || img.channels === 4) pipeline = pipeline.flatten({ background: '#ffffff' });
  return format === 'png' ? pipeline.png().toBuffer() : pipeline.jpeg({ quality }).toBuffer();
}

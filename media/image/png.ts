/**
 * A small synchronous PNG encoder for previews: 8-bit grey, grey + alpha, RGB or RGBA, each row with PNG's
 * "sub" filter, deflated by Node's zlib on the calling thread. For the thumbnails the model nodes send per
 * frame this is cheaper than a trip through sharp's thread pool (and nothing waits on another thread);
 * `encodeImage` (sharp) remains the encoder for files.
 */
import { deflateSync } from 'node:zlib';
import type { RawImage } from './raw.js';

/** PNG colour types by channel count. */
const COLOUR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, as PNG chunks use) of `bytes`. */
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes 8-bit pixels (1 to 4 channels) as a PNG, synchronously.
 * @example const png = encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 */
export function encodePng(img: RawImage, level = 6): Buffer {
  const { width, height, channels, data } = img;
  const colour = COLOUR_TYPE[channels];
  if (colour === undefined) throw new Error(`PNG: expected 1 to 4 channels, got ${channels}`);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new Error(`PNG: bad size ${width}x${height}`);
  const stride = width * channels;
  if (data.length < stride * height) throw new Error(`PNG: ${width}x${height}x${channels} needs ${stride * height} bytes, got ${data.length}`);
  const rows = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    const i = y * stride;
    rows[o] = 1; // sub: each byte minus the same channel of the pixel to its left
    for (let x = 0; x < channels; x++) rows[o + 1 + x] = data[i + x]!;
    for (let x = channels; x < stride; x++) rows[o + 1 + x] = (data[i + x]! - data[i + x - channels]!) & 0xff;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = colour;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level })), chunk('IEND', new Uint8Array(0))]);
}

/**
 * The synchronous PNG encoder previews use (media/image/png.ts): what it writes, sharp (libvips' libpng)
 * reads back to the same pixels for every channel count, at every compression level; bad input is named.
 */
import sharp from 'sharp';
import { encodePng, lazyPreview, previewDataUrl } from '../../media/image/index.js';

/** Pixels that change along both axes and in every channel (so the "sub" filter's wrap-around is exercised). */
function pattern(width: number, height: number, channels: number): Uint8Array {
  return Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 73 + Math.floor(i / (width * channels)) * 41) & 0xff);
}

test.each([1, 2, 3, 4] as const)('%i channel(s): sharp decodes the same pixels', async (channels) => {
  for (const level of [0, 3, 9]) {
    const data = pattern(37, 11, channels);
    const png = encodePng({ width: 37, height: 11, channels, data }, level);
    expect((await sharp(png).metadata()).channels).toBe(channels);
    // sharp hands grey out as sRGB: grey + alpha comes back as RGBA, whose R and A are the grey and the alpha.
    const decoder = channels === 1 ? sharp(png).toColourspace('b-w') : sharp(png);
    const { data: back, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([37, 11, channels === 2 ? 4 : channels]);
    const pixels = channels === 2 ? Uint8Array.from({ length: 37 * 11 * 2 }, (_, i) => back[Math.floor(i / 2) * 4 + (i % 2) * 3]!) : back;
    expect(Buffer.compare(Buffer.from(pixels), Buffer.from(data))).toBe(0);
  }
});

test('bad input names what is wrong', () => {
  expect(() => encodePng({ width: 2, height: 2, channels: 5 as 3, data: new Uint8Array(20) })).toThrow(/1 to 4 channels, got 5/);
  expect(() => encodePng({ width: 4, height: 2, channels: 3, data: new Uint8Array(10) })).toThrow(/4x2x3 needs 24 bytes, got 10/);
  expect(() => encodePng({ width: 0, height: 2, channels: 3, data: new Uint8Array(0) })).toThrow(/bad size 0x2/);
});

test('frame-sized previews (encoded inline) and large ones (sharp) both come back at most 256 px, the aspect kept', async () => {
  for (const [w, h, want] of [[288, 224, [256, 199]], [1200, 800, [256, 171]], [100, 60, [100, 60]]] as const) {
    const preview = await previewDataUrl({ width: w, height: h, channels: 3, data: pattern(w, h, 3) });
    const meta = await sharp(Buffer.from(preview.url.split(',')[1]!, 'base64')).metadata();
    expect([preview.width, preview.height, meta.width, meta.height, meta.format]).toEqual([...want, ...want, 'png']);
  }
});

test('a lazy preview is encoded when its url is first read, then kept; it serialises like an encoded one', async () => {
  const image = { width: 288, height: 224, channels: 3 as const, data: pattern(288, 224, 3) };
  const lazy = lazyPreview(image);
  expect([lazy.width, lazy.height]).toEqual([256, 199]);
  // Not encoded yet: the first read sees the pixels as they are then.
  image.data.fill(0);
  const url = lazy.url;
  expect(url).toBe((await previewDataUrl(image)).url);
  const { data } = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).raw().toBuffer({ resolveWithObject: true });
  expect(data.every((v) => v === 0)).toBe(true);
  image.data.fill(255);
  expect(lazy.url).toBe(url);
  expect(JSON.parse(JSON.stringify({ image: lazy }))).toEqual({ image: { url, width: 256, height: 199 } });
});

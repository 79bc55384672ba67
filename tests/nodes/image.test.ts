import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { firstValueFrom, toArray } from 'rxjs';
import { LruCacheStore, runGraph, type RawImage } from '../../engine/index.js';
import { loadNode } from '../../nodes/image/load.js';
import { saveNode } from '../../nodes/image/save.js';
import { resizeNode } from '../../nodes/image/resize.js';
import { cropNode } from '../../nodes/image/crop.js';
import { compositeNode } from '../../nodes/image/composite.js';
import { gridNode } from '../../nodes/image/grid.js';
import { previewNode } from '../../nodes/image/preview.js';
import { areaResize, decodeImage, formatOf, parseColor, previewDataUrl, readImage, saveNumbered, writeImage } from '../../media/image/index.js';
import {
  coordinates,
  eventsOf,
  graphOf,
  link,
  pixel,
  previewSize,
  recordingContext,
  rectMask,
  registry,
  runDoc,
  runNode,
  solid,
  tempDir,
  writeBytes,
  writeFixture,
} from '../fixtures/images/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => (tmp = await tempDir('image')));
afterEach(() => tmp.cleanup());

const run = async (def: Parameters<typeof runNode>[0], inputs: Record<string, unknown>) => {
  const rec = recordingContext(join(tmp.dir, 'out'));
  const outputs = await runNode(def, inputs, rec.ctx);
  return { ...rec, outputs, image: outputs.image as RawImage };
};

describe('image/load', () => {
  test('reads PNG pixels exactly, RGBA when the file has alpha', async () => {
    const rgb = await writeFixture(tmp.dir, 'rgb.png', coordinates(20, 10));
    const rgba = await writeFixture(tmp.dir, 'rgba.png', solid(4, 4, [10, 20, 30, 128]));
    const a = await run(loadNode, { path: rgb });
    expect([a.image.width, a.image.height, a.image.channels]).toEqual([20, 10, 3]);
    expect(a.outputs.width).toBe(20);
    expect(a.outputs.height).toBe(10);
    expect(pixel(a.image, 13, 7)).toEqual([13, 7, 100]);
    const b = await run(loadNode, { path: rgba });
    expect(pixel(b.image, 2, 2)).toEqual([10, 20, 30, 128]);
  });

  test('a greyscale file becomes RGB and a JPEG decodes to about its colour', async () => {
    const grey = await writeFixture(tmp.dir, 'grey.png', rectMask(8, 8, 0, 0, 4, 8, 200));
    const g = await run(loadNode, { path: grey });
    expect(g.image.channels).toBe(3);
    expect(pixel(g.image, 1, 1)).toEqual([200, 200, 200]);
    expect(pixel(g.image, 6, 1)).toEqual([0, 0, 0]);
    const jpg = await writeFixture(tmp.dir, 'c.jpg', solid(16, 16, [200, 40, 40]));
    const j = await run(loadNode, { path: jpg });
    pixel(j.image, 8, 8).forEach((v, k) => expect(Math.abs(v - [200, 40, 40][k]!)).toBeLessThan(6));
  });

  test('a missing file fails the run with an error naming the path', async () => {
    const missing = join(tmp.dir, 'nope', 'missing.png');
    const { result, events } = await runDoc(
      graphOf({ load: { type: 'image/load', inputs: { path: missing } }, show: { type: 'image/preview', inputs: { image: link('load', 'image') } } }),
      tmp.dir,
    );
    expect(result.status).toBe('failed');
    expect(result.error?.node).toBe('load');
    expect(result.error?.message).toContain(missing);
    expect(eventsOf(events, 'node-error', 'load')[0]?.message).toContain('no image file at');
  });

  test('a file that is not an image is an error naming the path and the formats', async () => {
    const fake = await writeBytes(tmp.dir, 'notes.png', 'these are not pixels');
    await expect(run(loadNode, { path: fake })).rejects.toThrow(new RegExp(`${fake.replace(/[.]/g, '\\.')}.*not an image format`));
    await expect(run(loadNode, { path: tmp.dir })).rejects.toThrow(/is not a file/);
    await expect(run(loadNode, { path: '  ' })).rejects.toThrow(/"path" is empty/);
  });
});

describe('image/save', () => {
  test('writes a decodable PNG into the output folder and sends a preview', async () => {
    const img = coordinates(40, 30);
    const s = await run(saveNode, { image: img, prefix: 'shot' });
    const path = s.outputs.path as string;
    expect(path).toBe(join(tmp.dir, 'out', 'shot_00001.png'));
    const back = await readImage(path);
    expect(back).toEqual({ ...img, data: back.data });
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
    expect(s.previews).toHaveLength(1);
    expect(await previewSize(s.previews[0]!)).toEqual({ width: 40, height: 30, format: 'png' });
  });

  test('never overwrites: the counter continues past existing files, which keep their bytes', async () => {
    const outDir = join(tmp.dir, 'out');
    await run(saveNode, { image: solid(4, 4, [1, 2, 3]), prefix: 'frame' });
    await writeFile(join(outDir, 'frame_00007.png'), 'keep me');
    const second = await run(saveNode, { image: solid(4, 4, [9, 9, 9]), prefix: 'frame' });
    expect(second.outputs.path).toBe(join(outDir, 'frame_00008.png'));
    expect(await readFile(join(outDir, 'frame_00007.png'), 'utf8')).toBe('keep me');
    expect(pixel(await readImage(join(outDir, 'frame_00001.png')), 0, 0)).toEqual([1, 2, 3]);
    expect((await readdir(outDir)).sort()).toEqual(['frame_00001.png', 'frame_00007.png', 'frame_00008.png']);
  });

  test('parallel saves with one prefix take different numbers', async () => {
    const paths = await Promise.all(Array.from({ length: 6 }, (_, i) => saveNumbered(solid(2, 2, [i, i, i]), tmp.dir, 'p', 'png')));
    expect(new Set(paths).size).toBe(6);
    expect((await readdir(tmp.dir)).length).toBe(6);
  });

  test('JPEG output, subfolder prefixes, and prefixes that would leave the output folder', async () => {
    const j = await run(saveNode, { image: solid(8, 8, [250, 10, 10]), prefix: 'sub/dir/pic', format: 'jpeg', quality: 80 });
    expect(j.outputs.path).toBe(join(tmp.dir, 'out', 'sub', 'dir', 'pic_00001.jpg'));
    expect((await sharp(j.outputs.path as string).metadata()).format).toBe('jpeg');
    await expect(run(saveNode, { image: solid(2, 2, [0, 0, 0]), prefix: '../escape' })).rejects.toThrow(/leaves the output folder/);
    await expect(run(saveNode, { image: solid(2, 2, [0, 0, 0]), prefix: '/etc/x' })).rejects.toThrow(/leaves the output folder/);
    await expect(run(saveNode, { image: solid(2, 2, [0, 0, 0]), prefix: 'a/..' })).rejects.toThrow(/leaves the output folder/);
    const folder = await run(saveNode, { image: solid(2, 2, [0, 0, 0]), prefix: 'shots/' });
    expect(folder.outputs.path).toBe(join(tmp.dir, 'out', 'shots', 'image_00001.png'));
  });

  test('in a graph, a stream of images is saved one file per item and the run reports every path', async () => {
    const files = await Promise.all([1, 2, 3].map((i) => writeFixture(tmp.dir, `in${i}.png`, solid(6, 6, [i * 50, 0, 0]))));
    const { result } = await runDoc(
      graphOf({
        paths: { type: 'core/lines', inputs: { text: files.join('\n') } },
        load: { type: 'image/load', inputs: { path: link('paths', 'line') } },
        save: { type: 'image/save', inputs: { image: link('load', 'image'), prefix: 'copy' } },
      }),
      join(tmp.dir, 'run'),
    );
    expect(result.status).toBe('succeeded');
    const saved = (result.outputs.save as Array<{ path: string }>).map((o) => o.path);
    expect(saved).toEqual([1, 2, 3].map((i) => join(tmp.dir, 'run', `copy_0000${i}.png`)));
    expect(pixel(await readImage(saved[2]!), 0, 0)).toEqual([150, 0, 0]);
  });
});

describe('image/resize', () => {
  const src = coordinates(40, 20);
  test.each([
    [{ width: 10, height: 10, fit: 'fill' }, [10, 10]],
    [{ width: 10, height: 10, fit: 'cover' }, [10, 10]],
    [{ width: 10, height: 10, fit: 'contain' }, [10, 10]],
    [{ width: 10, height: 10, fit: 'inside' }, [10, 5]],
    [{ width: 10, height: 10, fit: 'outside' }, [20, 10]],
    [{ width: 20, height: 0 }, [20, 10]],
    [{ width: 0, height: 5 }, [10, 5]],
    [{ width: 10, height: 10, fit: 'cover', method: 'area' }, [10, 10]],
    [{ width: 10, height: 10, fit: 'inside', method: 'area' }, [10, 5]],
    [{ width: 0, height: 40, method: 'nearest' }, [80, 40]],
  ])('%j gives %j', async (options, [w, h]) => {
    const { image } = await run(resizeNode, { image: src, ...options });
    expect([image.width, image.height, image.channels]).toEqual([w, h, 3]);
  });

  test('contain pads with black around the scaled image', async () => {
    const { image } = await run(resizeNode, { image: solid(40, 20, [200, 200, 200]), width: 10, height: 10, fit: 'contain', method: 'nearest' });
    expect(pixel(image, 5, 0)).toEqual([0, 0, 0]);
    expect(pixel(image, 5, 5)).toEqual([200, 200, 200]);
  });

  test('area averages the pixels each output pixel covers', async () => {
    // A 0/255 checkerboard halved: every output pixel covers two 0s and two 255s.
    const board = solid(8, 8, [0, 0, 0]);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if ((x + y) % 2) board.data.set([255, 255, 255], (y * 8 + x) * 3);
    const { image } = await run(resizeNode, { image: board, width: 4, height: 4, method: 'area' });
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(pixel(image, x, y)).toEqual([128, 128, 128]);
    // A non-integer factor: 3 -> 2 pixels, the middle source pixel split between both outputs.
    const row: RawImage = { width: 3, height: 1, channels: 1, data: Uint8Array.from([0, 90, 180]) };
    expect([...areaResize(row, 2, 1).data]).toEqual([30, 150]);
  });

  test('an RGBA image keeps its alpha (colour within sharp\'s premultiplied rounding)', async () => {
    const { image } = await run(resizeNode, { image: solid(8, 8, [100, 150, 200, 77]), width: 4, height: 4 });
    const [r, g, b, a] = pixel(image, 2, 2);
    expect(a).toBe(77);
    [r, g, b].forEach((v, k) => expect(Math.abs(v! - [100, 150, 200][k]!)).toBeLessThanOrEqual(3));
  });

  test('a mask resizes as one channel, and nearest keeps it binary', async () => {
    for (const method of ['nearest', 'area', 'lanczos3']) {
      const { image } = await run(resizeNode, { image: rectMask(8, 8, 0, 0, 4, 8), width: 16, height: 4, method });
      expect([image.width, image.height, image.channels]).toEqual([16, 4, 1]);
      expect(pixel(image, 1, 1)).toEqual([255]);
      expect(pixel(image, 14, 1)).toEqual([0]);
    }
  });

  test('both sides 0 is an error', async () => {
    await expect(run(resizeNode, { image: src, width: 0, height: 0 })).rejects.toThrow(/needs a width or a height/);
  });
});

describe('image/crop', () => {
  test('cuts out exactly the requested region', async () => {
    const { image } = await run(cropNode, { image: coordinates(30, 20), x: 5, y: 3, width: 10, height: 4 });
    expect([image.width, image.height]).toEqual([10, 4]);
    expect(pixel(image, 0, 0)).toEqual([5, 3, 100]);
    expect(pixel(image, 9, 3)).toEqual([14, 6, 100]);
  });

  test('a region outside the image is an error giving the region and the image size', async () => {
    await expect(run(cropNode, { image: coordinates(30, 20), x: 25, y: 0, width: 10, height: 4 })).rejects.toThrow(
      'crop region 10x4 at (25, 0) spans x 25..35, y 0..4, outside the 30x20 image',
    );
  });
});

describe('image/composite', () => {
  test('blends the overlay at (x, y) with opacity and leaves the rest of the base alone', async () => {
    const { image } = await run(compositeNode, { base: solid(10, 10, [0, 0, 200]), overlay: solid(4, 4, [200, 100, 0]), x: 3, y: 5, opacity: 0.5 });
    expect([image.width, image.height, image.channels]).toEqual([10, 10, 3]);
    expect(pixel(image, 3, 5)).toEqual([100, 50, 100]);
    expect(pixel(image, 6, 8)).toEqual([100, 50, 100]);
    expect(pixel(image, 2, 5)).toEqual([0, 0, 200]);
    expect(pixel(image, 7, 5)).toEqual([0, 0, 200]);
  });

  test('an overlay hanging off the edge is clipped; its alpha and a mask limit it', async () => {
    const clipped = await run(compositeNode, { base: solid(6, 6, [0, 0, 0]), overlay: solid(4, 4, [255, 255, 255]), x: -2, y: 4 });
    expect(pixel(clipped.image, 1, 5)).toEqual([255, 255, 255]);
    expect(pixel(clipped.image, 2, 5)).toEqual([0, 0, 0]);
    expect(pixel(clipped.image, 1, 3)).toEqual([0, 0, 0]);
    const masked = await run(compositeNode, {
      base: solid(4, 4, [0, 0, 0]),
      overlay: solid(4, 4, [200, 200, 200, 128]),
      mask: rectMask(4, 4, 0, 0, 2, 4),
    });
    expect(pixel(masked.image, 0, 0)).toEqual([100, 100, 100]);
    expect(pixel(masked.image, 3, 0)).toEqual([0, 0, 0]);
  });
});

describe('image/grid', () => {
  test('lays images out in rows with padding and a background colour', async () => {
    const images = [solid(10, 10, [255, 0, 0]), solid(10, 10, [0, 255, 0]), solid(10, 10, [0, 0, 255])];
    const { image, outputs } = await run(gridNode, { images, columns: 2, padding: 2, background: '#102030' });
    expect(outputs.count).toBe(3);
    expect([image.width, image.height]).toEqual([2 * 10 + 3 * 2, 2 * 10 + 3 * 2]);
    expect(pixel(image, 0, 0)).toEqual([16, 32, 48]);
    expect(pixel(image, 2, 2)).toEqual([255, 0, 0]);
    expect(pixel(image, 14, 2)).toEqual([0, 255, 0]);
    expect(pixel(image, 2, 14)).toEqual([0, 0, 255]);
    expect(pixel(image, 14, 14)).toEqual([16, 32, 48]);
  });

  test('cells fit the largest image, smaller ones centred; columns 0 makes it square-ish', async () => {
    const images = [solid(8, 4, [255, 255, 255]), solid(4, 8, [255, 255, 255]), solid(2, 2, [255, 255, 255]), solid(8, 8, [255, 255, 255])];
    const { image } = await run(gridNode, { images, columns: 0, padding: 0, background: 'black' });
    expect([image.width, image.height]).toEqual([16, 16]);
    expect(pixel(image, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(image, 0, 2)).toEqual([255, 255, 255]);
    expect(pixel(image, 8, 0)).toEqual([0, 0, 0]);
    expect(pixel(image, 10, 0)).toEqual([255, 255, 255]);
  });

  test('an empty list and a bad colour are clear errors', async () => {
    await expect(run(gridNode, { images: [] })).rejects.toThrow(/at least one image/);
    await expect(run(gridNode, { images: [solid(2, 2, [0, 0, 0])], background: 'mauve-ish' })).rejects.toThrow(/"mauve-ish" is not a colour/);
    expect(parseColor('#f80')).toEqual([255, 136, 0]);
    expect(parseColor('1, 2, 3')).toEqual([1, 2, 3]);
  });
});

describe('image/preview', () => {
  test('sends a PNG thumbnail no larger than 256 px and reports the size', async () => {
    const { previews, outputs } = await run(previewNode, { image: coordinates(200, 100) });
    expect(outputs).toEqual({ width: 200, height: 100, channels: 3 });
    const big = await previewDataUrl(solid(1000, 500, [9, 9, 9]));
    expect([big.width, big.height]).toEqual([256, 128]);
    expect(await previewSize(big)).toEqual({ width: 256, height: 128, format: 'png' });
    expect(await previewSize(previews[0]!)).toEqual({ width: 200, height: 100, format: 'png' });
    const decoded = await decodeImage(Buffer.from(previews[0]!.url.split(',')[1]!, 'base64'));
    expect(pixel(decoded, 150, 50)).toEqual([150, 50, 100]);
  });

  test('in a run, the preview reaches the events again when the preview node itself is cached', async () => {
    const path = await writeFixture(tmp.dir, 'a.png', coordinates(300, 20));
    const doc = graphOf({ load: { type: 'image/load', inputs: { path } }, p: { type: 'image/preview', inputs: { image: link('load', 'image') } } });
    const cache = new LruCacheStore(64 * 1024 * 1024);
    for (const round of [1, 2]) {
      const run = runGraph(doc, { registry, cache, outputDir: tmp.dir });
      const events = firstValueFrom(run.events.pipe(toArray()));
      expect((await run.result).status).toBe('succeeded');
      const all = await events;
      expect(eventsOf(all, 'node-cached', 'p')).toHaveLength(round === 1 ? 0 : 1);
      const previews = eventsOf(all, 'node-preview', 'p');
      expect(previews).toHaveLength(1);
      expect(previews[0]!.image.width).toBe(256);
      expect(previews[0]!.image.url.startsWith('data:image/png;base64,')).toBe(true);
    }
  });
});

describe('media/image files', () => {
  test('writeImage picks the format from the extension, replaces the file, and round-trips masks as grey', async () => {
    const path = join(tmp.dir, 'deep', 'a.png');
    await writeImage(solid(3, 3, [1, 2, 3]), path);
    await writeImage(coordinates(5, 4), path);
    expect(pixel(await readImage(path), 4, 3)).toEqual([4, 3, 100]);
    const maskPath = await writeImage(rectMask(4, 4, 0, 0, 2, 4), join(tmp.dir, 'm.png'));
    expect((await sharp(maskPath).metadata()).channels).toBe(1);
    expect(pixel(await readImage(maskPath), 0, 0)).toEqual([255, 255, 255]);
    const webp = await writeImage(solid(4, 4, [0, 200, 0]), join(tmp.dir, 'w.webp'));
    expect((await sharp(webp).metadata()).format).toBe('webp');
    expect(formatOf('x.JPEG')).toBe('jpeg');
    expect(() => formatOf('x.bmp')).toThrow(/cannot tell the image format of "x.bmp"/);
  });

  test('JPEG flattens transparency onto white', async () => {
    const path = await writeImage(solid(8, 8, [0, 0, 0, 0]), join(tmp.dir, 't.jpg'));
    pixel(await readImage(path), 4, 4).forEach((v) => expect(v).toBeGreaterThan(245));
  });
});

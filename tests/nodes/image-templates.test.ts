import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyParams, readGraphFile, validateGraph, type RawImage } from '../../engine/index.js';
import { readImage } from '../../media/image/index.js';
import { coordinates, eventsOf, pixel, rectMask, registry, runDoc, solid, tempDir, writeFixture } from '../fixtures/images/helpers.js';

const graphsDir = fileURLToPath(new URL('../../graphs/', import.meta.url));

const raw = (path: string) => readFileSync(path, 'utf8');

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => (tmp = await tempDir('templates')));
afterEach(() => tmp.cleanup());

describe.each(['contact-sheet', 'mask-overlay'])('graphs/%s.json', (name) => {
  test('is plain JSON and a valid v1 document with params, a description and a position for every node', async () => {
    const path = join(graphsDir, `${name}.json`);
    expect(() => JSON.parse(raw(path))).not.toThrow();
    const doc = await readGraphFile(path);
    expect(doc.format).toBe('cinegraph.graph');
    expect(doc.version).toBe(1);
    expect(doc.name).toBe(name);
    expect(doc.description).toBeTruthy();
    expect(validateGraph(doc, registry)).toEqual([]);
    expect(Object.keys(doc.params ?? {}).length).toBeGreaterThan(0);
    for (const param of Object.values(doc.params ?? {})) expect(param.description).toBeTruthy();
    const layout = doc.layout?.nodes ?? {};
    expect(Object.keys(layout).sort()).toEqual(Object.keys(doc.nodes).sort());
    const positions = Object.values(layout).map((n) => JSON.stringify(n.pos));
    expect(new Set(positions).size).toBe(positions.length);
  });
});

describe('contact-sheet template', () => {
  test('loads the listed images, resizes each tile and saves one sheet', async () => {
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 0],
      [0, 255, 255],
    ];
    // Different sizes and aspect ratios: every tile is cover-resized to the same box.
    const paths = await Promise.all(colours.map((c, i) => writeFixture(tmp.dir, `in-${i}.${i % 2 ? 'jpg' : 'png'}`, solid(40 + i * 13, 30 + i * 7, c))));
    const doc = applyParams(
      await readGraphFile(join(graphsDir, 'contact-sheet.json')),
      { images: `${paths.join('\n')}\n`, width: '32', height: '24', columns: '3', padding: '4', prefix: 'sheet' },
      registry,
      { coerce: true },
    );
    const outDir = join(tmp.dir, 'out');
    const { result, events } = await runDoc(doc, outDir);
    expect(result.status).toBe('succeeded');
    const saved = (result.outputs.save as { path: string }).path;
    expect(saved).toBe(join(outDir, 'sheet_00001.png'));
    const sheet = await readImage(saved);
    expect([sheet.width, sheet.height]).toEqual([3 * 32 + 4 * 4, 2 * 24 + 3 * 4]);
    const centre = (i: number) => pixel(sheet, 4 + (i % 3) * 36 + 16, 4 + Math.floor(i / 3) * 28 + 12);
    colours.forEach((c, i) => centre(i).forEach((v, k) => expect(Math.abs(v - c[k]!)).toBeLessThan(8)));
    expect(pixel(sheet, 1, 1)).toEqual([32, 32, 32]); // the background
    expect(pixel(sheet, 4 + 2 * 36 + 16, 4 + 28 + 12)).toEqual([32, 32, 32]); // the empty sixth cell
    expect(eventsOf(events, 'node-preview', 'save')).toHaveLength(1);
  });

  test('without images it fails at the grid with a clear message', async () => {
    const doc = await readGraphFile(join(graphsDir, 'contact-sheet.json'));
    const { result } = await runDoc(doc, tmp.dir);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/at least one image/);
  });
});

describe('mask-overlay template', () => {
  test('paints the thresholded mask over the image, saves it and previews it', async () => {
    const imagePath = await writeFixture(tmp.dir, 'photo.png', coordinates(64, 48));
    // A half-size mask with a soft square: only values above the threshold count.
    const mask = rectMask(32, 24, 8, 6, 16, 12, 200);
    const maskPath = await writeFixture(tmp.dir, 'mask.png', mask);
    const doc = applyParams(
      await readGraphFile(join(graphsDir, 'mask-overlay.json')),
      { image: imagePath, mask: maskPath, threshold: 0.5, color: '#00ff00', opacity: 0.5 },
      registry,
    );
    const { result, events } = await runDoc(doc, join(tmp.dir, 'out'));
    expect(result.status).toBe('succeeded');
    const saved = (result.outputs.save as { path: string }).path;
    expect(saved).toBe(join(tmp.dir, 'out', 'mask-overlay_00001.png'));
    const out: RawImage = await readImage(saved);
    expect([out.width, out.height, out.channels]).toEqual([64, 48, 3]);
    // The mask square (8..16, 6..12) scales to (16..32, 12..24) on the image.
    expect(pixel(out, 20, 15)).toEqual([10, 135, 50]); // 0.5 x (20, 15, 100) + 0.5 x (0, 255, 0)
    expect(pixel(out, 40, 30)).toEqual([40, 30, 100]); // outside: unchanged
    expect(pixel(out, 15, 15)).toEqual([15, 15, 100]);
    expect(result.outputs.preview).toEqual({ width: 64, height: 48, channels: 3 });
    expect(eventsOf(events, 'node-preview', 'preview')).toHaveLength(1);
    expect(eventsOf(events, 'node-preview', 'overlay')).toHaveLength(1);
  });

  test('a missing image path names the file in the run error', async () => {
    const maskPath = await writeFixture(tmp.dir, 'mask.png', rectMask(4, 4, 0, 0, 2, 2));
    const missing = join(tmp.dir, 'where-is-it.png');
    const doc = applyParams(await readGraphFile(join(graphsDir, 'mask-overlay.json')), { image: missing, mask: maskPath }, registry);
    const { result } = await runDoc(doc, tmp.dir);
    expect(result.status).toBe('failed');
    expect(result.error?.node).toBe('load-image');
    expect(result.error?.message).toContain(missing);
  });
});

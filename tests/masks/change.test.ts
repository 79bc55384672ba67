/** The weight-free change mask: unit behaviour, and IoU against synthetic ground truth decoded from mp4. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode, NullCacheStore, T, type NodePack } from '../../engine/index.js';
import { changeMask, maskIoU, maskUnion } from '../../media/mask/index.js';
import { decodeRle, planClip, writeClip } from '../../media/synth/index.js';
import { decodeFrames, type DecodedFrame } from '../../media/video/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { testPack } from '../support/test-nodes.js';
import { graph, link, ofType, runAll } from '../support/graph.js';
import { FRAME_SET } from '../../nodes/video/types.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'cinegraph-masks-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A noisy grey picture with a solid square drawn at (x, y). */
function picture(seed: number, square?: { x: number; y: number; size: number }) {
  const width = 96;
  const height = 64;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = 120 + ((i * 7919 + seed) % 9) - 4; // same texture, +-4 levels
  if (square) {
    for (let y = square.y; y < square.y + square.size; y++) for (let x = square.x; x < square.x + square.size; x++) data.set([230, 30, 30], (y * width + x) * 3);
  }
  return { width, height, channels: 3 as const, data };
}

function squareMask(x: number, y: number, size: number) {
  const data = new Uint8Array(96 * 64);
  for (let yy = y; yy < y + size; yy++) data.fill(255, yy * 96 + x, yy * 96 + x + size);
  return { width: 96, height: 64, channels: 1 as const, data };
}

describe('changeMask', () => {
  test('identical frames give an empty mask and no regions', () => {
    const { mask, regions, changed } = changeMask(picture(1), picture(1));
    expect([mask.channels, regions.length, changed]).toEqual([1, 0, 0]);
  });

  test('an added square is found with its box; low-level noise is not', () => {
    const { mask, regions } = changeMask(picture(1), picture(2, { x: 20, y: 10, size: 16 }));
    expect(maskIoU(mask, squareMask(20, 10, 16))).toBeGreaterThan(0.8);
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ x: expect.any(Number), width: expect.any(Number) });
    expect(Math.abs(regions[0]!.x - 20) + Math.abs(regions[0]!.y - 10)).toBeLessThanOrEqual(2);
  });

  test('regions under the minimum area are dropped; hole filling turns a grown square into a whole region', () => {
    const tiny = changeMask(picture(1), picture(1, { x: 5, y: 5, size: 3 }), { minArea: 0.01, open: 0 });
    expect(tiny.regions).toHaveLength(0);
    const grown = changeMask(picture(1, { x: 30, y: 20, size: 10 }), picture(1, { x: 25, y: 15, size: 20 }));
    expect(maskIoU(grown.mask, squareMask(25, 15, 20))).toBeGreaterThan(0.8);
    const ring = changeMask(picture(1, { x: 30, y: 20, size: 10 }), picture(1, { x: 25, y: 15, size: 20 }), { fillHoles: false });
    expect(maskIoU(ring.mask, squareMask(25, 15, 20))).toBeLessThan(0.8);
  });

  test('frames of different sizes are an error naming both sizes', () => {
    const small = { width: 8, height: 8, channels: 3 as const, data: new Uint8Array(192) };
    expect(() => changeMask(picture(1), small)).toThrow(/96x64.*8x8/);
  });
});

describe('change-mask IoU on synthetic clips', () => {
  test('mean IoU against ground-truth masks >= 0.8 on object-level events (decoded mp4, frames on both sides)', async () => {
    const byKind: Record<string, number[]> = {};
    for (let seed = 100; seed < 112; seed++) {
      const { truth } = await writeClip({ seed, width: 256, height: 192, events: 4 }, join(dir, `clip-${seed}.mp4`));
      const frames: DecodedFrame[] = [];
      for await (const f of decodeFrames(truth.path)) frames.push(f);
      for (const t of truth.transitions) {
        const { mask } = changeMask(frames[t.source.frame]!, frames[t.target.frame]!);
        const expected = maskUnion(decodeRle(t.source.mask), decodeRle(t.target.mask));
        (byKind[t.global ? `${t.kind} (global)` : t.kind] ??= []).push(maskIoU(mask, expected));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const objectIoUs = Object.entries(byKind).filter(([k]) => !k.includes('global')).flatMap(([, v]) => v);
    const lines = Object.entries(byKind).map(([k, v]) => `  ${k}: n=${v.length} mean IoU ${mean(v).toFixed(3)}`);
    console.log(`change-mask IoU over ${objectIoUs.length} object-level transitions: mean ${mean(objectIoUs).toFixed(3)}\n${lines.join('\n')}`);
    expect(objectIoUs.length).toBeGreaterThanOrEqual(30);
    expect(mean(objectIoUs)).toBeGreaterThanOrEqual(0.8);
  });
});

/** Test-only nodes that emit pictures and frame sets, since IMAGE and FRAME_SET inputs take no literal. */
const pictures: NodePack = {
  name: 'pictures',
  nodes: [
    defineNode({
      type: 'pictures/pair',
      description: 'A picture and the same picture with a square',
      inputs: {},
      outputs: { a: T.IMAGE, b: T.IMAGE },
      run: () => ({ a: picture(1), b: picture(1, { x: 10, y: 10, size: 12 }) }),
    }),
    defineNode({
      type: 'pictures/frame-sets',
      description: 'Key frames of synthetic clips; clip 1 has a frame of another size',
      inputs: {},
      outputs: { frames: FRAME_SET },
      async *stream() {
        for (let seed = 0; seed < 3; seed++) {
          const plan = planClip({ seed, width: 128, height: 96, events: 3 });
          const frames = plan.images.map((img, i) => ({ ...img, time: i, index: i, source: `clip-${seed}.mp4` }));
          if (seed === 1) frames[2] = { ...picture(0), time: 2, index: 2, source: 'clip-1.mp4' };
          yield { frames: { source: `clip-${seed}.mp4`, frames, reason: 'count' as const } };
        }
      },
    }),
  ],
};

describe('mask nodes', () => {
  test('mask/change runs in a graph over two images', async () => {
    const doc = graph({
      pair: { type: 'pictures/pair' },
      change: { type: 'mask/change', inputs: { source: link('pair', 'a'), target: link('pair', 'b') } },
      out: { type: 'test/sink', inputs: { value: link('change', 'regions') } },
    });
    const { result } = await runAll(doc, { registry: builtinRegistry([testPack, pictures]), cache: new NullCacheStore() });
    expect(result.status).toBe('succeeded');
    expect((result.outputs.out as { value: unknown[] }).value).toHaveLength(1);
  });

  test('mask/change-sequence gives a mask pair per transition; with skip, a bad frame set is reported and the rest go on', async () => {
    const doc = graph({
      sets: { type: 'pictures/frame-sets' },
      masks: { type: 'mask/change-sequence', onItemError: 'skip', inputs: { frames: link('sets', 'frames') } },
      out: { type: 'test/collect', inputs: { values: link('masks', 'masks') } },
    });
    const { result, events } = await runAll(doc, { registry: builtinRegistry([testPack, pictures]), cache: new NullCacheStore() });
    expect(result.status).toBe('succeeded');
    const pairs = (result.outputs.out as { values: Array<Array<{ source: { width: number } }>> }).values;
    expect(pairs).toHaveLength(2);
    expect(pairs.map((p) => p.length)).toEqual([3, 3]);
    const skipped = ofType(events, 'node-item-skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.message).toMatch(/clip-1\.mp4.*differ in size/);
  });
});

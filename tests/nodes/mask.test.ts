import { join } from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { maskThresholdNode } from '../../nodes/image/mask-threshold.js';
import { maskInvertNode } from '../../nodes/image/mask-invert.js';
import { maskOverlayNode } from '../../nodes/image/mask-overlay.js';
import { fitMask } from '../../media/image/index.js';
import { eventsOf, graphOf, link, pixel, previewSize, recordingContext, rectMask, runDoc, runNode, solid, tempDir, writeFixture } from '../fixtures/images/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => (tmp = await tempDir('mask')));
afterEach(() => tmp.cleanup());

const run = async (def: Parameters<typeof runNode>[0], inputs: Record<string, unknown>) => {
  const rec = recordingContext(join(tmp.dir, 'out'));
  const outputs = await runNode(def, inputs, rec.ctx);
  return { ...rec, outputs };
};

/** A 1-row grey ramp 0..255 as RGB. */
const ramp = (): RawImage => {
  const data = new Uint8Array(256 * 3);
  for (let x = 0; x < 256; x++) data.set([x, x, x], x * 3);
  return { width: 256, height: 1, channels: 3, data };
};

describe('mask/threshold', () => {
  test('gives a binary 1-channel mask: 255 strictly above the threshold, else 0', async () => {
    const { outputs } = await run(maskThresholdNode, { image: ramp(), threshold: 0.5 });
    const mask = outputs.mask as RawImage;
    expect([mask.width, mask.height, mask.channels]).toEqual([256, 1, 1]);
    expect(new Set(mask.data)).toEqual(new Set([0, 255]));
    expect(mask.data[127]).toBe(0);
    expect(mask.data[128]).toBe(255);
    expect(mask.data.filter((v) => v === 255).length).toBe(128);
  });

  test('threshold 0 keeps everything but black, 1 keeps nothing', async () => {
    const low = (await run(maskThresholdNode, { image: ramp(), threshold: 0 })).outputs.mask as RawImage;
    expect(low.data.filter((v) => v === 255).length).toBe(255);
    const high = (await run(maskThresholdNode, { image: ramp(), threshold: 1 })).outputs.mask as RawImage;
    expect(high.data.every((v) => v === 0)).toBe(true);
  });

  test('compares the chosen channel, and takes masks and alpha', async () => {
    const reddish = solid(2, 1, [200, 10, 10]);
    expect([...((await run(maskThresholdNode, { image: reddish, channel: 'red' })).outputs.mask as RawImage).data]).toEqual([255, 255]);
    expect([...((await run(maskThresholdNode, { image: reddish, channel: 'luminance' })).outputs.mask as RawImage).data]).toEqual([0, 0]);
    const soft = rectMask(4, 1, 0, 0, 2, 1, 180);
    expect([...((await run(maskThresholdNode, { image: soft, threshold: 0.6 })).outputs.mask as RawImage).data]).toEqual([255, 255, 0, 0]);
    const half: RawImage = { width: 2, height: 1, channels: 4, data: Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0]) };
    expect([...((await run(maskThresholdNode, { image: half, channel: 'alpha' })).outputs.mask as RawImage).data]).toEqual([255, 0]);
  });
});

describe('mask/invert', () => {
  test('turns v into 255 - v', async () => {
    const mask: RawImage = { width: 4, height: 1, channels: 1, data: Uint8Array.from([0, 255, 100, 1]) };
    const { outputs } = await run(maskInvertNode, { mask });
    expect([...(outputs.mask as RawImage).data]).toEqual([255, 0, 155, 254]);
    expect(mask.data[0]).toBe(0); // the input is left alone
  });
});

describe('mask/overlay', () => {
  test('blends the colour into masked pixels only and sends a preview', async () => {
    const image = solid(8, 8, [0, 100, 200]);
    const { outputs, previews } = await run(maskOverlayNode, { image, mask: rectMask(8, 8, 2, 2, 6, 6), color: '#ff0000', opacity: 0.25 });
    const out = outputs.image as RawImage;
    expect([out.width, out.height, out.channels]).toEqual([8, 8, 3]);
    // 0.75 x (0, 100, 200) + 0.25 x (255, 0, 0)
    expect(pixel(out, 3, 3)).toEqual([64, 75, 150]);
    expect(pixel(out, 0, 0)).toEqual([0, 100, 200]);
    expect(pixel(out, 6, 6)).toEqual([0, 100, 200]);
    expect(previews).toHaveLength(1);
    expect(await previewSize(previews[0]!)).toEqual({ width: 8, height: 8, format: 'png' });
  });

  test('a soft mask blends in proportion and an RGBA image keeps its alpha', async () => {
    const image = solid(2, 1, [0, 0, 0, 90]);
    const mask: RawImage = { width: 2, height: 1, channels: 1, data: Uint8Array.from([255, 51]) };
    const out = (await run(maskOverlayNode, { image, mask, color: 'white', opacity: 1 })).outputs.image as RawImage;
    expect(pixel(out, 0, 0)).toEqual([255, 255, 255, 90]);
    expect(pixel(out, 1, 0)).toEqual([51, 51, 51, 90]);
  });

  test('a mask of another size is resized (nearest) to cover the same relative region', async () => {
    // A 4x4 mask with its left half on, over a 16x8 image: the left 8 columns get the colour.
    const out = (await run(maskOverlayNode, { image: solid(16, 8, [0, 0, 0]), mask: rectMask(4, 4, 0, 0, 2, 4), color: '#00ff00', opacity: 1 }))
      .outputs.image as RawImage;
    expect([out.width, out.height]).toEqual([16, 8]);
    expect(pixel(out, 7, 7)).toEqual([0, 255, 0]);
    expect(pixel(out, 8, 0)).toEqual([0, 0, 0]);
    const fitted = fitMask(rectMask(3, 3, 1, 1, 2, 2), 9, 9);
    expect(new Set(fitted.data)).toEqual(new Set([0, 255]));
    expect(fitted.data.filter((v) => v === 255).length).toBe(9);
  });

  test('a bad colour or opacity is an error that says what is allowed', async () => {
    await expect(run(maskOverlayNode, { image: solid(2, 2, [0, 0, 0]), mask: rectMask(2, 2, 0, 0, 1, 1), color: '#12' })).rejects.toThrow(
      /"#12" is not a colour: use #rrggbb/,
    );
    await expect(run(maskOverlayNode, { image: solid(2, 2, [0, 0, 0]), mask: rectMask(2, 2, 0, 0, 1, 1), opacity: 2 })).rejects.toThrow(
      /opacity must be between 0 and 1/,
    );
  });

  test('in a graph: load -> threshold -> invert -> overlay, with a preview event', async () => {
    const imagePath = await writeFixture(tmp.dir, 'img.png', solid(10, 10, [40, 40, 40]));
    const maskPath = await writeFixture(tmp.dir, 'mask.png', rectMask(10, 10, 0, 0, 5, 10, 230));
    const { result, events } = await runDoc(
      graphOf({
        img: { type: 'image/load', inputs: { path: imagePath } },
        m: { type: 'image/load', inputs: { path: maskPath } },
        th: { type: 'mask/threshold', inputs: { image: link('m', 'image'), threshold: 0.5 } },
        inv: { type: 'mask/invert', inputs: { mask: link('th', 'mask') } },
        ov: { type: 'mask/overlay', inputs: { image: link('img', 'image'), mask: link('inv', 'mask'), color: '0,0,255', opacity: 0.5 } },
        show: { type: 'core/collect', inputs: { items: link('ov', 'image') } },
      }),
      tmp.dir,
    );
    expect(result.status).toBe('succeeded');
    const out = (result.outputs.show as { items: RawImage[] }).items[0]!;
    expect(pixel(out, 2, 5)).toEqual([40, 40, 40]); // inside the mask file's white half: inverted away
    expect(pixel(out, 7, 5)).toEqual([20, 20, 148]);
    expect(eventsOf(events, 'node-preview', 'ov')).toHaveLength(1);
  });
});

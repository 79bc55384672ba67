/**
 * SAM2 and SAM end to end on the project's tiny models: box prompts in frame pixels -> masks at the frame's
 * size, through transformers.js' processors (resize, box rescaling) and post_process_masks (upscale, crop,
 * resize back).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { boxCorners, frameOnDevice, loadModel, onDevice, releaseModels, segmentBoxes, unionMasks } from '../../ml/models/index.js';
import { deviceBusy, deviceConcurrency, setDeviceConcurrency } from '../../ml/runtime/index.js';
import { writeTinyGroundingDino, writeTinySam } from '../../ml/models/tiny/index.js';
import { groundedSegmentNode } from '../../nodes/vision/grounded-segment.js';
import { segmentNode } from '../../nodes/vision/segment.js';
import { previewSize, recordingContext, runNode } from '../fixtures/images/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-segment-'));
  await writeTinySam(path.join(dir, 'sam2'), { family: 'sam2' });
  await writeTinySam(path.join(dir, 'sam'), { family: 'sam' });
  await writeTinyGroundingDino(path.join(dir, 'gdino'));
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

const frame = (width: number, height: number): RawImage => ({ width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(120) });

/** The bounding box of a mask's set pixels and their count. */
function extent(m: RawImage): { box: number[]; area: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1, area = 0;
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) {
    area++;
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1);
  }
  return { box: [x0, y0, x1, y1], area };
}

test.each(['sam2', 'sam'])('%s: each box gives a frame-sized mask covering that box', async (family) => {
  const { masks, scores, union } = await segmentBoxes(frame(96, 64), [[12, 8, 36, 32], [60, 40, 84, 56]], { model: path.join(dir, family) });
  expect(masks).toHaveLength(2);
  for (const m of masks) expect([m.width, m.height, m.channels]).toEqual([96, 64, 1]);
  expect(extent(masks[0]!).box).toEqual([12, 8, 36, 32]);
  expect(extent(masks[1]!).box).toEqual([60, 40, 84, 56]);
  // Bilinear upscaling rounds the corners off a little: nearly all of the 24x24 box, nothing outside it.
  expect(extent(masks[0]!).area).toBeGreaterThan(0.95 * 24 * 24);
  expect(new Set(masks[0]!.data)).toEqual(new Set([0, 255]));
  expect(scores).toEqual([expect.closeTo(0.9, 5), expect.closeTo(0.9, 5)]); // the best of the three outputs
  expect(extent(union).area).toBe(extent(masks[0]!).area + extent(masks[1]!).area);
});

test('masks follow the frame through a non-square resize and the padding crop (SAM pads to a square)', async () => {
  // 160x48: SAM resizes the longest side to 64 (64x19, padded to 64x64); SAM2 squashes to 64x64.
  for (const family of ['sam', 'sam2']) {
    const { masks } = await segmentBoxes(frame(160, 48), [[100, 10, 150, 40]], { model: path.join(dir, family) });
    const { box } = extent(masks[0]!);
    expect([masks[0]!.width, masks[0]!.height]).toEqual([160, 48]);
    box.forEach((v, i) => expect(Math.abs(v - [100, 10, 150, 40][i]!)).toBeLessThanOrEqual(3));
  }
});

test('bad boxes are refused by index before any model runs', () => {
  expect(() => boxCorners([[0, 0, 10]], 20, 20)).toThrow(/box 0: expected \[x0, y0, x1, y1\]/);
  expect(() => boxCorners([[0, 0, 10, 10], [30, 30, 40, 40]], 20, 20)).toThrow(/box 1: \[30, 30, 40, 40\] is empty inside the 20x20 frame/);
  expect(boxCorners([[-5, 2, 30, 9]], 20, 20)).toEqual([[0, 2, 20, 9]]);
  expect(unionMasks([], 3, 2).data).toEqual(new Uint8Array(6));
});

test('vision/segment: the union mask, per-box info and a preview', async () => {
  const { ctx, previews } = recordingContext(dir);
  const image = frame(96, 64);
  const out = (await runNode(segmentNode, { image, boxes: [[12, 8, 36, 32]], model: path.join(dir, 'sam2') }, ctx)) as { mask: RawImage; masks: { area: number }[]; preview: RawImage };
  expect([out.mask.width, out.mask.height, out.mask.channels]).toEqual([96, 64, 1]);
  expect(out.masks[0]!.area).toBe(extent(out.mask).area);
  // The preview: the box outlined (the first phrase's red), masked pixels tinted, the rest of the frame as it was.
  const px = (x: number, y: number) => [...out.preview.data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3)];
  expect(px(12, 20)).toEqual([255, 64, 64]);
  const inside = out.mask.data.findIndex((v, i) => v > 0 && i % 96 > 14 && i % 96 < 34 && i / 96 > 10 && i / 96 < 30);
  expect(inside).toBeGreaterThan(0);
  expect(px(inside % 96, Math.floor(inside / 96))).not.toEqual([120, 120, 120]);
  const outside = out.mask.data.findIndex((v, i) => !v && i % 96 > 40);
  expect(px(outside % 96, Math.floor(outside / 96))).toEqual([120, 120, 120]);
  expect(image.data.every((v) => v === 120)).toBe(true);
  expect(previews).toHaveLength(1);
  expect(await previewSize(previews[0]!)).toMatchObject({ width: 96, height: 64, format: 'png' });
  await expect(runNode(segmentNode, { image: frame(96, 64), boxes: { x: 1 }, model: path.join(dir, 'sam2') }, ctx)).rejects.toThrow(/input "boxes": expected an array/);
});

test('vision/grounded-segment: phrases -> boxes -> a mask over the found object; nothing found -> empty mask', async () => {
  const image = frame(96, 64);
  for (let y = 8; y < 32; y++) for (let x = 12; x < 36; x++) image.data.set([220, 30, 30], (y * 96 + x) * 3);
  const { ctx } = recordingContext(dir);
  const inputs = { image, detector: path.join(dir, 'gdino'), segmenter: path.join(dir, 'sam2') };
  const found = (await runNode(groundedSegmentNode, { ...inputs, phrases: 'red square' }, ctx)) as { boxes: { box: number[] }[]; mask: RawImage };
  expect(found.boxes.map((b) => b.box)).toEqual([[12, 8, 36, 32]]);
  expect(extent(found.mask).box).toEqual([12, 8, 36, 32]);
  const none = (await runNode(groundedSegmentNode, { ...inputs, phrases: 'blue square' }, ctx)) as { boxes: unknown[]; mask: RawImage };
  expect(none.boxes).toEqual([]);
  expect(extent(none.mask).area).toBe(0);
});

test('vision/grounded-segment on cpu: a frame where nothing is found does no segmenter pre-processing', async () => {
  const image = frame(96, 64);
  for (let y = 8; y < 32; y++) for (let x = 12; x < 36; x++) image.data.set([220, 30, 30], (y * 96 + x) * 3);
  const { ctx } = recordingContext(dir);
  const inputs = { image, detector: path.join(dir, 'gdino'), segmenter: path.join(dir, 'sam2'), device: 'cpu' };
  // Count the segmenter's image pre-processing: each image's resize asks the processor for its output size.
  const { processor } = await loadModel(path.join(dir, 'sam2'), { task: 'segment', device: 'cpu' });
  const ip = processor.image_processor;
  const own = ip.get_resize_output_image_size;
  const ownProperty = Object.hasOwn(ip, 'get_resize_output_image_size');
  let images = 0;
  ip.get_resize_output_image_size = function (this: unknown, ...args: unknown[]) {
    images++;
    return own.apply(this, args);
  };
  try {
    const none = (await runNode(groundedSegmentNode, { ...inputs, phrases: 'blue square' }, ctx)) as { boxes: unknown[] };
    expect(none.boxes).toEqual([]);
    expect(images).toBe(0);
    const found = (await runNode(groundedSegmentNode, { ...inputs, phrases: 'red square' }, ctx)) as { boxes: unknown[]; mask: RawImage };
    expect(found.boxes).toHaveLength(1);
    expect(images).toBe(1);
    expect(extent(found.mask).box).toEqual([12, 8, 36, 32]);
  } finally {
    if (ownProperty) ip.get_resize_output_image_size = own;
    else delete ip.get_resize_output_image_size;
  }
});

test('frameOnDevice: on cpu a frame\'s whole model work holds the CPU lock (runs inside it do not wait); on an accelerator it takes no lock', async () => {
  const limit = deviceConcurrency('cpu');
  setDeviceConcurrency('cpu', 1);
  try {
    const order: string[] = [];
    const frame = (name: string) =>
      frameOnDevice('cpu', async () => {
        order.push(`${name} starts`);
        await onDevice('cpu', () => new Promise((resolve) => setTimeout(resolve, 20))); // the model run, re-entrant
        order.push(`${name} ends`);
      });
    await Promise.all([frame('first'), frame('second')]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts', 'second ends']);
    // On an accelerator only the runs lock it (onDevice), so a frame's own work overlaps another's run.
    expect(await frameOnDevice('cuda', async () => deviceBusy('cuda'))).toBe(0);
  } finally {
    setDeviceConcurrency('cpu', limit);
  }
});

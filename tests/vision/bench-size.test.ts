/**
 * The bench-size options of the tiny-model generators (used by bench/vision.ts): extra compute that enters
 * the outputs times zero, at other input sizes, keeps the real I/O names and the tiny models' answers.
 * Scaled down here (small widths) so the test stays fast; the bench uses BENCH_SIZE_* as exported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { detectPhrases, loadModel, releaseModels, segmentBoxes } from '../../ml/models/index.js';
import { BENCH_SIZE_SAM, TINY_COLORS, writeTinyGroundingDino, writeTinySam } from '../../ml/models/tiny/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-bench-size-'));
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

/** A grey 96x80 frame with a red 24x20 rectangle at (36, 40): three by two cells of the tiny detector's 8x8 grid. */
function frame(): RawImage {
  const width = 96, height = 80;
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let y = 40; y < 60; y++) for (let x = 36; x < 60; x++) data.set(TINY_COLORS.red!, (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

test('a GroundingDINO with a conv backbone at a larger input finds the same box as the tiny one', async () => {
  await writeTinyGroundingDino(path.join(dir, 'gd-tiny'));
  await writeTinyGroundingDino(path.join(dir, 'gd-big'), { size: 160, shortestEdge: 128, backbone: [{ channels: 8, stride: 4, depth: 1 }, { channels: 16, stride: 2, depth: 1 }] });
  const tiny = await detectPhrases(frame(), ['red square'], { model: path.join(dir, 'gd-tiny') });
  const big = await detectPhrases(frame(), ['red square'], { model: path.join(dir, 'gd-big') });
  expect(tiny.length).toBe(1);
  expect(big.map((b) => b.phrase)).toEqual(['red square']);
  expect(big[0]!.box.map(Math.round)).toEqual(tiny[0]!.box.map(Math.round));
  const { model } = await loadModel(path.join(dir, 'gd-big'), { task: 'ground' });
  expect(model.sessions.model!.inputMetadata!.find((m) => m.name === 'pixel_values')?.shape).toEqual(['batch_size', 3, 'height', 'width']);
});

test('a SAM2 with a realistic encoder at another input size keeps the I/O names and masks each box', async () => {
  const folder = path.join(dir, 'sam2-big');
  await writeTinySam(folder, { family: 'sam2', inputSize: 128, encoder: { channels: [4, 8, 16], depth: [1, 1, 1], decoderWidth: 8, decoderLayers: 1 } });
  await writeTinySam(path.join(dir, 'sam2-tiny'), { family: 'sam2' });
  const big = await loadModel(folder, { task: 'segment' });
  const tiny = await loadModel(path.join(dir, 'sam2-tiny'), { task: 'segment' });
  for (const name of ['model', 'prompt_encoder_mask_decoder']) {
    expect(big.model.sessions[name]!.inputNames).toEqual(tiny.model.sessions[name]!.inputNames);
    expect(big.model.sessions[name]!.outputNames).toEqual(tiny.model.sessions[name]!.outputNames);
  }
  expect(big.model.sessions.model!.inputMetadata![0]!.shape).toEqual(['batch_size', 3, 128, 128]);
  const { masks } = await segmentBoxes(frame(), [[36, 40, 60, 60]], { model: folder });
  expect([masks[0]!.width, masks[0]!.height]).toEqual([96, 80]);
  const inside = (x: number, y: number) => masks[0]!.data[y * 96 + x];
  expect([inside(48, 48), inside(10, 10), inside(80, 70)]).toEqual([255, 0, 0]);
  expect(BENCH_SIZE_SAM.inputSize).toBe(1024);
});

/**
 * GroundingDINO end to end on the project's tiny model: transformers.js loads the folder, its processor
 * resizes, normalises and tokenizes, the ONNX model runs, and the boxes come back in frame pixels.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { detectPhrases, groundingText, loadModel, releaseModels } from '../../ml/models/index.js';
import { writeTinyGroundingDino } from '../../ml/models/tiny/index.js';
import { groundNode } from '../../nodes/vision/ground.js';
import { previewSize, recordingContext, runNode } from '../fixtures/images/helpers.js';

let dir: string;
let model: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-ground-'));
  model = path.join(dir, 'tiny-gdino');
  await writeTinyGroundingDino(model);
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

/** A grey 96x64 frame with a red square at [12, 8, 36, 32] and a blue one at [60, 40, 84, 56]. */
function scene(): RawImage {
  const width = 96, height = 64;
  const data = new Uint8Array(width * height * 3).fill(120);
  const paint = (x0: number, y0: number, x1: number, y1: number, rgb: number[]) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.set(rgb, (y * width + x) * 3);
  };
  paint(12, 8, 36, 32, [220, 30, 30]);
  paint(60, 40, 84, 56, [30, 70, 220]);
  return { width, height, channels: 3, data };
}

test('finds each phrase at its pixel box, labelled with the phrase', async () => {
  const boxes = await detectPhrases(scene(), 'red square\nblue square', { model });
  expect(boxes.map((b) => b.phrase).sort()).toEqual(['blue square', 'red square']);
  expect(boxes.find((b) => b.phrase === 'red square')!.box).toEqual([12, 8, 36, 32]);
  expect(boxes.find((b) => b.phrase === 'blue square')!.box).toEqual([60, 40, 84, 56]);
  for (const b of boxes) expect(b.score).toBeGreaterThan(0.9);
});

test('a phrase that is not in the image yields no box; a box threshold of 1 yields none at all', async () => {
  expect(await detectPhrases(scene(), 'green square', { model })).toEqual([]);
  expect(await detectPhrases(scene(), 'red square', { model, boxThreshold: 1 })).toEqual([]);
  expect(await detectPhrases(scene(), '  \n ', { model })).toEqual([]);
});

test('boxes are in the pixels of the frame given, whatever the model resized it to', async () => {
  // The same scene at twice the size: the processor resizes it to 64 px, the boxes scale back.
  const small = scene();
  const big: RawImage = { width: 192, height: 128, channels: 3, data: new Uint8Array(192 * 128 * 3) };
  for (let y = 0; y < 128; y++) for (let x = 0; x < 192; x++) big.data.set(small.data.subarray(((y >> 1) * 96 + (x >> 1)) * 3, ((y >> 1) * 96 + (x >> 1)) * 3 + 3), (y * 192 + x) * 3);
  const [red] = await detectPhrases(big, 'red square', { model });
  expect(red!.box).toEqual([24, 16, 72, 64]);
});

test("phrase token positions match the model tokenizer's text", async () => {
  const { processor } = await loadModel(model, { task: 'ground' });
  const { text, spans } = groundingText(processor.tokenizer, ['red square', 'person']);
  expect(text).toBe('red square. person.');
  const ids: number[] = processor.tokenizer.encode(text);
  const tokens = ids.map((id) => processor.tokenizer.decode([id]));
  expect(spans.map((s) => s.map((i) => tokens[i]).join(' '))).toEqual(['red square', 'person']);
});

test('the decoding agrees with transformers.js\' own GroundingDINO post-processing', async () => {
  const { model: m, processor } = await loadModel(model, { task: 'ground' });
  const { toHfImage } = await import('../../ml/models/image.js');
  const image = scene();
  const inputs = await processor(toHfImage(image), 'red square.');
  const out = await m(inputs);
  const [theirs] = processor.post_process_grounded_object_detection(out, inputs.input_ids, { box_threshold: 0.35, text_threshold: 0.25, target_sizes: [[image.height, image.width]] });
  const ours = await detectPhrases(image, 'red square', { model, iouThreshold: 1 });
  expect(ours.length).toBe(theirs.boxes.length);
  const key = (b: number[]) => b.map((v) => Math.round(v * 1000) / 1000).join(',');
  expect(new Set(ours.map((b) => key(b.box)))).toEqual(new Set(theirs.boxes.map(key)));
});

test('vision/ground returns the boxes and a preview with them drawn', async () => {
  const { ctx, previews } = recordingContext(dir);
  const out = (await runNode(groundNode, { image: scene(), phrases: 'red square, blue square', model }, ctx)) as { boxes: { phrase: string }[]; preview: RawImage };
  expect(out.boxes).toHaveLength(2);
  expect(out.preview.width).toBe(96);
  // The red outline's colour sits on the blue square's box edge (phrase 2 colour) and the red one's (phrase 1).
  const px = (x: number, y: number) => [...out.preview.data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3)];
  expect(px(12, 20)).not.toEqual([220, 30, 30]);
  expect(px(20, 20)).toEqual([220, 30, 30]);
  expect(await previewSize(previews[0]!)).toMatchObject({ width: 96, height: 64 });
});

/**
 * SAM's mask post-processing computed only where the frame needs it (ml/models/mask-upscale.ts) against
 * transformers.js' `post_process_masks` (ONNX Runtime's bilinear Resize twice, a crop, a threshold):
 * the logits bit for bit for the real SAM / SAM2 geometries (a frame smaller than the model input, a
 * non-square one with the padding cropped, a larger one, the input's own size), then the binary masks,
 * their union and areas, and segmentBoxes on the tiny models against the transformers.js path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RawImage as HfImage, SamImageProcessor, Tensor as HfTensor } from '@huggingface/transformers';
import { planClip } from '../../media/synth/index.js';
import { frameLogits, loadModel, maskKernel, promptInputs, releaseModels, resizeAxis, segmentBoxes, upscaleMasks, useWasmMasks, type MaskGeometry } from '../../ml/models/index.js';
import { writeTinySam } from '../../ml/models/tiny/index.js';

let seed = 11;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;

/** Smooth logits with sign changes everywhere (a sum of random waves), like a decoder's mask logits. */
function logits(h: number, w: number): Float32Array {
  const waves = Array.from({ length: 6 }, () => [random() * 0.2, random() * 0.2, random() * 6, random() * 3]);
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = waves.reduce((s, [a, b, c, d]) => s + d! * Math.sin(a! * x + b! * y + c!), 0);
  return out;
}

const GEOMETRIES: [string, MaskGeometry][] = [
  ['SAM2, 288x224 frame', { low: [256, 256], padded: [1024, 1024], reshaped: [1024, 1024], original: [224, 288] }],
  ['SAM, 288x224 frame (padding cropped)', { low: [256, 256], padded: [1024, 1024], reshaped: [796, 1024], original: [224, 288] }],
  ['SAM, 1920x1080 frame (upscaled)', { low: [256, 256], padded: [1024, 1024], reshaped: [576, 1024], original: [1080, 1920] }],
  ['SAM2, 1024x1024 frame', { low: [256, 256], padded: [1024, 1024], reshaped: [1024, 1024], original: [1024, 1024] }],
  ['tiny SAM, 160x48 frame', { low: [16, 16], padded: [64, 64], reshaped: [19, 64], original: [48, 160] }],
];

/** 'identical', or where two arrays first differ (cheap on millions of values, unlike toEqual). */
function sameAs(actual: ArrayLike<number>, expected: ArrayLike<number>): string {
  if (actual.length !== expected.length) return `lengths ${actual.length} and ${expected.length}`;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return `first difference at ${i}: ${actual[i]} vs ${expected[i]}`;
  return 'identical';
}

const processor = new SamImageProcessor({ size: { height: 1024, width: 1024 } }) as any;

/** transformers.js' post-processing of maps of one geometry: float logits (binarize false) or 0/1 masks. */
async function reference(maps: Float32Array[], g: MaskGeometry, binarize: boolean): Promise<{ dims: number[]; data: Float32Array | Uint8Array }> {
  const [lh, lw] = g.low;
  const stacked = new Float32Array(maps.length * lh * lw);
  maps.forEach((m, i) => stacked.set(m, i * lh * lw));
  const [out] = await processor.post_process_masks(new HfTensor('float32', stacked, [1, maps.length, 1, lh, lw]), [g.original], [g.reshaped], {
    binarize,
    mask_threshold: 0,
    pad_size: { height: g.padded[0], width: g.padded[1] },
  });
  return out;
}

test.each(GEOMETRIES)('%s: the logits of post_process_masks, bit for bit', async (_name, g) => {
  const map = logits(...g.low);
  const expected = (await reference([map], g, false)).data as Float32Array;
  const actual = frameLogits(map, g);
  expect(actual.length).toBe(expected.length);
  expect(sameAs(new Uint32Array(actual.buffer), new Uint32Array(expected.buffer))).toBe('identical'); // the bits, -0 and NaN included
});

test.each(GEOMETRIES.slice(0, 3))('%s: binary masks, union and areas as post_process_masks', async (_name, g) => {
  const maps = [logits(...g.low), logits(...g.low)];
  const expected = await reference(maps, g, true);
  const { masks, union, areas } = upscaleMasks(maps, g, 0);
  const n = g.original[0] * g.original[1];
  masks.forEach((m, i) => {
    expect([m.width, m.height, m.channels]).toEqual([g.original[1], g.original[0], 1]);
    expect(sameAs(m.data, expected.data.subarray(i * n, (i + 1) * n).map((v) => v * 255))).toBe('identical');
    expect(areas[i]).toBe(m.data.filter((v) => v > 0).length);
    expect(areas[i]).toBeGreaterThan(0.1 * n); // the waves cross zero: neither empty nor full
    expect(areas[i]).toBeLessThan(0.9 * n);
  });
  expect(sameAs(union.data, Uint8Array.from({ length: n }, (_, p) => (masks.some((m) => m.data[p]) ? 255 : 0)))).toBe('identical');
});

/** Logits with no spatial structure (an untrained decoder's): nearly every frame pixel sits on an edge. */
function noise(h: number, w: number): Float32Array {
  return Float32Array.from({ length: h * w }, () => random() * 4);
}

/** transformers.js' masks at each threshold as 0/255 bytes: per threshold, one array per map. */
async function referenceMasks(maps: Float32Array[], g: MaskGeometry, thresholds: number[]): Promise<Uint8Array[][]> {
  const values = (await reference(maps, g, false)).data as Float32Array;
  const n = g.original[0] * g.original[1];
  return thresholds.map((t) => maps.map((_, i) => Uint8Array.from(values.subarray(i * n, (i + 1) * n), (v) => (v > t ? 255 : 0))));
}

describe.each([
  ['WebAssembly', true],
  ['JavaScript', false],
])('binary masks with the %s kernel', (_kernel, wasm) => {
  beforeAll(() => useWasmMasks(wasm));
  afterAll(() => useWasmMasks(true));

  test('the kernel in use is the one asked for', () => {
    expect(maskKernel().kernel).toBe(wasm ? 'wasm-simd' : 'js');
  });

  test.each(GEOMETRIES.slice(1, 3).concat(GEOMETRIES.slice(4)))('%s: noise logits at thresholds 0, 0.7 and -1.5, as post_process_masks', async (_name, g) => {
    const maps = [noise(...g.low), logits(...g.low)];
    const thresholds = [0, 0.7, -1.5];
    const byThreshold = await referenceMasks(maps, g, thresholds);
    for (const [t, threshold] of thresholds.entries()) {
      const expected = byThreshold[t]!;
      const { masks, union, areas } = upscaleMasks(maps, g, threshold);
      masks.forEach((m, i) => {
        expect(sameAs(m.data, expected[i]!)).toBe('identical');
        expect(areas[i]).toBe(expected[i]!.filter((v) => v).length);
      });
      expect(sameAs(union.data, Uint8Array.from(expected[0]!, (_, p) => (expected.some((e) => e[p]) ? 255 : 0)))).toBe('identical');
    }
  });

  test('values at the threshold itself are decided by ORT arithmetic', async () => {
    // A map that is zero but for a few logits: many frame values are exactly 0 or within rounding of it.
    const g = GEOMETRIES[1]![1];
    const map = new Float32Array(g.low[0] * g.low[1]);
    for (let i = 0; i < map.length; i += 997) map[i] = (i % 3) - 1 + 1e-7 * (i % 5);
    const [[expected]] = await referenceMasks([map], g, [0]);
    const { masks, areas } = upscaleMasks([map], g, 0);
    expect(sameAs(masks[0]!.data, expected!)).toBe('identical');
    expect(areas[0]).toBeGreaterThan(0);
    // A constant map thresholded at its own value: each pixel's side is ORT's rounding, nothing else.
    const flat = new Float32Array(g.low[0] * g.low[1]).fill(0.3);
    for (let i = 0; i < flat.length; i += 7) flat[i] = Math.fround(0.3 + 1e-8 * (i % 3));
    const [[flatExpected]] = await referenceMasks([flat], g, [Math.fround(0.3)]);
    const flatMask = upscaleMasks([flat], g, Math.fround(0.3)).masks[0]!.data;
    expect(sameAs(flatMask, flatExpected!)).toBe('identical');
    expect(flatExpected!.some((v) => v) && flatExpected!.some((v) => !v)).toBe(true); // both sides occur
    // NaN logits are never in the mask, as `value > threshold` says.
    const nan = logits(...g.low);
    nan.fill(Number.NaN, 1000, 3000);
    const [[withNan]] = await referenceMasks([nan], g, [0]);
    expect(sameAs(upscaleMasks([nan], g, 0).masks[0]!.data, withNan!)).toBe('identical');
  });
});

test("ONNX Runtime's sampling positions: half-pixel centres, clamped at the edges", () => {
  const up = resizeAxis(256, 1024); // scale 4: output x reads (x + 0.5) / 4 - 0.5
  expect([up.i1[0], up.i2[0], up.d1[0], up.d2[0]]).toEqual([0, 1, 0, 1]); // -0.375 clamped to 0
  expect([up.i1[5], up.i2[5], up.d1[5], up.d2[5]]).toEqual([0, 1, 0.875, 0.125]);
  expect([up.i1[1023], up.i2[1023], up.d1[1023], up.d2[1023]]).toEqual([255, 255, 0.5, 0.5]);
  const same = resizeAxis(7, 7);
  expect(Array.from(same.i1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(() => upscaleMasks([new Float32Array(4)], { low: [2, 2], padded: [4, 4], reshaped: [5, 4], original: [3, 3] })).toThrow(/resized image \(5x4\) is larger than the padded input/);
  expect(() => upscaleMasks([new Float32Array(3)], { low: [2, 2], padded: [4, 4], reshaped: [4, 4], original: [3, 3] })).toThrow(/3 values, expected 2x2/);
});

describe('segmentBoxes on the tiny models against the transformers.js post-processing', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-mask-up-'));
    await writeTinySam(path.join(dir, 'sam2'), { family: 'sam2' });
    await writeTinySam(path.join(dir, 'sam'), { family: 'sam' });
  });
  afterAll(async () => {
    await releaseModels();
    await rm(dir, { recursive: true, force: true });
  });

  test.each(['sam2', 'sam'])('%s', async (family) => {
    const frame = planClip({ seed: 2, width: 160, height: 96, events: 1 }).images[0]!;
    const boxes: [number, number, number, number][] = [[12, 8, 60, 50], [90, 30, 150, 90]];
    const { masks, scores } = await segmentBoxes(frame, boxes, { model: path.join(dir, family) });
    // The same model call, post-processed by transformers.js: each box's best output, upscaled by the processor.
    const { model, processor: p } = await loadModel(path.join(dir, family), { task: 'segment' });
    // As segmentBoxes prompts: boxes, or (a decoder without a box input) each box as corners labelled 2 and 3.
    const image = new HfImage(frame.data, frame.width, frame.height, 3);
    const inputs = model.sessions.prompt_encoder_mask_decoder!.inputNames.includes('input_boxes')
      ? await promptInputs(p, image, { input_boxes: [boxes] })
      : await promptInputs(p, image, { input_points: boxes.map(([x0, y0, x1, y1]) => [[x0, y0], [x1, y1]]), input_labels: boxes.map(() => [2, 3]) });
    if (family === 'sam' && !inputs.input_points) inputs.input_labels = inputs.input_boxes;
    const out = await model(inputs);
    const [, n, k, lh, lw] = out.pred_masks.dims as number[];
    const best = Array.from({ length: n! }, (_, b) => [0, 1, 2].slice(0, k).reduce((m, j) => (out.iou_scores.data[b * k! + j] > out.iou_scores.data[b * k! + m] ? j : m), 0));
    const chosen = new Float32Array(n! * lh! * lw!);
    best.forEach((j, b) => chosen.set(out.pred_masks.data.subarray((b * k! + j) * lh! * lw!, (b * k! + j + 1) * lh! * lw!), b * lh! * lw!));
    const [expected] = await p.post_process_masks(new HfTensor('float32', chosen, [1, n!, 1, lh!, lw!]), inputs.original_sizes, inputs.reshaped_input_sizes);
    const size = frame.width * frame.height;
    masks.forEach((m, b) => expect(sameAs(m.data, expected.data.subarray(b * size, (b + 1) * size).map((v: number) => v * 255))).toBe('identical'));
    expect(masks.map((m) => m.data.filter((v) => v).length).every((a) => a > 100)).toBe(true);
    expect(scores).toEqual(best.map((j, b) => out.iou_scores.data[b * k! + j]));
  });
});

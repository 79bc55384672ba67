/**
 * The fast image pre-processing path (ml/models/preprocess.ts) against transformers.js' own
 * `ImageProcessor.preprocess`, bit for bit: the real GroundingDINO, SAM, SAM2 and Idefics3 (SmolVLM)
 * configurations and variants (every resampling filter it takes, padding, channel flip, scalar statistics,
 * no resize), on RGB, grey, RGBA and odd-sized images; then whole processor calls (tokens, masks, boxes,
 * Idefics3's tiling) with the fast path against fresh, untouched processors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AutoProcessor,
  GroundingDinoImageProcessor,
  Idefics3ImageProcessor,
  ImageProcessor,
  RawImage as HfImage,
  Sam2ImageProcessor,
  SamImageProcessor,
} from '@huggingface/transformers';
import { planClip } from '../../media/synth/index.js';
import {
  fastPathProblem,
  fastPreprocess,
  fillPlanes,
  fillRows,
  groundingInputs,
  imageInputs,
  installFastPreprocess,
  installIdefics3Tiles,
  loadModel,
  promptInputs,
  releaseModels,
  ortResizeKernel,
  releasePixels,
  resizeKernel,
  resizePlanes,
  useWasmOrtResize,
  useWasmResize,
  wasmResizeInto,
} from '../../ml/models/index.js';
import { resizeJob } from '../../ml/models/ort-resize-wasm.js';
import { writeTinyGroundingDino, writeTinySam, writeTinySmolVlm } from '../../ml/models/tiny/index.js';

const IMAGENET = { image_mean: [0.485, 0.456, 0.406], image_std: [0.229, 0.224, 0.225] };
const COMMON = { do_normalize: true, do_rescale: true, do_resize: true, rescale_factor: 1 / 255, resample: 2, ...IMAGENET };

/** The real models' preprocessor configs (onnx-community exports) and variants the fast path covers. */
const CONFIGS: [string, new (config: any) => ImageProcessor, Record<string, unknown>][] = [
  ['GroundingDINO (shortest 800, longest 1333)', GroundingDinoImageProcessor, { ...COMMON, do_pad: true, size: { shortest_edge: 800, longest_edge: 1333 } }],
  ['SAM2 (1024x1024)', Sam2ImageProcessor, { ...COMMON, do_convert_rgb: true, size: { height: 1024, width: 1024 } }],
  ['SAM (longest 1024, padded to 1024x1024)', SamImageProcessor, { ...COMMON, do_pad: true, pad_size: { height: 1024, width: 1024 }, size: { longest_edge: 1024 } }],
  ['Idefics3 / SmolVLM (lanczos, longest 1024)', Idefics3ImageProcessor, { ...COMMON, resample: 1, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], do_pad: true, size: { longest_edge: 1024 }, max_image_size: { longest_edge: 512 } }],
  ['bicubic, padded to a multiple of 32', ImageProcessor, { ...COMMON, resample: 3, do_pad: true, size_divisibility: 32, size: { shortest_edge: 100, longest_edge: 150 } }],
  ['nearest, flipped to BGR', ImageProcessor, { ...COMMON, resample: 0, do_flip_channel_order: true, size: { height: 70, width: 90 } }],
  ['no rescale, scalar mean and std', ImageProcessor, { ...COMMON, do_rescale: false, image_mean: 127.5, image_std: 64, size: { height: 40, width: 40 } }],
  ['no resize, no normalisation', ImageProcessor, { do_resize: false, do_normalize: false, do_rescale: true }],
];

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** Test images: a synthetic clip frame, noise at odd sizes, grey and RGBA. */
function images(): [string, () => HfImage][] {
  const frame = planClip({ seed: 0, width: 288, height: 224, events: 1 }).images[0]!;
  const noise = (w: number, h: number, c: number) => Uint8ClampedArray.from({ length: w * h * c }, () => Math.floor(random() * 256));
  const odd = noise(53, 37, 3), grey = noise(61, 29, 1), rgba = noise(30, 44, 4);
  return [
    ['288x224 clip frame', () => new HfImage(frame.data, frame.width, frame.height, 3)],
    ['53x37 noise', () => new HfImage(odd.slice(), 53, 37, 3)],
    ['61x29 grey', () => new HfImage(grey.slice(), 61, 29, 1)],
    ['30x44 RGBA', () => new HfImage(rgba.slice(), 30, 44, 4)],
  ];
}

/** Bitwise equality of two float arrays (NaN and -0 included), with the first difference named. */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const at = a.findIndex((v, i) => v !== b[i]);
  expect(at === -1 ? 'identical' : `first difference at ${at}: ${actual[at]} vs ${expected[at]}`).toBe('identical');
}

describe.each(CONFIGS)('%s', (_name, Processor, config) => {
  // The real models' sizes are slow for transformers.js' reference: two images each (RGB and RGBA).
  const real = (config.size as { longest_edge?: number; height?: number } | undefined)?.longest_edge ?? (config.size as { height?: number } | undefined)?.height ?? 0;
  const cases = real >= 1000 ? images().filter(([name]) => /clip|RGBA/.test(name)) : images();
  test.each(cases)('%s: the same pixel_values as transformers.js, bit for bit', async (_image, make) => {
    const processor = new Processor(config) as any;
    expect(fastPathProblem(processor)).toBeUndefined();
    const expected = await processor.preprocess(make());
    const actual = (await fastPreprocess(processor, make()))!;
    expect(actual.pixel_values.dims).toEqual(expected.pixel_values.dims);
    expect(actual.original_size).toEqual(expected.original_size);
    expect(actual.reshaped_input_size).toEqual(expected.reshaped_input_size);
    expectSameBits(actual.pixel_values.data as Float32Array, expected.pixel_values.data as Float32Array);
  });
});

test('the WebAssembly SIMD resize kernel is built and in use', () => {
  expect(resizeKernel()).toEqual({ kernel: 'wasm-simd' });
});

test('the WebAssembly and JavaScript resize kernels give the same bits, padding included, over up- and down-scales, odd sizes and BGR', () => {
  const table = Float32Array.from({ length: 768 }, (_, i) => Math.fround((i % 256) / 255 - 0.1 * Math.floor(i / 256)));
  // The first size again at the end: a layout used before, after others wrote over its output region.
  const sizes: [number, number, number, number][] = [[288, 224, 1028, 800], [288, 224, 1024, 796], [53, 37, 1333, 931], [640, 480, 97, 61], [31, 17, 30, 19], [7, 5, 300, 2], [1, 1, 9, 9], [5, 3, 6, 4], [288, 224, 1028, 800]];
  for (const [w, h, tw, th] of sizes) {
    for (const order of [[0, 1, 2], [2, 1, 0]] as const) {
      const rgb = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(random() * 256));
      const job = { rgb, width: w, height: h, resize: true, toWidth: tw, toHeight: th, paddedWidth: tw + 5, paddedHeight: th + 3, table, order };
      const js = new Float32Array(3 * job.paddedWidth * job.paddedHeight).fill(Number.NaN);
      fillRows(job, js, 0, job.paddedHeight);
      const wasm = new Float32Array(js.length).fill(Number.NaN);
      expect(wasmResizeInto(job, wasm)).toBe(true); // the padding written too: zero, where NaN was
      expect(`${w}x${h} -> ${tw}x${th} [${order}]: ${js.findIndex((v, i) => !Object.is(v, wasm[i]))}`).toBe(`${w}x${h} -> ${tw}x${th} [${order}]: -1`);
    }
  }
});

test.each(['wasm-simd', 'js'] as const)('%s kernel: the same pixel_values as transformers.js for the real models\' configurations', async (kernel) => {
  useWasmResize(kernel === 'wasm-simd');
  try {
    expect(resizeKernel().kernel).toBe(kernel);
    for (const [, Processor, config] of CONFIGS.slice(0, 3)) {
      const processor = new Processor(config) as any;
      for (const [, make] of images().filter(([name]) => /clip|RGBA/.test(name))) {
        const expected = await processor.preprocess(make());
        const actual = (await fastPreprocess(processor, make()))!;
        expect(actual.pixel_values.dims).toEqual(expected.pixel_values.dims);
        expectSameBits(actual.pixel_values.data as Float32Array, expected.pixel_values.data as Float32Array);
      }
    }
  } finally {
    useWasmResize(true);
  }
});

test.each(['wasm-simd', 'js'] as const)("%s kernel: a reused buffer holding another frame's garbage gives the same bits, padding included", async (kernel) => {
  useWasmResize(kernel === 'wasm-simd');
  try {
    // SAM pads a 288x224 frame (resized to 1024x796) to 1024x1024: 228 rows of padding that must come out zero.
    const [, Processor, config] = CONFIGS[2]!;
    const processor = new Processor(config) as any;
    const [, make] = images().find(([name]) => /clip/.test(name))!;
    const expected = await processor.preprocess(make());
    const first = (await fastPreprocess(processor, make()))!.pixel_values.data as Float32Array;
    first.fill(Number.NaN);
    releasePixels(first);
    const again = (await fastPreprocess(processor, make()))!.pixel_values.data as Float32Array;
    // The released memory was reused (the same pooled array, or the same region of the kernel's memory).
    expect([again.buffer === first.buffer, again.byteOffset]).toEqual([true, first.byteOffset]);
    expectSameBits(again, expected.pixel_values.data as Float32Array);
  } finally {
    useWasmResize(true);
  }
});

test('WebAssembly planes are views of the kernel\'s memory: frames in flight get their own, a released one is reused', () => {
  const table = Float32Array.from({ length: 768 }, (_, i) => (i % 256) / 255);
  const job = (seed: number) => ({
    rgb: Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * seed) & 255), width: 40, height: 30, resize: true,
    toWidth: 64, toHeight: 48, paddedWidth: 64, paddedHeight: 64, table, order: [0, 1, 2] as const,
  });
  const reference = (seed: number) => {
    const out = new Float32Array(3 * 64 * 64).fill(Number.NaN);
    fillRows(job(seed), out, 0, 64); // the JavaScript kernel
    return out;
  };
  const a = fillPlanes(job(3), true);
  const b = fillPlanes(job(5), true);
  expect(a.buffer).toBe(b.buffer); // both in the kernel's memory...
  expect(Math.abs(a.byteOffset - b.byteOffset)).toBeGreaterThanOrEqual(a.byteLength); // ...apart
  expectSameBits(a, reference(3));
  expectSameBits(b, reference(5));
  releasePixels(a);
  const c = fillPlanes(job(7), true);
  expect(c.byteOffset).toBe(a.byteOffset);
  expectSameBits(b, reference(5)); // the frame still in flight is untouched
  expectSameBits(c, reference(7));
  releasePixels(b);
  releasePixels(c);
  releasePixels(c); // twice: harmless
});

test('configurations the fast path does not cover are named and run by transformers.js, with the same result', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...COMMON, size: { height: 40, width: 40 }, do_center_crop: true, crop_size: { height: 30, width: 30 } }, /do_center_crop/],
    [{ ...COMMON, size: { height: 40, width: 40 }, do_crop_margin: true }, /do_crop_margin/],
    [{ ...COMMON, size: { height: 40, width: 40 }, do_convert_rgb: false }, /do_convert_rgb/],
  ];
  expect(fastPathProblem(new ImageProcessor({ ...COMMON, size: { height: 40, width: 40 }, resample: 4 }) as any)).toMatch(/resample 4/); // box: transformers.js warns and uses bilinear
  for (const [config, problem] of cases) {
    const reference = new ImageProcessor(config) as any;
    const routed = new ImageProcessor(config) as any;
    installFastPreprocess(routed);
    expect(fastPathProblem(routed)).toMatch(problem);
    expect(await fastPreprocess(routed, new HfImage(new Uint8ClampedArray(50 * 30 * 3).fill(90), 50, 30, 3))).toBeUndefined();
    const [a, b] = await Promise.all([reference, routed].map((p) => p.preprocess(new HfImage(new Uint8ClampedArray(50 * 30 * 3).fill(90), 50, 30, 3))));
    expect(b.pixel_values.dims).toEqual(a.pixel_values.dims);
    expectSameBits(b.pixel_values.data, a.pixel_values.data);
  }
});

describe('whole processor calls with the fast path, against fresh transformers.js processors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-fast-pre-'));
    await writeTinyGroundingDino(path.join(dir, 'gdino'));
    await writeTinySam(path.join(dir, 'sam2'), { family: 'sam2' });
    await writeTinySam(path.join(dir, 'sam'), { family: 'sam' });
    await writeTinySmolVlm(path.join(dir, 'vlm'));
  });
  afterAll(async () => {
    await releaseModels();
    await rm(dir, { recursive: true, force: true });
  });

  const frame = () => {
    const f = planClip({ seed: 3, width: 160, height: 96, events: 1 }).images[0]!;
    return new HfImage(f.data, f.width, f.height, 3);
  };
  const fresh = (name: string) => AutoProcessor.from_pretrained(path.join(dir, name), {}) as Promise<any>;

  /** Every key of two processor outputs equal: tensors by type, dims and bits (or values), the rest deeply. */
  function expectSameInputs(actual: Record<string, any>, expected: Record<string, any>): void {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) {
      const [a, e] = [actual[key], expected[key]];
      if (e?.dims) {
        expect([key, a.type, a.dims]).toEqual([key, e.type, e.dims]);
        if (e.data instanceof Float32Array) expectSameBits(a.data, e.data);
        else expect([key, Array.from(a.data)]).toEqual([key, Array.from(e.data)]);
      } else expect([key, a]).toEqual([key, e]);
    }
  }

  test('GroundingDINO: tokens, pixel_values, pixel_mask and sizes as processor(image, text)', async () => {
    const { processor } = await loadModel(path.join(dir, 'gdino'), { task: 'ground' });
    const text = 'red circle. blue square.';
    expectSameInputs(await groundingInputs(processor, frame(), text), await (await fresh('gdino'))(frame(), text));
  });

  test.each(['sam2', 'sam'])('%s: boxes and points as processor(image, prompts)', async (family) => {
    const { processor } = await loadModel(path.join(dir, family), { task: 'segment' });
    const reference = await fresh(family);
    const boxes = { input_boxes: [[[12, 8, 36, 32], [100, 20, 150, 90]]] };
    expectSameInputs(await promptInputs(processor, frame(), boxes), await reference(frame(), boxes));
    const points = { input_points: [[[12, 8], [36, 32]]], input_labels: [[2, 3]] };
    expectSameInputs(await promptInputs(processor, frame(), points), await reference(frame(), points));
    expectSameInputs(await imageInputs(processor.image_processor, frame()), await reference.image_processor(frame()));
  });

  test("SmolVLM: Idefics3's tiling, image tokens and masks as an untouched processor's", async () => {
    const { processor } = await loadModel(path.join(dir, 'vlm'), { task: 'caption' });
    const reference = await fresh('vlm');
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'image' }, { type: 'text', text: 'What changed?' }] }];
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    const other = planClip({ seed: 4, width: 90, height: 140, events: 1 }).images[0]!;
    const pair = () => [frame(), new HfImage(other.data, other.width, other.height, 3)];
    expectSameInputs(await processor(text, pair()), await reference(text, pair()));
  });

  test.each([
    [true, 'wasm'],
    [false, 'wasm'],
    [true, 'js'],
  ])("Idefics3 at SmolVLM's real sizes (1024 px, 512 px tiles), splitting %s, %s Resize: the tiles written directly are transformers.js' own", async (split, kernel) => {
    useWasmOrtResize(kernel === 'wasm');
    expect(ortResizeKernel().kernel).toBe(kernel === 'wasm' ? 'wasm-simd' : 'js');
    const [, Processor, config] = CONFIGS.find(([name]) => name.startsWith('Idefics3'))!;
    const fast = new Processor({ ...config, do_image_splitting: split }) as any;
    installFastPreprocess(fast);
    installIdefics3Tiles(fast);
    const reference = new Processor({ ...config, do_image_splitting: split }) as any;
    const clip = planClip({ seed: 5, width: 288, height: 224, events: 1 }).images[0]!;
    const tall = planClip({ seed: 6, width: 150, height: 400, events: 1 }).images[0]!;
    const pair = () => [new HfImage(clip.data, clip.width, clip.height, 3), new HfImage(tall.data, tall.width, tall.height, 3)];
    const actual = await fast(pair(), { return_row_col_info: true });
    expect(actual.pixel_values.dims).toEqual(split ? [1, 5 + 3, 3, 512, 512] : [1, 2, 3, 512, 512]); // 2x2 tiles + global (1024x1024), 2x1 + global (1024x512)
    expectSameInputs(actual, await reference(pair(), { return_row_col_info: true }));
    useWasmOrtResize(true);
  });
});

describe("ONNX Runtime's bilinear Resize in WebAssembly", () => {
  /** Values with the awkward cases in them: NaN, infinities, -0, denormals, large and tiny magnitudes. */
  function planes(n: number, seed: number): Float32Array {
    const special = [Number.NaN, Infinity, -Infinity, -0, 1e-40, -3e38, 3e38, 1e-7];
    let x = seed;
    return Float32Array.from({ length: n }, (_, i) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return i % 97 === 0 ? special[(i / 97) % special.length]! : (x / 2 ** 31) * 20 - 10;
    });
  }

  test.each([
    [3, 796, 1024, 1024, 1024], // SmolVLM: to a multiple of the tile size (columns unchanged)
    [3, 1024, 1024, 512, 512], // the global view
    [1, 37, 29, 101, 67], // odd sizes: gathers and a partial last group
    [2, 50, 41, 17, 13], // downscale
    [3, 7, 5, 7, 5], // the same size
  ])('%i planes %ix%i -> %ix%i: the bits of the JavaScript emulation', (channels, h, w, th, tw) => {
    const src = planes(channels * h * w, h * 31 + w);
    const expected = resizePlanes(src, channels, h, w, th, tw);
    const job = resizeJob(4 * channels * (h * w + th * tw))!;
    expect(job).toBeDefined();
    const from = job.put(src, channels, h, w);
    const to = job.planes(channels, th, tw);
    job.resize(from, to);
    const actual = new Float32Array(channels * th * tw);
    job.read(to, actual, 0);
    const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
    const [a, e] = [bits(actual), bits(expected)];
    let first = -1;
    for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) first = i;
    expect(first).toBe(-1);
  });

  test('a rectangle copied between layouts', () => {
    const src = Float32Array.from({ length: 2 * 6 * 5 }, (_, i) => i);
    const job = resizeJob(4 * (60 + 2 * 2 * 3))!;
    const from = job.put(src, 2, 6, 5);
    const to = job.planes(2, 2, 3);
    job.copy(from, 3, 1, to); // rows 3-4, columns 1-3 of both planes
    const out = new Float32Array(12);
    job.read(to, out, 0);
    expect(Array.from(out)).toEqual([16, 17, 18, 21, 22, 23, 46, 47, 48, 51, 52, 53]);
  });
});

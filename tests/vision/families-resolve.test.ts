/**
 * Model resolution by hub id or folder, and the errors a user sees: a missing file named, an offline hub
 * model with the expected files and where to put them, a model of the wrong family, a wrong input shape.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detectPhrases, ModelFilesError, releaseModels, resolveModel, segmentBoxes } from '../../ml/models/index.js';
import { writeTinyGroundingDino, writeTinySam } from '../../ml/models/tiny/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-resolve-'));
  await writeTinyGroundingDino(path.join(dir, 'gdino'));
  await writeTinySam(path.join(dir, 'sam2'));
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

const image = { width: 32, height: 32, channels: 3 as const, data: new Uint8Array(32 * 32 * 3) };

test('a complete folder resolves with its family', async () => {
  const m = await resolveModel(path.join(dir, 'sam2'), { task: 'segment' });
  expect(m).toMatchObject({ source: 'folder', family: 'sam2', location: path.join(dir, 'sam2') });
});

test('a folder missing one file: the error names that file and the folder', async () => {
  const broken = path.join(dir, 'sam2-broken');
  await cp(path.join(dir, 'sam2'), broken, { recursive: true });
  await rm(path.join(broken, 'onnx', 'prompt_encoder_mask_decoder.onnx'));
  const error = await resolveModel(broken, { task: 'segment' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelFilesError);
  expect((error as ModelFilesError).missing).toEqual(['onnx/prompt_encoder_mask_decoder.onnx']);
  expect((error as Error).message).toContain(`${broken} is missing onnx/prompt_encoder_mask_decoder.onnx`);
  // The node-level call reports the same, before transformers.js is involved.
  await expect(segmentBoxes(image, [[0, 0, 8, 8]], { model: broken })).rejects.toThrow(/is missing onnx\/prompt_encoder_mask_decoder\.onnx/);
});

test('a folder that does not exist, and a model of another family, are refused by name', async () => {
  await expect(resolveModel(path.join(dir, 'nope'), { task: 'ground' })).rejects.toThrow(/model folder .*nope does not exist; a ground model folder holds grounding-dino: config\.json, preprocessor_config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx/);
  await expect(resolveModel(path.join(dir, 'gdino'), { task: 'segment' })).rejects.toThrow(/model_type "grounding-dino", but a segment model must be sam or sam2/);
});

test('offline, a hub id not in the cache names every expected file and the folder to put them in', async () => {
  const cacheDir = path.join(dir, 'cache-empty');
  const error = (await resolveModel('onnx-community/grounding-dino-tiny-ONNX', { task: 'ground', cacheDir, allowRemote: false }).catch((e: unknown) => e)) as ModelFilesError;
  expect(error).toBeInstanceOf(ModelFilesError);
  expect(error.folder).toBe(path.join(cacheDir, 'onnx-community', 'grounding-dino-tiny-ONNX'));
  expect(error.missing).toEqual(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']);
  expect(error.message).toContain(`put its files in ${error.folder}`);
  expect(error.message).toContain('https://huggingface.co/onnx-community/grounding-dino-tiny-ONNX');
  await expect(resolveModel('onnx-community/sam2.1-hiera-tiny-ONNX', { task: 'segment', cacheDir, allowRemote: false, dtype: 'q8' })).rejects.toThrow(/onnx\/vision_encoder_quantized\.onnx/);
});

test('a hub id found in the cache loads offline: swapping models is a change of name, not of code', async () => {
  const cacheDir = path.join(dir, 'cache');
  await cp(path.join(dir, 'gdino'), path.join(cacheDir, 'acme', 'tiny-gdino'), { recursive: true });
  const m = await resolveModel('acme/tiny-gdino', { task: 'ground', cacheDir, allowRemote: false });
  expect(m).toMatchObject({ source: 'cache', family: 'grounding-dino' });
  const red = { width: 32, height: 32, channels: 3 as const, data: new Uint8Array(32 * 32 * 3).fill(120) };
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) red.data.set([220, 30, 30], (y * 32 + x) * 3);
  const boxes = await detectPhrases(red, 'red square', { model: 'acme/tiny-gdino', cacheDir, allowRemote: false });
  expect(boxes.map((b) => b.box)).toEqual([[0, 0, 16, 16]]);
});

test("a model whose preprocessor and ONNX input disagree: a readable shape error naming the input", async () => {
  const bad = path.join(dir, 'sam2-badsize');
  await cp(path.join(dir, 'sam2'), bad, { recursive: true });
  const file = path.join(bad, 'preprocessor_config.json');
  const config = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(file, JSON.stringify({ ...config, size: { height: 48, width: 48 } }));
  await expect(segmentBoxes(image, [[0, 0, 8, 8]], { model: bad })).rejects.toThrow(
    /session vision_encoder: input "pixel_values" expects float32\[batch_size,3,64,64\] but was given float32\[1,3,48,48\]/,
  );
});

/** Saving models: external data (a side file ORT reads back) and float16/bfloat16 weight storage. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, fromBFloat16, fromFloat16, toBFloat16, toFloat16, type WeightStorage } from '../../ml/onnx/index.js';
import { matmul, rand, relError, rng, transpose, type Arr } from './onnx-reference.js';

let dir: string;
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cinegraph-onnx-')); });
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }); });

const r = rng(7);
const W1 = rand(r, [64, 32]);
const W2 = rand(r, [16, 64]);
const X = rand(r, [3, 32]);

function mlp(storage: WeightStorage = 'float32'): GraphBuilder {
  const g = new GraphBuilder({ name: 'mlp', weightStorage: storage });
  const x = g.input('x', 'float32', ['n', 32]);
  const h = g.relu(g.linear(x, g.weight('fc1.weight', Float32Array.from(W1.data), [64, 32])));
  g.output(g.linear(h, g.weight('fc2.weight', Float32Array.from(W2.data), [16, 64])), 'y');
  return g;
}

function reference(w1: Arr, w2: Arr): Float64Array {
  const h = matmul(X, transpose(w1, [1, 0]));
  return matmul({ shape: h.shape, data: h.data.map((v) => Math.max(v, 0)) }, transpose(w2, [1, 0])).data;
}

async function run(model: string | Uint8Array): Promise<Float32Array> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from(X.data), X.shape) });
  await s.release();
  return out.y.data as Float32Array;
}

test('external data: weights go to model.onnx_data with offsets, and ORT loads the pair', async () => {
  const file = path.join(dir, 'ext', 'model.onnx');
  const written = await mlp().save(file, { externalData: true, sizeThreshold: 256 });
  expect(written.data).toBe(path.join(dir, 'ext', 'model.onnx_data'));
  const model = await fs.stat(file);
  const data = await fs.stat(written.data!);
  expect(model.size).toBeLessThan(2048); // the weights are not inline
  expect(data.size).toBeGreaterThanOrEqual((64 * 32 + 16 * 64) * 4);
  const inline = await run(mlp().toBytes());
  const external = await run(file);
  expect(Array.from(external)).toEqual(Array.from(inline));
  expect(relError(external, reference(W1, W2))).toBeLessThanOrEqual(1e-5);
});

test('without external data the model is one file with the weights inline', async () => {
  const file = path.join(dir, 'inline.onnx');
  const written = await mlp().save(file);
  expect(written.data).toBeUndefined();
  await expect(fs.stat(`${file}_data`)).rejects.toThrow();
  expect((await fs.stat(file)).size).toBeGreaterThan((64 * 32 + 16 * 64) * 4);
  expect(relError(await run(file), reference(W1, W2))).toBeLessThanOrEqual(1e-5);
});

test.each([
  ['float16', toFloat16, fromFloat16],
  ['bfloat16', toBFloat16, fromBFloat16],
] as const)('%s weight storage halves the file and computes with the rounded weights', async (storage, to, from) => {
  const bytes = mlp(storage).toBytes();
  expect(bytes.length).toBeLessThan(mlp().toBytes().length * 0.6);
  const round = (a: Arr): Arr => ({ shape: a.shape, data: Float64Array.from(from(to(Float32Array.from(a.data)))) });
  expect(relError(await run(bytes), reference(round(W1), round(W2)))).toBeLessThanOrEqual(1e-5);
});

test('float16 and bfloat16 conversions round to nearest even and keep specials', () => {
  const v = new Float32Array([1, -2.5, 65504, 1e-8, Infinity, 0.1]);
  expect(Array.from(fromFloat16(toFloat16(v)))).toEqual([1, -2.5, 65504, 0, Infinity, 0.0999755859375]);
  expect(Array.from(fromBFloat16(toBFloat16(new Float32Array([1, 3.140625, -0.1]))))).toEqual([1, 3.140625, -0.10009765625]);
  expect(Number.isNaN(fromFloat16(toFloat16(new Float32Array([NaN])))[0])).toBe(true);
});

test('a weight declared without values is filled by setWeight before saving', async () => {
  const g = new GraphBuilder({ name: 'late' });
  const x = g.input('x', 'float32', ['n', 32]);
  const h = g.relu(g.linear(x, g.weight('fc1.weight', null, [64, 32])));
  g.output(g.linear(h, g.weight('fc2.weight', null, [16, 64])), 'y');
  expect(() => g.toBytes()).toThrow("weight 'fc1.weight' has no values");
  g.setWeight('fc1.weight', Float32Array.from(W1.data));
  g.setWeight('fc2.weight', Float32Array.from(W2.data));
  expect(relError(await run(g.toBytes()), reference(W1, W2))).toBeLessThanOrEqual(1e-5);
});

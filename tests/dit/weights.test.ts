/**
 * safetensors round trips (F32 exact, F16 and BF16 to their rounding) through real files, the weight
 * loader's one report (mis-shaped, missing, unexpected), seeded init, and a DiT loaded from a file
 * running exactly like the one it was saved from.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromBFloat16, fromFloat16, toBFloat16, toFloat16 } from '../../ml/onnx/index.js';
import {
  encodeSafetensors, graphWeights, initWeight, loadWeights, parseSafetensors, readSafetensors, writeSafetensors,
  WeightLoadError, type StoredTensor,
} from '../../ml/weights/index.js';
import { buildDit, ditFeeds, DIT_CONFIGS, packSession } from '../../ml/dit/index.js';
import { createSession } from '../../ml/runtime/index.js';
import { noise, threeTurns } from './model-fixtures.js';

let dir: string;
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cinegraph-weights-')); });
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }); });

const sample = (): Map<string, StoredTensor> => new Map([
  ['a.weight', { shape: [3, 5], data: noise(1, 15) }],
  ['b.bias', { shape: [7], data: Float32Array.from([0, -0, 1e-8, 65504, -3.25, 1 / 3, 1e20]) }],
  ['empty', { shape: [0, 4], data: new Float32Array(0) }],
]);

describe('safetensors', () => {
  test('F32 round trips exactly through a file, with metadata and an 8-byte aligned header', async () => {
    const file = path.join(dir, 'f32.safetensors');
    await writeSafetensors(file, sample(), { metadata: { step: '12', format: 'pt' } });
    const bytes = await fs.readFile(file);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    expect((8 + headerLen) % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + headerLen).toString())['a.weight']).toEqual({ dtype: 'F32', shape: [3, 5], data_offsets: [0, 60] });
    const back = await readSafetensors(file);
    expect(back.metadata).toEqual({ step: '12', format: 'pt' });
    for (const [name, t] of sample()) {
      expect(back.tensors.get(name)!.shape).toEqual(t.shape);
      expect(Array.from(back.tensors.get(name)!.data)).toEqual(Array.from(t.data));
    }
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test.each([
    ['F16', (a: Float32Array) => fromFloat16(toFloat16(a)), 2],
    ['BF16', (a: Float32Array) => fromBFloat16(toBFloat16(a)), 2],
  ] as const)('%s stores 2 bytes per value and reads back the rounded values', (dtype, round, bytesPer) => {
    const bytes = encodeSafetensors(sample(), { dtype });
    const parsed = parseSafetensors(bytes);
    for (const [name, t] of sample()) {
      const got = parsed.tensors.get(name)!;
      expect(got.dtype).toBe(dtype);
      expect(Array.from(got.data)).toEqual(Array.from(round(t.data)));
    }
    const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(bytes.length - 8 - headerLen).toBe((15 + 7) * bytesPer);
  });

  test('a per-tensor dtype overrides the default dtype of the file', () => {
    const m = sample();
    m.set('a.weight', { ...m.get('a.weight')!, dtype: 'BF16' });
    const parsed = parseSafetensors(encodeSafetensors(m, { dtype: 'F16' }));
    expect(parsed.tensors.get('a.weight')!.dtype).toBe('BF16');
    expect(parsed.tensors.get('b.bias')!.dtype).toBe('F16');
  });

  test('broken files fail with a message naming the file and the tensor', async () => {
    const bytes = encodeSafetensors(sample());
    const file = path.join(dir, 'cut.safetensors');
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 4));
    await expect(readSafetensors(file)).rejects.toThrow(/cut\.safetensors: tensor '.*' has data_offsets/);
    const bad = new TextEncoder().encode('{"x":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}');
    const raw = new Uint8Array(8 + bad.length + 1);
    new DataView(raw.buffer).setBigUint64(0, BigInt(bad.length), true);
    raw.set(bad, 8);
    expect(() => parseSafetensors(raw, 'x.safetensors')).toThrow(/x\.safetensors: tensor 'x' has dtype I8/);
    await expect(readSafetensors(path.join(dir, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors/);
  });
});

describe('weight loader', () => {
  const c = DIT_CONFIGS.tiny;
  const full = (): Map<string, StoredTensor> => graphWeights(buildDit(c, { initSeed: 3 }).graph);

  test('one report lists the mis-shaped, the missing and the unexpected together, and nothing is loaded', () => {
    const w = full();
    w.set('txt_in.weight', { shape: [c.textDim, c.width], data: w.get('txt_in.weight')!.data }); // transposed
    w.delete('blocks.1.mlp.all.proj_out.weight');
    w.set('blocks.9.extra', { shape: [2], data: new Float32Array(2) });
    const dit = buildDit(c);
    let err: unknown;
    try { loadWeights(dit.graph, w, { source: 'ckpt.safetensors' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(WeightLoadError);
    const { report, message } = err as WeightLoadError;
    expect(report.misshaped).toEqual([{ name: 'txt_in.weight', expected: [c.width, c.textDim], got: [c.textDim, c.width] }]);
    expect(report.missing).toEqual([{ name: 'blocks.1.mlp.all.proj_out.weight', shape: [c.width, 96] }]);
    expect(report.unexpected).toEqual([{ name: 'blocks.9.extra', shape: [2] }]);
    expect(message).toMatch(/ckpt\.safetensors/);
    expect(message).toMatch(/mis-shaped: txt_in\.weight: the model expects \[32,24\], the file has \[24,32\]/);
    expect(message).toMatch(/missing: blocks\.1\.mlp\.all\.proj_out\.weight \[32,96\]/);
    expect(message).toMatch(/unexpected: blocks\.9\.extra \[2\]/);
    expect(dit.graph.initializers.filter((i) => i.kind === 'weight' && i.data)).toEqual([]);
  });

  test('missing weights are refused unless asked to init them; unexpected ones only under strict', () => {
    const w = full();
    w.delete('turn_emb.weight');
    expect(() => buildDit(c, { weights: w })).toThrow(/missing: turn_emb\.weight \[64,24\]/);
    const dit = buildDit(c, { weights: w, initSeed: 5 });
    expect(dit.report!.initialized).toEqual(['turn_emb.weight']);
    expect(dit.report!.loaded.length).toBe(full().size - 1);
    expect(Array.from(graphWeights(dit.graph).get('turn_emb.weight')!.data)).toEqual(Array.from(initWeight('turn_emb.weight', [64, 24], 5)));
    const extra = full();
    extra.set('unused', { shape: [1], data: new Float32Array(1) });
    expect(buildDit(c, { weights: extra }).report!.unexpected).toEqual([{ name: 'unused', shape: [1] }]);
    expect(() => buildDit(c, { weights: extra, strict: true })).toThrow(/unexpected: unused \[1\]/);
  });

  test('seeded init depends on seed, name and shape only', () => {
    expect(Array.from(initWeight('x.weight', [4, 3], 1))).toEqual(Array.from(initWeight('x.weight', [4, 3], 1)));
    expect(Array.from(initWeight('x.weight', [4, 3], 1))).not.toEqual(Array.from(initWeight('x.weight', [4, 3], 2)));
    expect(Array.from(initWeight('x.weight', [4, 3], 1))).not.toEqual(Array.from(initWeight('y.weight', [4, 3], 1)));
    const a = graphWeights(buildDit(c, { initSeed: 9 }).graph);
    const b = graphWeights(buildDit(c, { initSeed: 9, attention: 'block-causal' }).graph);
    for (const [k, v] of a) expect(Array.from(b.get(k)!.data)).toEqual(Array.from(v.data));
  });

  test('a DiT saved to safetensors and loaded back runs exactly like the original', async () => {
    const original = buildDit(c, { initSeed: 11 });
    const file = path.join(dir, 'tiny.safetensors');
    await writeSafetensors(file, graphWeights(original.graph));
    const { tensors } = await readSafetensors(file);
    const loaded = buildDit(c, { weights: tensors, source: file });
    expect(loaded.report!.loaded.length).toBe(tensors.size);
    const pack = packSession(c, threeTurns(c));
    const run = async (bytes: Uint8Array) => {
      const s = await createSession(bytes, { device: 'cpu', cache: false });
      try { return (await s.run(ditFeeds(c, pack, 0.3, { attention: 'full' }))).velocity.data as Float32Array; } finally { await s.release(); }
    };
    expect(Array.from(await run(loaded.graph.toBytes()))).toEqual(Array.from(await run(original.graph.toBytes())));
  });
});

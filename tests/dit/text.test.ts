/**
 * ml/text: a tiny T5 encoder folder loaded and run through transformers.js (its real tokenizer and
 * encoder_model session), and the embedding-table encoder; padding, truncation and masks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { ort } from '../../ml/index.js';
import { ModelFilesError } from '../../ml/models/index.js';
import { loadTextEncoder, releaseTextEncoders, resolveTextEncoder, textEncoderFiles, writeTinyT5Encoder, writeTinyTextEmbedding } from '../../ml/text/index.js';

let dir: string;
let t5: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-text-'));
  t5 = await writeTinyT5Encoder(path.join(dir, 'tiny-t5'));
});
afterAll(async () => {
  await releaseTextEncoders();
  await rm(dir, { recursive: true, force: true });
});

const PROMPT = 'Based on <IMG0>, make the cup red. Output <IMG1>: ';

describe('a T5 encoder through transformers.js', () => {
  test('the folder has the files and the I/O names of a T5 encoder export', async () => {
    const s = await ort.InferenceSession.create(path.join(t5, 'onnx', 'encoder_model.onnx'));
    expect([[...s.inputNames].sort(), [...s.outputNames]]).toEqual([['attention_mask', 'input_ids'], ['last_hidden_state']]);
    await s.release();
    expect((await resolveTextEncoder(t5)).family).toBe('t5');
  });

  test("tokenises like the folder's tokenizer, pads to 150 tokens with a mask, and returns d_model features", async () => {
    const enc = await loadTextEncoder(t5, { device: 'cpu' });
    expect([enc.family, enc.dim]).toEqual(['t5', 16]);
    const [e] = await enc.encode([PROMPT]);
    const tokenizer = await AutoTokenizer.from_pretrained(t5);
    const ids = tokenizer.encode(PROMPT);
    expect(ids[ids.length - 1]).toBe(1); // </s>
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(PROMPT); // every character is covered by a piece
    expect([e!.tokens, e!.dim, e!.data.length]).toEqual([150, 16, 150 * 16]);
    expect([...e!.ids.subarray(0, ids.length)]).toEqual(ids);
    expect([...e!.ids.subarray(ids.length)].every((id) => id === 0)).toBe(true); // <pad>
    expect([...e!.mask]).toEqual([...Array(150)].map((_, i) => (i < ids.length ? 1 : 0)));
    // Known words are one piece each: "make", "the", "cup", "red".
    for (const w of ['make', 'the', 'cup', 'red']) expect(ids).toContain(tokenizer.encode(w)[0]);
    expect(e!.data.every(Number.isFinite)).toBe(true);
  });

  test('a batch equals texts encoded one by one; padding does not change the real tokens', async () => {
    const enc = await loadTextEncoder(t5, { device: 'cpu' });
    const texts = [PROMPT, 'add a blue circle', 'remove the car on the left'];
    const batch = await enc.encode(texts, { maxTokens: 24 });
    for (const [i, text] of texts.entries()) {
      const [one] = await enc.encode([text], { maxTokens: 24 });
      expect(Math.max(...batch[i]!.data.map((v, j) => Math.abs(v - one!.data[j]!)))).toBeLessThan(1e-5);
    }
    const [longer] = await enc.encode([texts[1]!], { maxTokens: 40 });
    const real = batch[1]!.mask.reduce((n, m) => n + m, 0);
    expect(Math.max(...batch[1]!.data.subarray(0, real * 16).map((v, j) => Math.abs(v - longer!.data[j]!)))).toBeLessThan(1e-5);
    // Different texts give different embeddings.
    expect(batch[1]!.data.subarray(0, 16)).not.toEqual(batch[2]!.data.subarray(0, 16));
  });

  test('truncates long texts to the fixed length', async () => {
    const enc = await loadTextEncoder(t5, { device: 'cpu' });
    const [e] = await enc.encode([Array(60).fill('make the cup red').join(' ')], { maxTokens: 150 });
    expect(e!.tokens).toBe(150);
    expect(e!.mask.every((m) => m === 1)).toBe(true);
  });
});

describe('the embedding-table encoder', () => {
  test('looks tokens up in a table of the configured width', async () => {
    const folder = await writeTinyTextEmbedding(path.join(dir, 'embed'), { dim: 8 });
    const enc = await loadTextEncoder(folder, { device: 'cpu' });
    expect([enc.family, enc.dim]).toEqual(['embedding', 8]);
    const [a, b] = await enc.encode(['make the cup red', 'red'], { maxTokens: 10 });
    expect([a!.tokens, a!.dim]).toEqual([10, 8]);
    expect([...a!.mask]).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]); // 4 words and </s>
    // "red" is token 3 of the first text and token 0 of the second: the same row of the table.
    expect(a!.data.subarray(3 * 8, 4 * 8)).toEqual(b!.data.subarray(0, 8));
    expect(a!.ids[3]).toBe(b!.ids[0]);
  });
});

test('a folder missing files, or of another kind, is refused with what is expected', async () => {
  const folder = await writeTinyT5Encoder(path.join(dir, 'broken'));
  await rm(path.join(folder, 'tokenizer.json'));
  await expect(resolveTextEncoder(folder)).rejects.toThrow(ModelFilesError);
  await expect(resolveTextEncoder(folder)).rejects.toThrow(/missing tokenizer\.json/);
  await expect(resolveTextEncoder('acme/not-cached', { cacheDir: dir, allowRemote: false })).rejects.toThrow(/not available offline: put its files in/);
  expect(textEncoderFiles('t5')).toContain('onnx/encoder_model.onnx');
});

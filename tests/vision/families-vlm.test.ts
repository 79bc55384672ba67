/**
 * The local VLM backend on the project's tiny SmolVLM: chat template, Idefics3 image splitting, and
 * transformers.js' generation loop with its KV cache, stopping at end-of-utterance or at the token limit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { createLocalVlm, releaseModels } from '../../ml/models/index.js';
import { TINY_VLM_REPLY, writeTinySmolVlm } from '../../ml/models/tiny/index.js';
import { captionTransition } from '../../ml/vlm/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-vlm-'));
  await writeTinySmolVlm(path.join(dir, 'caption'));
  await writeTinySmolVlm(path.join(dir, 'hello'), { reply: 'Hello, wörld!' });
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

const frame = (width: number, height: number, v = 120): RawImage => ({ width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(v) });

test('generates the whole reply and stops at end-of-utterance, well inside the token limit', async () => {
  const vlm = await createLocalVlm({ model: path.join(dir, 'hello') });
  expect(vlm.name).toMatch(/^local .*hello \(cpu\)$/);
  expect(await vlm.generate({ prompt: 'Say hello.', images: [frame(96, 64)], maxTokens: 200 })).toBe('Hello, wörld!');
});

test('stops at the token limit: one token per byte here, so 5 tokens are "Hello"', async () => {
  const vlm = await createLocalVlm({ model: path.join(dir, 'hello') });
  expect(await vlm.generate({ prompt: 'Say hello.', images: [frame(40, 90)], maxTokens: 5 })).toBe('Hello');
});

test('a system message, two images of different shapes and an earlier turn all go through the template', async () => {
  const vlm = await createLocalVlm({ model: path.join(dir, 'hello') });
  const text = await vlm.generate({
    system: 'Answer briefly.',
    prompt: 'And now?',
    images: [frame(100, 30)],
    history: [{ role: 'user', text: 'What is this?', images: [frame(64, 64, 10)] }, { role: 'assistant', text: 'Hello, wörld!' }],
    maxTokens: 64,
  });
  // The reply restarts after the latest "Assistant:": the cache and positions carry the earlier turn.
  expect(text).toBe('Hello, wörld!');
});

test('an aborted request stops with the abort reason', async () => {
  const vlm = await createLocalVlm({ model: path.join(dir, 'hello') });
  const controller = new AbortController();
  controller.abort(new Error('run cancelled'));
  await expect(vlm.generate({ prompt: 'x', images: [], maxTokens: 8, signal: controller.signal })).rejects.toThrow('run cancelled');
  await expect(vlm.generate({ prompt: 'x', images: [], maxTokens: 0 })).rejects.toThrow(/maxTokens must be a positive integer/);
});

test('the default tiny reply is a caption the captioner accepts', async () => {
  const vlm = await createLocalVlm({ model: path.join(dir, 'caption') });
  const result = await captionTransition(vlm, frame(96, 64, 40), frame(96, 64, 200), { pair: 'tiny pair', maxTokens: 512 });
  expect(result.attempts).toBe(1);
  expect(result.answers[0]).toBe(TINY_VLM_REPLY);
  expect(result.caption.regions).toEqual([{ phrase: 'red square', frame: 'both' }]);
});

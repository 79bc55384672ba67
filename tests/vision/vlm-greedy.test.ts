/**
 * Greedy decoding for SmolVLM (ml/models/vlm-greedy.ts) against transformers.js' `generate` on the tiny
 * model: the same tokens and the same ONNX calls (session, input names, shapes and values) with images,
 * without, cut by maxTokens or ended by the end-of-utterance token; and `generate` still doing what the
 * greedy path does not cover (a logits processor in the generation config, sampling).
 */
import { readFile, writeFile, mkdtemp, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { planClip } from '../../media/synth/index.js';
import { createLocalVlm, greedyGenerate, greedyProblem, loadModel, releaseModels, type LoadedModel } from '../../ml/models/index.js';
import { toHfImage } from '../../ml/models/image.js';
import { TINY_VLM_REPLY, writeTinySmolVlm } from '../../ml/models/tiny/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-vlm-greedy-'));
  await writeTinySmolVlm(path.join(dir, 'vlm'));
  // The same model with a repetition penalty in its generation config: a logits processor greedy does not do.
  await cp(path.join(dir, 'vlm'), path.join(dir, 'vlm-penalty'), { recursive: true });
  const config = JSON.parse(await readFile(path.join(dir, 'vlm-penalty', 'generation_config.json'), 'utf8'));
  await writeFile(path.join(dir, 'vlm-penalty', 'generation_config.json'), JSON.stringify({ ...config, repetition_penalty: 1.3 }));
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

type Call = { session: string; feeds: Record<string, { type: string; dims: number[]; data: unknown[] }> };

/** Records every ONNX call of a loaded model (session name, and each feed's type, dims and values). */
function record(loaded: LoadedModel): { calls: Call[]; stop: () => void } {
  const calls: Call[] = [];
  const restore: (() => void)[] = [];
  for (const [session, s] of Object.entries(loaded.model.sessions) as [string, any][]) {
    const run = s.run;
    s.run = (feeds: Record<string, any>, ...rest: unknown[]) => {
      const copy: Call['feeds'] = {};
      for (const [k, t] of Object.entries(feeds)) copy[k] = { type: t.type, dims: [...t.dims], data: Array.from(t.data as ArrayLike<unknown>) };
      calls.push({ session, feeds: copy });
      return run.call(s, feeds, ...rest);
    };
    restore.push(() => (s.run = run));
  }
  return { calls, stop: () => restore.forEach((r) => r()) };
}

async function inputsFor(loaded: LoadedModel, prompt: string, images: RawImage[]) {
  const { processor } = loaded;
  const messages = [{ role: 'user', content: [...images.map(() => ({ type: 'image' })), { type: 'text', text: prompt }] }];
  const text = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;
  return images.length ? processor(text, images.map((im) => toHfImage(im).rgb())) : processor.tokenizer(text);
}

const frames = planClip({ seed: 1, width: 96, height: 80, events: 1 }).images as RawImage[];

test.each([
  ['two images, to the end-of-utterance token', 'What changed?', 2, 400, 'end'],
  ['one image, cut by maxTokens', 'Describe it.', 1, 9, 'cut'],
  ['text only, to the end-of-utterance token', 'Hello', 0, 400, 'end'],
  ['text only, cut by maxTokens', 'Hello', 0, 40, 'cut'],
])('%s: the tokens and ONNX calls of generate()', async (_name, prompt, imageCount, maxNewTokens, ending) => {
  const loaded = await loadModel(path.join(dir, 'vlm'), { task: 'caption', device: 'cpu' });
  expect(greedyProblem(loaded.model, loaded.device)).toBeUndefined();
  const images = frames.slice(0, imageCount);

  const mine = record(loaded);
  const tokens = await greedyGenerate(loaded.model, await inputsFor(loaded, prompt, images), { maxNewTokens, device: loaded.device });
  mine.stop();
  const theirs = record(loaded);
  const inputs = await inputsFor(loaded, prompt, images);
  const sequences = await loaded.model.generate({ ...inputs, do_sample: false, max_new_tokens: maxNewTokens });
  theirs.stop();

  const expected = (sequences.tolist()[0] as bigint[]).slice(inputs.input_ids.dims.at(-1)).map(Number);
  expect(tokens).toEqual(expected);
  if (ending === 'cut') expect(tokens).toHaveLength(maxNewTokens);
  else expect(loaded.processor.batch_decode([tokens!.map(BigInt)], { skip_special_tokens: true })[0].trim()).toBe(TINY_VLM_REPLY);
  expect(mine.calls.map((c) => c.session)).toEqual(theirs.calls.map((c) => c.session));
  mine.calls.forEach((call, i) => expect(call).toEqual(theirs.calls[i]));
});

test('a logits processor in the generation config, sampling, or another device: generate() does it', async () => {
  const penalised = await loadModel(path.join(dir, 'vlm-penalty'), { task: 'caption', device: 'cpu' });
  expect(await greedyGenerate(penalised.model, await inputsFor(penalised, 'Hi', []), { maxNewTokens: 5, device: 'cpu' })).toBeUndefined();
  expect(greedyProblem(penalised.model, 'cuda')).toBe('device cuda');

  // createLocalVlm answers through generate() there, and through the greedy path otherwise: the same text.
  for (const model of ['vlm-penalty', 'vlm']) {
    const vlm = await createLocalVlm({ model: path.join(dir, model), device: 'cpu' });
    expect(await vlm.generate({ prompt: 'What changed?', images: frames.slice(0, 2), maxTokens: 400 })).toBe(TINY_VLM_REPLY);
  }
  const sampled = await createLocalVlm({ model: path.join(dir, 'vlm'), device: 'cpu' });
  expect(typeof (await sampled.generate({ prompt: 'What changed?', images: frames.slice(0, 1), maxTokens: 12, temperature: 0.7 }))).toBe('string');
});

test('an abort stops the greedy loop at the next token', async () => {
  const loaded = await loadModel(path.join(dir, 'vlm'), { task: 'caption', device: 'cpu' });
  let asked = 0;
  const tokens = await greedyGenerate(loaded.model, await inputsFor(loaded, 'What changed?', frames.slice(0, 1)), { maxNewTokens: 400, device: 'cpu', stopped: () => ++asked >= 3 });
  expect(tokens).toHaveLength(3);
});

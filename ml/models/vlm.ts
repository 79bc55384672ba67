/**
 * A local vision-language model as a `VlmBackend` (ml/vlm/backend.ts): SmolVLM / Idefics3 through
 * transformers.js — the model's chat template, its processor (image splitting, image tokens), and
 * transformers.js' generation loop with its KV cache, greedy unless a temperature is given, stopping at the
 * end-of-utterance token or at `maxTokens`.
 */
import { InterruptableStoppingCriteria } from '@huggingface/transformers';
import type { VlmBackend, VlmRequest } from '../vlm/backend.js';
import { DEFAULT_MODELS, type ModelDtype } from './families.js';
import { toHfImage } from './image.js';
import { frameOnDevice, onDevice } from './device.js';
import { loadModel } from './load.js';
import { greedyGenerate } from './vlm-greedy.js';

/** Options of `createLocalVlm`. */
export interface LocalVlmOptions {
  /** Hub id or local folder of a SmolVLM / Idefics3 model. Default HuggingFaceTB/SmolVLM-256M-Instruct. */
  model?: string;
  device?: string;
  dtype?: ModelDtype;
  cacheDir?: string;
  allowRemote?: boolean;
  log?: { info(message: string): void; warn(message: string): void };
}

type Content = { type: 'image' } | { type: 'text'; text: string };

/** The chat messages of a request: system, earlier turns, then this turn (images before the text). */
function messagesOf(request: VlmRequest): { messages: { role: string; content: Content[] }[]; images: VlmRequest['images'] } {
  const messages: { role: string; content: Content[] }[] = [];
  const images = [...(request.history ?? []).flatMap((t) => t.images ?? []), ...request.images];
  if (request.system) messages.push({ role: 'system', content: [{ type: 'text', text: request.system }] });
  for (const turn of request.history ?? []) {
    messages.push({ role: turn.role, content: [...(turn.images ?? []).map((): Content => ({ type: 'image' })), { type: 'text', text: turn.text }] });
  }
  messages.push({ role: 'user', content: [...request.images.map((): Content => ({ type: 'image' })), { type: 'text', text: request.prompt }] });
  return { messages, images };
}

/**
 * Loads a local VLM and returns it as a backend for the captioner.
 * @example
 * const vlm = await createLocalVlm({ model: '/models/tiny-smolvlm' });
 * const text = await vlm.generate({ prompt: 'What changed?', images: [a, b], maxTokens: 256 });
 */
export async function createLocalVlm(options: LocalVlmOptions = {}): Promise<VlmBackend> {
  const { model, processor, resolved, device } = await loadModel(options.model ?? DEFAULT_MODELS.caption, { ...options, task: 'caption' });
  const name = `local ${resolved.name} (${device})`;
  return {
    name,
    async generate(request: VlmRequest): Promise<string> {
      if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) throw new Error(`${name}: maxTokens must be a positive integer, got ${request.maxTokens}`);
      request.signal?.throwIfAborted();
      return frameOnDevice(device, () => generateHolding(request));
    },
  };

  async function generateHolding(request: VlmRequest): Promise<string> {
    request.signal?.throwIfAborted(); // it may have waited for the device
    const { messages, images } = messagesOf(request);
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;
    const inputs = images.length
      ? await processor(text, images.map((im, i) => toHfImage(im, `${name}: image ${i}`).rgb()))
      : processor.tokenizer(text);
    const stop = new InterruptableStoppingCriteria();
    const onAbort = () => stop.interrupt();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const greedy = (request.temperature ?? 0) > 0 ? undefined : await greedyGenerate(model, inputs, { maxNewTokens: request.maxTokens, device, stopped: () => stop.interrupted });
      let generated: unknown = greedy && [greedy.map(BigInt)];
      if (!generated) {
        const sampling = (request.temperature ?? 0) > 0 ? { do_sample: true, temperature: request.temperature } : { do_sample: false };
        const sequences = await onDevice(device, () => model.generate({ ...inputs, ...sampling, max_new_tokens: request.maxTokens, stopping_criteria: [stop] }));
        const promptLength = inputs.input_ids.dims.at(-1) as number;
        generated = sequences.slice(null, [promptLength, null]);
      }
      request.signal?.throwIfAborted();
      return (processor.batch_decode(generated, { skip_special_tokens: true }) as string[])[0]!.trim();
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** vision/caption-transition: what changed between two frames, as the method's checked caption. */
import { defineNode, T } from '../../engine/index.js';
import { captionTransition } from '../../ml/vlm/index.js';
import { backendFor, captionBackendInputs, pairLabel } from './caption-backend.js';

/**
 * Captions one frame pair with a VLM: the three-step prompt, the checked structure, one repair turn.
 * @example { "type": "vision/caption-transition", "inputs": { "source": { "from": "a", "output": "image" }, "target": { "from": "b", "output": "image" }, "baseUrl": "http://127.0.0.1:11434/v1", "model": "qwen2.5vl" } }
 */
export const captionTransitionNode = defineNode({
  type: 'vision/caption-transition',
  title: 'caption transition',
  description:
    "Asks a vision-language model what changed between two frames, with the method's three-step prompt (describe each frame; list the differences; summarise as one instruction-style edit), and checks the answer: {source, target, differences[], instruction, regions: [{phrase, frame}]}. An unusable answer gets exactly one repair turn; after that the pair fails with the problem named (the skip policy can skip it). Backends: any OpenAI-compatible chat endpoint (the key is read from the environment variable named in apiKeyEnv), or a local VLM.",
  inputs: {
    source: { type: T.IMAGE, description: 'the earlier frame (a FRAME converts)' },
    target: { type: T.IMAGE, description: 'the later frame' },
    ...captionBackendInputs,
  },
  outputs: {
    caption: { type: T.JSON, description: '{source, target, differences[], instruction, regions: [{phrase, frame: source|target|both}]}' },
    instruction: { type: T.STRING, description: 'the one-line edit, e.g. "Open the door"' },
  },
  concurrency: 4,
  version: 1,
  async run(inputs, ctx) {
    const backend = await backendFor(inputs, ctx);
    const { caption } = await captionTransition(backend, inputs.source, inputs.target, {
      pair: pairLabel(inputs.source, inputs.target),
      maxTokens: inputs.maxTokens,
      temperature: inputs.temperature,
      json: inputs.jsonMode,
      signal: ctx.signal,
      log: ctx.log,
    });
    return { caption, instruction: caption.instruction };
  },
});

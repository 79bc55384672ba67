/** dit/compose: several reference images -> one composed image. */
import { defineNode, T } from '../../engine/index.js';
import { composePrompt } from '../../ml/edit/index.js';
import { LATENT } from './types.js';
import { encodeFitted, generateImage, openSession, samplingInputs } from './edit-inputs.js';

/**
 * Composes concepts from reference images: each reference is a context turn (<IMG0>, <IMG1>, ...), then
 * one turn `Based on <IMG0>, ... and <IMG{n-1}>, {prompt}. Output <IMG{n}>: ` is sampled at the first
 * reference's size.
 * @example { "type": "dit/compose", "inputs": { "references": { "from": "load", "output": "image" }, "prompt": "the cat on the sofa" } }
 */
export const composeNode = defineNode({
  type: 'dit/compose',
  title: 'Compose concepts',
  description:
    "Composes several reference images into one: each reference is a context turn, then one turn 'Based on <IMG0>, ... and <IMG{n-1}>, {prompt}. Output <IMG{n}>: ' is sampled at the first reference's size (sides cropped to the model's grid).",
  inputs: {
    references: { type: T.IMAGE, list: true, description: 'the reference images, in order (<IMG0>, <IMG1>, ...)' },
    prompt: { type: T.STRING, multiline: true, default: '', description: 'what to make of them' },
    ...samplingInputs,
  },
  outputs: { image: T.IMAGE, latent: LATENT, prompt: T.STRING },
  output: true,
  version: 1,
  async run({ references, prompt, ...widgets }, ctx) {
    if (!references.length) throw new Error('dit/compose: input "references" received no image');
    if (!prompt.trim()) throw new Error('dit/compose: input "prompt" is empty');
    const { model, session } = await openSession(widgets, ctx);
    const latents = [];
    for (const [i, ref] of references.entries()) latents.push(await encodeFitted(model, ref, `dit/compose: reference ${i + 1}`));
    for (const z of latents) await session.addContext('', z);
    const text = composePrompt(references.length, prompt);
    const { image, latent } = await generateImage(model, session, text, latents[0]!, { done: 0, total: widgets.steps }, ctx);
    return { image, latent, prompt: text };
  },
});

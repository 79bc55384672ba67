/** dit/edit: multi-turn in-context editing, one image per instruction. */
import { defineNode, T } from '../../engine/index.js';
import { editPrompt, splitLines } from '../../ml/edit/index.js';
import { LATENT } from './types.js';
import { encodeFitted, generateImage, openSession, samplingInputs } from './edit-inputs.js';

/**
 * Edits an image over several turns: instruction i (one per line) becomes the turn text
 * `Based on <IMG{i-1}>, {instruction}. Output <IMG{i}>: `, the DiT samples <IMG{i}> from the whole session
 * so far, and the result joins the context of the next turn. Streams one image per turn.
 * @example { "type": "dit/edit", "inputs": { "image": { "from": "load", "output": "image" }, "instructions": "make the cup red\nadd a hat", "steps": 50 } }
 */
export const editNode = defineNode({
  type: 'dit/edit',
  title: 'In-context edit',
  description:
    "Multi-turn in-context editing (VINCIE): each instruction line is one turn with the prompt 'Based on <IMG{i-1}>, {instruction}. Output <IMG{i}>: '; each edited image joins the context of the next turn. Block-causal attention with the cache keeps earlier turns' keys and values, so later turns cost about as much as the first. Sides are cropped to the model's grid.",
  inputs: {
    image: { type: T.IMAGE, description: 'the source image (<IMG0>)' },
    instructions: { type: T.STRING, multiline: true, default: '', description: 'one edit instruction per line, one turn each' },
    ...samplingInputs,
  },
  outputs: {
    image: { type: T.IMAGE, description: 'the image of each turn, in order' },
    latent: { type: LATENT, description: "the turn's latent" },
    turn: { type: T.INT, description: 'turn number, from 1' },
    prompt: { type: T.STRING, description: 'the turn text given to the model' },
  },
  version: 1,
  async *stream({ image, instructions, ...widgets }, ctx) {
    const lines = splitLines(instructions);
    if (!lines.length) throw new Error('dit/edit: input "instructions" has no instruction (write one per line)');
    const { model, session } = await openSession(widgets, ctx);
    const z0 = await encodeFitted(model, image, 'dit/edit: input "image"');
    await session.addContext('', z0);
    const total = lines.length * widgets.steps;
    for (let i = 0; i < lines.length; i++) {
      const prompt = editPrompt(i + 1, lines[i]!);
      const { image: out, latent } = await generateImage(model, session, prompt, z0, { done: i * widgets.steps, total }, ctx);
      ctx.log.info(`turn ${i + 1}/${lines.length}: ${prompt}`);
      yield { image: out, latent, turn: i + 1, prompt };
    }
  },
});

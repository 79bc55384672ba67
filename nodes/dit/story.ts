/** dit/story: a sequence of prompts -> a sequence of images, each based on the one before. */
import { defineNode, T } from '../../engine/index.js';
import { splitLines, storyPrompt } from '../../ml/edit/index.js';
import { LATENT } from './types.js';
import { generateImage, openSession, pixelGrid, samplingInputs } from './edit-inputs.js';

/**
 * Tells a story in images: prompt 0 gives `{prompt}. Output <IMG0>: `, prompt i gives
 * `Based on <IMG{i-1}>, {prompt}. Output <IMG{i}>: `; every image joins the context of the next.
 * @example { "type": "dit/story", "inputs": { "prompts": "a fox in the snow\nit starts to run", "width": 64, "height": 64 } }
 */
export const storyNode = defineNode({
  type: 'dit/story',
  title: 'Story',
  description:
    "A sequence of prompts (one per line) -> a sequence of images: the first from its prompt alone, each later one 'Based on <IMG{i-1}>, {prompt}. Output <IMG{i}>: ' with every earlier image in context. Sizes are rounded down to the model's grid.",
  inputs: {
    prompts: { type: T.STRING, multiline: true, default: '', description: 'one prompt per line, one image each' },
    width: { type: T.INT, default: 256, min: 1, max: 4096, description: 'image width in pixels' },
    height: { type: T.INT, default: 256, min: 1, max: 4096, description: 'image height in pixels' },
    ...samplingInputs,
  },
  outputs: {
    image: { type: T.IMAGE, description: 'the image of each prompt, in order' },
    latent: LATENT,
    frame: { type: T.INT, description: 'frame number, from 0' },
    prompt: T.STRING,
  },
  version: 1,
  async *stream({ prompts, width, height, ...widgets }, ctx) {
    const lines = splitLines(prompts);
    if (!lines.length) throw new Error('dit/story: input "prompts" has no prompt (write one per line)');
    const { model, session } = await openSession(widgets, ctx);
    const m = pixelGrid(model);
    if (width < m || height < m) throw new Error(`dit/story: ${width}x${height} pixels is smaller than the model's ${m}x${m} grid`);
    const f = model.vae.config.downscale;
    const size = { width: (width - (width % m)) / f, height: (height - (height % m)) / f };
    for (let i = 0; i < lines.length; i++) {
      const prompt = storyPrompt(i, lines[i]!);
      const { image, latent } = await generateImage(model, session, prompt, size, { done: i * widgets.steps, total: lines.length * widgets.steps }, ctx);
      yield { image, latent, frame: i, prompt };
    }
  },
});

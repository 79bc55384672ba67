/** image/save: writes numbered image files into the run's output folder. */
import { defineNode, T } from '../../engine/index.js';
import { IMAGE_FORMATS, previewDataUrl, saveNumbered } from '../../media/image/index.js';

/**
 * Writes `prefix_00001.png`, `prefix_00002.png`, ... into the run's output folder, never overwriting a
 * file that exists; returns the path written and sends a preview. Mapped over a stream, it saves each item.
 * @example { "type": "image/save", "inputs": { "image": { "from": "grid", "output": "image" }, "prefix": "sheet" } }
 */
export const saveNode = defineNode({
  type: 'image/save',
  title: 'Save image',
  description: 'Saves PNG/JPEG/WebP files named prefix_00001, prefix_00002, ... in the output folder, never overwriting one.',
  inputs: {
    image: { type: T.IMAGE },
    prefix: { type: T.STRING, default: 'cinegraph', description: 'file name prefix; may name a subfolder (shots/frame)' },
    format: { type: T.STRING, default: 'png', choices: IMAGE_FORMATS },
    quality: { type: T.INT, default: 90, min: 1, max: 100, description: 'JPEG/WebP quality' },
  },
  outputs: { path: T.STRING },
  output: true,
  // Cached like any node (an unchanged graph re-runs nothing, as in ComfyUI): a hit reports the file an
  // earlier run wrote, and the engine re-sends its preview.
  async run({ image, prefix, format, quality }, ctx) {
    const path = await saveNumbered(image, ctx.outputDir, prefix, format as (typeof IMAGE_FORMATS)[number], { quality });
    ctx.log.info(`saved ${path}`);
    ctx.preview(await previewDataUrl(image));
    return { path };
  },
});

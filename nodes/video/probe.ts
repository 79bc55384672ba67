/** `video/probe`: what a video is (duration, fps, size, codec, rotation, frame count). */
import { defineNode, T } from '../../engine/index.js';
import { probeVideo } from '../../media/video/index.js';

/**
 * Probes a video file.
 * @example { "type": "video/probe", "inputs": { "path": "clip.mp4" } } // info: { duration: 2, fps: 10, width: 320, ... }
 */
export const probeNode = defineNode({
  type: 'video/probe',
  description: 'Reads a video\'s duration, frame rate, displayed size, codec, rotation and frame count (null when the container does not record it).',
  inputs: {
    path: { type: T.STRING, default: '', file: { accept: 'video/*' }, description: 'the video file' },
  },
  outputs: { info: { type: T.JSON, description: '{ duration, fps, width, height, codec, rotation, frames }' } },
  async run({ path }, ctx) {
    const { duration, fps, width, height, codec, rotation, frames } = await probeVideo(path, { signal: ctx.signal });
    return { info: { duration, fps, width, height, codec, rotation, frames } };
  },
});

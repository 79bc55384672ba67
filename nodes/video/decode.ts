/** `video/decode`: a video as a lazy stream of RGB frames with timestamps. */
import { defineNode, T } from '../../engine/index.js';
import { decodeFrames, DEFAULT_MAX_SIDE, presetArea, probeVideo, type AreaPreset } from '../../media/video/index.js';
import { FRAME } from './types.js';

/**
 * Decodes a video into frames, pulled as fast as the consumers take them.
 * @example { "type": "video/decode", "inputs": { "path": "clip.mp4", "area": "256x256", "fps": 2 } }
 */
export const decodeNode = defineNode({
  type: 'video/decode',
  description:
    'Decodes a video into RGB frames (time in seconds from the start). Resizes to a pixel area with sides that are multiples of 16, keeping the aspect; rotation metadata is applied. Decoding runs only as fast as the frames are consumed.',
  inputs: {
    path: { type: T.STRING, default: '', file: { accept: 'video/*' }, description: 'the video file' },
    area: { type: T.STRING, default: '256x256', choices: ['native', '256x256', '640x480'], description: 'output pixel area (sides multiples of 16) or the native size' },
    start: { type: T.FLOAT, default: 0, min: 0, step: 0.1, description: 'seconds to skip' },
    duration: { type: T.FLOAT, default: 0, min: 0, step: 0.1, description: 'seconds to decode (0 = to the end)' },
    fps: { type: T.FLOAT, default: 0, min: 0, step: 0.5, description: 'frames per second to sample (0 = every frame)' },
    maxSide: { type: T.INT, default: DEFAULT_MAX_SIDE, min: 16, description: 'refuse videos whose frames have a longer side than this' },
  },
  outputs: { frame: FRAME },
  async *stream({ path, area, start, duration, fps, maxSide }, ctx) {
    const info = await probeVideo(path, { signal: ctx.signal });
    const span = Math.max(0, (duration || (info.duration ?? 0) - start) || 0);
    for await (const frame of decodeFrames(path, { info, area: presetArea(area as AreaPreset), start, duration, fps, maxSide, signal: ctx.signal })) {
      if (span) ctx.progress(Math.min(span, frame.time - start), span);
      yield { frame };
    }
  },
});

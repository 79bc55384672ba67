/** `video/sample-frames`: frames of a decoded stream grouped into sessions of 2..20 frames. */
import { defineNode, T } from '../../engine/index.js';
import { SessionSampler, type SamplingStrategy } from '../../media/video/index.js';
import { FRAME, FRAME_SET, type Frame } from './types.js';

/**
 * Picks the frames of sessions from a frame stream, without ever holding the whole video.
 * @example { "type": "video/sample-frames", "inputs": { "frames": { "from": "decode", "output": "frame" }, "strategy": "transitions" } }
 */
export const sampleFramesNode = defineNode({
  type: 'video/sample-frames',
  description:
    'Groups frames into sessions. transitions: keeps the frames on both sides of each visual change (colour-histogram distance or changed-pixel fraction over its threshold); interval: one frame every N seconds or frames; count: K evenly spaced frames per clip. Drops near-duplicates, crops black borders, and skips static clips (logged).',
  inputs: {
    frames: { type: FRAME, stream: true, description: 'decoded frames (one or more videos, in order)' },
    strategy: { type: T.STRING, default: 'transitions', choices: ['transitions', 'interval', 'count'] },
    every: { type: T.FLOAT, default: 1, min: 0.001, step: 0.5, description: 'interval: the step' },
    unit: { type: T.STRING, default: 'seconds', choices: ['seconds', 'frames'], description: 'interval: unit of the step' },
    count: { type: T.INT, default: 8, min: 2, max: 200, description: 'count: frames per clip' },
    histThreshold: { type: T.FLOAT, default: 0.25, min: 0, max: 1, step: 0.01, description: 'transitions: colour-histogram distance (0..1) that marks a change' },
    pixelThreshold: { type: T.FLOAT, default: 0.006, min: 0, max: 1, step: 0.005, description: 'transitions: fraction of pixels changed that marks a change' },
    pixelDelta: { type: T.INT, default: 24, min: 1, max: 255, description: 'grey-level change that counts a pixel as changed' },
    minGap: { type: T.FLOAT, default: 0, min: 0, step: 0.1, description: 'transitions: seconds after a change before another counts' },
    dedupThreshold: { type: T.FLOAT, default: 0.003, min: 0, max: 1, step: 0.005, description: 'frames closer than this (histogram and pixels) are duplicates' },
    minFrames: { type: T.INT, default: 2, min: 2, max: 20 },
    maxFrames: { type: T.INT, default: 20, min: 2, max: 20 },
    cropBorders: { type: T.BOOLEAN, default: true, description: 'detect and crop black (letterbox) borders' },
  },
  outputs: { frames: FRAME_SET },
  async *stream(inputs, ctx) {
    const sampler = new SessionSampler<Frame>({
      strategy: inputs.strategy as SamplingStrategy,
      every: inputs.every,
      unit: inputs.unit as 'seconds' | 'frames',
      count: inputs.count,
      thresholds: { histogram: inputs.histThreshold, pixels: inputs.pixelThreshold, duplicate: inputs.dedupThreshold },
      delta: inputs.pixelDelta,
      minGap: inputs.minGap,
      minFrames: inputs.minFrames,
      maxFrames: inputs.maxFrames,
      cropBorders: inputs.cropBorders,
      log: (message) => ctx.log.info(message),
    });
    for await (const frame of inputs.frames) {
      for (const s of sampler.push(frame)) yield { frames: s };
    }
    for (const s of sampler.end()) yield { frames: s };
  },
});

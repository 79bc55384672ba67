/** video/unpack-frames: the frames of a frame set, as a stream (to grid, preview or save them). */
import { defineNode, T } from '../../engine/index.js';
import { FRAME, FRAME_SET } from './types.js';

/**
 * Streams the frames of a FRAME_SET one by one, with their time in seconds.
 * @example { "type": "video/unpack-frames", "inputs": { "frames": { "from": "sample", "output": "frames" } } }
 */
export const unpackFramesNode = defineNode({
  type: 'video/unpack-frames',
  title: 'Unpack frames',
  description: 'The frames of a frame set as a stream of FRAME items (each also an IMAGE), with their times.',
  inputs: { frames: { type: FRAME_SET } },
  outputs: { frame: FRAME, time: T.FLOAT },
  async *stream({ frames }) {
    for (const frame of frames.frames) yield { frame, time: frame.time };
  },
});

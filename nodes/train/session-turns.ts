/** dit/session-turns: a session -> the inputs of dit/edit (source image, instructions) and the truth. */
import { defineNode, T } from '../../engine/index.js';
import { SESSION } from '../session/types.js';
import { fitSession } from './sources.js';

/**
 * Splits a session into what an in-context edit of it takes: its first frame, its transition texts (one
 * instruction per line, one turn each) and its last frame (what the edits should reach), at a size.
 * @example { "type": "dit/session-turns", "inputs": { "session": { "from": "heldout", "output": "session" }, "width": 32, "height": 32 } }
 */
export const sessionTurnsNode = defineNode({
  type: 'dit/session-turns',
  title: 'Session -> edit turns',
  description:
    "A session's first frame (<IMG0>), its transition texts as instructions (one line per turn, for dit/edit) and its last frame (the truth the turns should reach), cover-cropped to width x height (0 and 0: stored size). Evaluates a trained model on held-out sessions.",
  inputs: {
    session: { type: SESSION },
    width: { type: T.INT, default: 0, min: 0, max: 4096, step: 16, description: 'width in pixels (0 with height 0: stored size)' },
    height: { type: T.INT, default: 0, min: 0, max: 4096, step: 16 },
  },
  outputs: {
    image: { type: T.IMAGE, description: 'the first frame' },
    instructions: { type: T.STRING, description: 'the transition texts, one per line' },
    truth: { type: T.IMAGE, description: 'the last frame' },
    frames: { type: T.INT, description: 'frames in the session' },
    key: T.STRING,
  },
  version: 1,
  async run({ session, width, height }) {
    const s = width > 0 || height > 0 ? await fitSession(session, width, height) : session;
    const first = s.frames[0];
    const last = s.frames.at(-1);
    if (!first || !last) throw new Error(`dit/session-turns: session ${s.record.key} has no decoded frames (read shards with decode on)`);
    const instructions = s.record.transitions.map((t) => t.text.replace(/\s+/g, ' ').trim()).join('\n');
    return { image: first, instructions, truth: last, frames: s.frames.length, key: s.record.key };
  },
});

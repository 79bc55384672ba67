/** session/assemble: frames plus annotations -> one session record. */
import { defineNode, T } from '../../engine/index.js';
import { assembleSession } from '../../media/session/index.js';
import type { SynthTruth } from '../../media/synth/index.js';
import { MASK_PAIRS } from '../mask/types.js';
import { FRAME_SET } from '../video/types.js';
import { SESSION } from './types.js';

/**
 * Frames plus annotations -> a session.
 * @example { "type": "session/assemble", "inputs": { "frames": { "from": "sample", "output": "frames" }, "masks": { "from": "masks", "output": "masks" } } }
 */
export const assembleNode = defineNode({
  type: 'session/assemble',
  title: 'assemble session',
  description:
    "Builds the method's interleaved session (I0, T0, Tm0, M00, Tm1, M01, I1, ..., IK) from a frame set and whatever annotations exist: texts from a captioner, mask pairs (e.g. change masks), or a synthetic clip's ground truth. The record says which annotator produced what; its key is stable (source path + frame times). See docs/session.md.",
  inputs: {
    frames: { type: FRAME_SET, description: 'frames I0..IK of one session (2..20)' },
    texts: { type: T.JSON, optional: true, description: 'transition texts T_i: a list of K strings (left empty when absent)' },
    textAnnotator: { type: T.STRING, default: 'input', description: 'who wrote the texts (a model id)' },
    masks: { type: MASK_PAIRS, optional: true, description: 'mask pairs (M_i0, M_i1) per transition' },
    maskAnnotator: { type: T.STRING, default: 'change-mask', description: 'who made the masks' },
    truth: { type: T.JSON, optional: true, description: "a synthetic clip's ground truth (fills what is not given)" },
    imageFormat: { type: T.STRING, default: 'png', choices: ['png', 'jpg'], description: 'how frames are stored in shards' },
  },
  outputs: {
    session: SESSION,
    key: { type: T.STRING, description: 'the session key' },
  },
  run(inputs) {
    const set = inputs.frames;
    const texts = inputs.texts;
    if (texts !== undefined && (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string'))) {
      throw new Error(`input "texts" must be a list of strings, got ${JSON.stringify(texts).slice(0, 80)}`);
    }
    const truth = inputs.truth as SynthTruth | undefined;
    if (truth !== undefined && (truth as { format?: string }).format !== 'cinegraph.synth-truth') {
      throw new Error('input "truth" is not a synthetic clip\'s ground truth (format "cinegraph.synth-truth")');
    }
    const session = assembleSession({
      source: set.source,
      sampling: set.reason,
      frames: set.frames,
      texts: texts as string[] | undefined,
      textAnnotator: inputs.textAnnotator,
      masks: inputs.masks,
      maskAnnotator: inputs.maskAnnotator,
      truth,
      imageFormat: inputs.imageFormat as 'png' | 'jpg',
    });
    return { session, key: session.record.key };
  },
});

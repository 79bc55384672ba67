/** vision/caption-frame-set: every consecutive pair of a session's frames, captioned. */
import { defineNode, T } from '../../engine/index.js';
import { captionTransition, type TransitionCaption } from '../../ml/vlm/index.js';
import { FRAME_SET } from '../video/types.js';
import { backendFor, captionBackendInputs, pairLabel } from './caption-backend.js';

/**
 * Captions the K transitions of a frame set (I0 -> I1, ..., I(K-1) -> IK).
 * @example { "type": "vision/caption-frame-set", "inputs": { "frames": { "from": "sample", "output": "frames" }, "backend": "endpoint" } }
 */
export const captionFrameSetNode = defineNode({
  type: 'vision/caption-frame-set',
  title: 'caption frame set',
  description:
    "Captions every consecutive pair of a frame set with vision/caption-transition's prompt and checks: K captions for K+1 frames, and their instructions as the transition texts for session/assemble. If any pair stays unusable after its repair turn, the whole set fails with that pair named (the skip policy then skips the session).",
  inputs: {
    frames: { type: FRAME_SET, description: 'frames I0..IK of one session' },
    ...captionBackendInputs,
  },
  outputs: {
    captions: { type: T.JSON, description: 'K captions {source, target, differences[], instruction, regions[]}, in order' },
    texts: { type: T.JSON, description: "the K instructions, in order (session/assemble's texts)" },
  },
  version: 1,
  async run(inputs, ctx) {
    const frames = inputs.frames.frames;
    if (frames.length < 2) throw new Error(`input "frames" has ${frames.length} frame(s) of ${inputs.frames.source}: a session needs at least 2`);
    const backend = await backendFor(inputs, ctx);
    // One failed pair fails the set: stop the pairs still in flight.
    const stop = new AbortController();
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    const pairs = frames.length - 1;
    const captions: TransitionCaption[] = new Array(pairs);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < pairs && !signal.aborted) {
        const i = next++;
        const { caption } = await captionTransition(backend, frames[i]!, frames[i + 1]!, {
          pair: `transition ${i + 1}/${pairs} (${pairLabel(frames[i]!, frames[i + 1]!)})`,
          maxTokens: inputs.maxTokens,
          temperature: inputs.temperature,
          json: inputs.jsonMode,
          signal,
          log: ctx.log,
        });
        captions[i] = caption;
        ctx.progress(++done, pairs);
      }
    };
    const workers = Array.from({ length: Math.min(pairs, Math.max(1, inputs.concurrency)) }, worker);
    try {
      await Promise.all(workers.map((w) => w.catch((error: unknown) => (stop.abort(), Promise.reject(error)))));
    } finally {
      stop.abort();
      await Promise.allSettled(workers);
    }
    return { captions, texts: captions.map((c) => c.instruction) };
  },
});

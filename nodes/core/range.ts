/** core/range: a stream of integers. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { defineNode, T } from '../../engine/index.js';

/**
 * Streams start, start + step, ... up to but not including stop (counting down when step is negative).
 * Items are produced only as they are pulled, so an endless-looking range costs nothing past what is used.
 * @example { "type": "core/range", "inputs": { "start": 0, "stop": 5, "step": 1 } } // 0 1 2 3 4
 */
export const rangeNode = defineNode({
  type: 'core/range',
  title: 'Range',
  description: 'Streams the integers from start (inclusive) to stop (exclusive) by step.',
  inputs: {
    start: { type: T.INT, default: 0 },
    stop: { type: T.INT, default: 10 },
    step: { type: T.INT, default: 1 },
  },
  outputs: { value: T.INT },
  async *stream({ start, stop, step }, ctx) {
    if (step === 0) throw new Error('step must not be 0 (the range would never end)');
    let produced = 0;
    for (let value = start; step > 0 ? value < stop : value > stop; value += step) {
      if (ctx.signal.aborted) return;
      // Pulling a range is pure promise work: let timers and I/O (a cancel, an HTTP request) run now and then.
      if (++produced % 1024 === 0) await nextTurn();
      yield { value };
    }
  },
});

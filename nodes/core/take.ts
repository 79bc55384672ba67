/** core/take: the first N items of a stream. */
import { defineNode, T } from '../../engine/index.js';

/**
 * Passes the first `count` items of a stream and then stops pulling it, so the upstream producer (a video
 * decoder, a range) stops too.
 * @example { "type": "core/take", "inputs": { "items": { "from": "frames", "output": "frame" }, "count": 8 } }
 */
export const takeNode = defineNode({
  type: 'core/take',
  title: 'Take',
  description: 'The first `count` items of a stream; the upstream stops once they are taken.',
  inputs: {
    items: { type: T.ANY, stream: true, description: 'any stream' },
    count: { type: T.INT, default: 1, min: 0 },
  },
  outputs: { item: T.ANY },
  async *stream({ items, count }) {
    if (count <= 0) return;
    let taken = 0;
    // Leaving the loop calls the iterator's return(), which releases the upstream stream.
    for await (const item of items) {
      yield { item };
      if (++taken >= count) break;
    }
  },
});

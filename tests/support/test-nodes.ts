/**
 * Test-only nodes for the engine: counters, delays, failures and streams, so engine tests can observe
 * ordering, concurrency and caching from the outside.
 */
import { defineNode, T, type NodePack } from '../../engine/index.js';

/** Calls per node type, for tests that count executions. */
export const calls: Record<string, number> = {};
const count = (type: string) => (calls[type] = (calls[type] ?? 0) + 1);
export const resetCalls = () => {
  for (const k of Object.keys(calls)) delete calls[k];
};
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => (clearTimeout(t), reject(new Error('aborted')));
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export const testPack: NodePack = {
  name: 'test',
  nodes: [
    defineNode({
      type: 'test/number',
      description: 'A number literal',
      inputs: { value: { type: T.FLOAT, default: 0 } },
      outputs: { value: T.FLOAT },
      run: ({ value }) => (count('test/number'), { value }),
    }),
    defineNode({
      type: 'test/add',
      description: 'a + b after an optional delay',
      inputs: { a: { type: T.FLOAT, default: 0 }, b: { type: T.FLOAT, default: 0 }, delay: { type: T.INT, default: 0, min: 0 } },
      outputs: { sum: T.FLOAT },
      concurrency: 4,
      async run({ a, b, delay }, ctx) {
        count('test/add');
        if (delay) await sleep(delay, ctx.signal);
        return { sum: a + b };
      },
    }),
    defineNode({
      type: 'test/sink',
      description: 'An output node that passes its value through',
      inputs: { value: { type: T.ANY } },
      outputs: { value: T.ANY },
      output: true,
      run: ({ value }) => (count('test/sink'), { value }),
    }),
    defineNode({
      type: 'test/collect',
      description: 'An output node that collects a stream',
      inputs: { values: { type: T.ANY, list: true } },
      outputs: { values: T.ANY },
      output: true,
      run: ({ values }) => (count('test/collect'), { values }),
    }),
    defineNode({
      type: 'test/range',
      description: 'Streams 0..count-1',
      inputs: { count: { type: T.INT, default: 3, min: 0 }, delay: { type: T.INT, default: 0 } },
      outputs: { value: T.INT },
      async *stream({ count: n, delay }, ctx) {
        count('test/range');
        for (let i = 0; i < n; i++) {
          if (delay) await sleep(delay, ctx.signal);
          yield { value: i };
        }
      },
    }),
    defineNode({
      type: 'test/fail',
      description: 'Throws when value equals failOn',
      inputs: { value: { type: T.FLOAT }, failOn: { type: T.FLOAT, default: -1 } },
      outputs: { value: T.FLOAT },
      run: ({ value, failOn }) => {
        count('test/fail');
        if (value === failOn) throw new Error(`bad value ${value}`);
        return { value };
      },
    }),
    defineNode({
      type: 'test/random',
      description: 'Not idempotent: a fresh random number each run',
      inputs: {},
      outputs: { value: T.FLOAT },
      notIdempotent: true,
      run: () => (count('test/random'), { value: Math.random() }),
    }),
    defineNode({
      type: 'test/slow',
      description: 'Waits `ms` (abortable), reporting progress',
      inputs: { value: { type: T.ANY, optional: true }, ms: { type: T.INT, default: 100 } },
      outputs: { value: T.ANY },
      async run({ value, ms }, ctx) {
        count('test/slow');
        for (let i = 0; i < 10; i++) {
          ctx.progress(i, 10);
          await sleep(ms / 10, ctx.signal);
        }
        ctx.progress(10, 10);
        return { value };
      },
    }),
  ],
};

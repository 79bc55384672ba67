/** dataset/read-shards: a stream of sessions from WebDataset tar shards. */
import { defineNode, T } from '../../engine/index.js';
import { readShards } from '../../media/shards/index.js';
import { SESSION } from '../session/types.js';

/**
 * Shards -> a stream of sessions.
 * @example { "type": "dataset/read-shards", "inputs": { "dir": "output/shards", "shuffle": 256, "seed": 1, "worker": 0, "workers": 4 } }
 */
export const readShardsNode = defineNode({
  type: 'dataset/read-shards',
  title: 'read shards',
  description:
    'Streams sessions from a shard folder written by dataset/write-shards: a seeded shuffle (shard order and a buffer of `shuffle` sessions; 0 keeps the stored order) and worker sharding (worker `worker` of `workers` gets every workers-th session, so each session goes to exactly one worker).',
  inputs: {
    dir: { type: T.STRING, default: 'output/shards', description: 'the shard folder' },
    shuffle: { type: T.INT, default: 0, min: 0, max: 100000, description: 'shuffle buffer size (0: stored order)' },
    seed: { type: T.INT, default: 0 },
    worker: { type: T.INT, default: 0, min: 0 },
    workers: { type: T.INT, default: 1, min: 1 },
    decode: { type: T.BOOLEAN, default: true, description: 'decode frames and masks (off: records only)' },
    onBadShard: { type: T.STRING, default: 'fail', choices: ['fail', 'skip'], description: 'an unreadable shard ends the run, or is reported and skipped' },
  },
  outputs: {
    session: SESSION,
    key: T.STRING,
  },
  notIdempotent: true,
  async *stream(inputs, ctx) {
    const sessions = readShards({
      dir: inputs.dir,
      shuffle: inputs.shuffle,
      seed: inputs.seed,
      worker: inputs.worker,
      workers: inputs.workers,
      decode: inputs.decode,
      onBadShard: inputs.onBadShard as 'fail' | 'skip',
      onSkip: (shard, error) => ctx.log.warn(`skipped shard ${shard}: ${error.message}`),
      signal: ctx.signal,
    });
    for await (const session of sessions) yield { session, key: session.record.key };
  },
});

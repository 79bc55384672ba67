/** dataset/write-shards: sessions -> resumable WebDataset tar shards. */
import { resolve } from 'node:path';
import { defineNode, T } from '../../engine/index.js';
import { ShardWriter } from '../../media/shards/index.js';
import { SESSION } from '../session/types.js';

/**
 * Sessions -> resumable WebDataset shards.
 * @example { "type": "dataset/write-shards", "inputs": { "sessions": { "from": "assemble", "output": "session" }, "out": "output/shards", "maxMB": 256 } }
 */
export const writeShardsNode = defineNode({
  type: 'dataset/write-shards',
  title: 'write shards',
  description:
    'Writes sessions to WebDataset tar shards ({key}.json, {key}.{i}.png, {key}.{i}.mask0.png, {key}.{i}.mask1.png) of at most maxMB each, plus index.jsonl. A shard is written under a temporary name and renamed when complete; a rerun skips sessions already in completed shards, so a killed run resumes without loss or duplicates.',
  inputs: {
    sessions: { type: SESSION, stream: true, description: 'the sessions to write' },
    out: { type: T.STRING, default: '', description: 'shard folder (default: <output folder>/shards)' },
    maxMB: { type: T.FLOAT, default: 256, min: 0.01, max: 65536, step: 1, description: 'largest shard, MiB' },
    maxSessions: { type: T.INT, default: 0, min: 0, description: 'most sessions per shard (0: no limit)' },
    prefix: { type: T.STRING, default: 'shard', description: 'shard file name prefix' },
  },
  outputs: {
    dir: { type: T.STRING, description: 'the shard folder' },
    written: { type: T.INT, description: 'sessions written by this run' },
    skipped: { type: T.INT, description: 'sessions already in completed shards' },
    summary: { type: T.JSON, description: 'shards written, temporary shards discarded, total sessions' },
  },
  output: true,
  notIdempotent: true,
  async run(inputs, ctx) {
    const dir = resolve(inputs.out.trim() || resolve(ctx.outputDir, 'shards'));
    const writer = await ShardWriter.open({ dir, maxBytes: Math.round(inputs.maxMB * 1024 * 1024), maxSessions: inputs.maxSessions, prefix: inputs.prefix });
    let seen = 0;
    try {
      for await (const session of inputs.sessions) {
        ctx.signal.throwIfAborted();
        const what = await writer.write(session);
        seen++;
        ctx.progress(seen, seen + 1);
        if (what === 'skipped') ctx.log.debug(`skipped ${session.record.key}: already in a completed shard`);
      }
    } catch (error) {
      await writer.abort();
      throw error;
    }
    const summary = await writer.close();
    ctx.progress(seen, seen);
    if (summary.discarded.length) ctx.log.info(`discarded ${summary.discarded.length} unfinished shard(s) of an earlier run: ${summary.discarded.join(', ')}`);
    return { dir, written: summary.written, skipped: summary.skipped, summary };
  },
});

/** The "dataset" node pack: sessions to and from WebDataset shards. */
import type { NodePack } from '../../engine/index.js';
import { readShardsNode } from './read-shards.js';
import { writeShardsNode } from './write-shards.js';

export const datasetPack: NodePack = {
  name: 'dataset',
  description: 'WebDataset tar shards of sessions: resumable writing, shuffled and worker-sharded reading.',
  nodes: [writeShardsNode, readShardsNode],
};

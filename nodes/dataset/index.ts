/** The "dataset" node pack. */
import type { NodePack } from '../../engine/index.js';

export const datasetPack: NodePack = {
  name: 'dataset',
  nodes: [],
};

/** The "mask" node pack. */
import type { NodePack } from '../../engine/index.js';

export const maskPack: NodePack = {
  name: 'mask',
  nodes: [],
};

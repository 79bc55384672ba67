/** The "image" node pack. */
import type { NodePack } from '../../engine/index.js';

export const imagePack: NodePack = {
  name: 'image',
  nodes: [],
};

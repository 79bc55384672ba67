/** The "core" node pack. */
import type { NodePack } from '../../engine/index.js';

export const corePack: NodePack = {
  name: 'core',
  nodes: [],
};

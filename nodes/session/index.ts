/** The "session" node pack. */
import type { NodePack } from '../../engine/index.js';

export const sessionPack: NodePack = {
  name: 'session',
  nodes: [],
};

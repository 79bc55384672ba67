/** The "video" node pack. */
import type { NodePack } from '../../engine/index.js';

export const videoPack: NodePack = {
  name: 'video',
  nodes: [],
};

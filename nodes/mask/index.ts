/** The "mask" node pack: weight-free masks. */
import type { NodePack } from '../../engine/index.js';
import { changeNode } from './change.js';
import { changeSequenceNode } from './change-sequence.js';

export const maskPack: NodePack = {
  name: 'mask',
  description: 'Masks without model weights: change masks between aligned frames.',
  nodes: [changeNode, changeSequenceNode],
};

/**
 * The "train" node pack: training the editing DiT on sessions from shards (dit/train, with a live loss
 * curve and exact resume), checkpoints to model folders (dit/checkpoint-save, dit/checkpoint-load), and a
 * session's edit turns for evaluating on held-out sessions (dit/session-turns).
 */
import type { NodePack } from '../../engine/index.js';
import { checkpointLoadNode } from './checkpoint-load.js';
import { checkpointSaveNode } from './checkpoint-save.js';
import { sessionTurnsNode } from './session-turns.js';
import { trainNode } from './train.js';

/**
 * The pack, for nodes/index.ts.
 * @example builtinRegistry([trainPack]).get('dit/train')
 */
export const trainPack: NodePack = {
  name: 'train',
  description: 'DiT training on shards with a live loss curve, checkpoints and EMA export, and held-out evaluation inputs.',
  nodes: [trainNode, checkpointSaveNode, checkpointLoadNode, sessionTurnsNode],
};

/** The "session" node pack: VINCIE-style interleaved sessions. */
import type { NodePack } from '../../engine/index.js';
import { assembleNode } from './assemble.js';

export const sessionPack: NodePack = {
  name: 'session',
  description: 'Interleaved sessions: frames, transition texts, region phrases and masks.',
  nodes: [assembleNode],
};

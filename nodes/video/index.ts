/** The "video" node pack. */
import type { NodePack } from '../../engine/index.js';
import { decodeNode } from './decode.js';
import { probeNode } from './probe.js';
import { sampleFramesNode } from './sample-frames.js';
import { synthesizeNode } from './synthesize.js';
import { unpackFramesNode } from './unpack-frames.js';

export const videoPack: NodePack = {
  name: 'video',
  nodes: [probeNode, decodeNode, sampleFramesNode, synthesizeNode, unpackFramesNode],
};

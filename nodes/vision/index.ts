/** The "vision" node pack: transition captions (VLM), grounding and segmentation. */
import type { NodePack } from '../../engine/index.js';
import { captionFrameSetNode } from './caption-frame-set.js';
import { captionTransitionNode } from './caption-transition.js';
import { groundNode } from './ground.js';
import { groundedSegmentNode } from './grounded-segment.js';
import { segmentNode } from './segment.js';
import { transitionMasksNode } from './transition-masks.js';

export const visionPack: NodePack = {
  name: 'vision',
  nodes: [captionTransitionNode, captionFrameSetNode, groundNode, segmentNode, groundedSegmentNode, transitionMasksNode],
};

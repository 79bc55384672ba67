/** The "core" node pack: literals, text, and stream helpers. */
import type { NodePack } from '../../engine/index.js';
import { booleanNode } from './boolean.js';
import { collectNode } from './collect.js';
import { floatNode } from './float.js';
import { intNode } from './int.js';
import { linesNode } from './lines.js';
import { rangeNode } from './range.js';
import { showNode } from './show.js';
import { stringNode } from './string.js';
import { takeNode } from './take.js';
import { textJoinNode } from './text-join.js';
import { textTemplateNode } from './text-template.js';

/**
 * The core pack, as registered by nodes/index.ts.
 * @example new NodeRegistry().addPack(corePack).get('core/range');
 */
export const corePack: NodePack = {
  name: 'core',
  description: 'Literals (int, float, string, boolean), text templates and joins, and stream helpers (lines, range, take, collect, show).',
  nodes: [intNode, floatNode, stringNode, booleanNode, textTemplateNode, textJoinNode, linesNode, rangeNode, takeNode, collectNode, showNode],
};

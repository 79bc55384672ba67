/** core/boolean: a toggle widget. */
import { defineNode, T } from '../../engine/index.js';

/**
 * A true/false toggle, passed on.
 * @example { "type": "core/boolean", "inputs": { "value": true } }
 */
export const booleanNode = defineNode({
  type: 'core/boolean',
  title: 'Boolean',
  description: 'A true/false value from a toggle.',
  inputs: { value: { type: T.BOOLEAN, default: false } },
  outputs: { value: T.BOOLEAN },
  run: ({ value }) => ({ value }),
});

/** core/float: a number widget. */
import { defineNode, T } from '../../engine/index.js';

/**
 * A number typed into a widget, passed on.
 * @example { "type": "core/float", "inputs": { "value": 0.5 } }
 */
export const floatNode = defineNode({
  type: 'core/float',
  title: 'Float',
  description: 'A number value from a widget.',
  inputs: { value: { type: T.FLOAT, default: 0, step: 0.01 } },
  outputs: { value: T.FLOAT },
  run: ({ value }) => ({ value }),
});

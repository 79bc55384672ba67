/** core/int: an integer widget. */
import { defineNode, T } from '../../engine/index.js';

/**
 * An integer typed into a widget, passed on.
 * @example { "type": "core/int", "inputs": { "value": 12 } }
 */
export const intNode = defineNode({
  type: 'core/int',
  title: 'Int',
  description: 'An integer value from a widget.',
  inputs: { value: { type: T.INT, default: 0, step: 1 } },
  outputs: { value: T.INT },
  run: ({ value }) => ({ value }),
});

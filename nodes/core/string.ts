/** core/string: a text widget. */
import { defineNode, T } from '../../engine/index.js';

/**
 * Text typed into a (multi-line) widget, passed on.
 * @example { "type": "core/string", "inputs": { "value": "a red car" } }
 */
export const stringNode = defineNode({
  type: 'core/string',
  title: 'String',
  description: 'A text value from a multi-line widget.',
  inputs: { value: { type: T.STRING, default: '', multiline: true } },
  outputs: { value: T.STRING },
  run: ({ value }) => ({ value }),
});

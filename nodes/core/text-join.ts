/** core/text-join: joins a list of strings. */
import { defineNode, T } from '../../engine/index.js';

/**
 * Turns the escapes `\n`, `\t` and `\\` typed into a one-line widget into the characters they name.
 * @example unescapeSeparator('\\n') // '\n'
 */
export function unescapeSeparator(text: string): string {
  return text.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/**
 * Joins every string of a stream (or a literal list) with a separator.
 * @example { "type": "core/text-join", "inputs": { "texts": { "from": "captions", "output": "text" }, "separator": "\\n" } }
 */
export const textJoinNode = defineNode({
  type: 'core/text-join',
  title: 'Join text',
  description: 'Joins a list of strings with a separator (\\n and \\t are a newline and a tab).',
  inputs: {
    texts: { type: T.STRING, list: true, description: 'the strings, in order' },
    separator: { type: T.STRING, default: ', ' },
  },
  outputs: { text: T.STRING },
  run: ({ texts, separator }) => ({ text: texts.join(unescapeSeparator(separator)) }),
});

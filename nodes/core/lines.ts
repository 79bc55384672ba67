/** core/lines: one stream item per line of a text. */
import { defineNode, T } from '../../engine/index.js';

/**
 * Streams the non-empty lines of a text, trimmed: a list of paths typed one per line becomes a stream
 * that per-item nodes (image/load, ...) are mapped over.
 * @example { "type": "core/lines", "inputs": { "text": "a.png\nb.png" } } // streams "a.png", "b.png"
 */
export const linesNode = defineNode({
  type: 'core/lines',
  title: 'Lines',
  description: 'Streams each non-empty line of a text, trimmed (e.g. one file path per line).',
  inputs: { text: { type: T.STRING, default: '', multiline: true } },
  outputs: { line: T.STRING },
  async *stream({ text }) {
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed) yield { line: trimmed };
    }
  },
});

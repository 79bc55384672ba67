/**
 * An example Cinegraph node pack, in plain ESM JavaScript (no build step, no import of cinegraph).
 *
 * The default export is a function that receives the engine's node API (`defineNode`, `T` the socket
 * types, `socketType`, ...) and returns the pack `{ name, nodes }`. Node types are "pack/name".
 */
export default function examplePack({ defineNode, T }) {
  /** a + b: the smallest useful node. */
  const add = defineNode({
    type: 'example/add',
    category: 'example',
    description: 'Adds two numbers',
    inputs: {
      a: { type: T.FLOAT, default: 0, description: 'first term' },
      b: { type: T.FLOAT, default: 0, description: 'second term' },
    },
    outputs: { sum: T.FLOAT },
    run: ({ a, b }) => ({ sum: a + b }),
  });

  /** A text node with widget options: a multi-line box, a choice and a checkbox. */
  const invertText = defineNode({
    type: 'example/invert-text',
    category: 'example',
    description: 'Reverses a text, or swaps its letter case',
    inputs: {
      text: { type: T.STRING, default: '', multiline: true },
      mode: { type: T.STRING, default: 'reverse', choices: ['reverse', 'swap-case'] },
      trim: { type: T.BOOLEAN, default: true },
    },
    outputs: { text: T.STRING },
    run({ text, mode, trim }) {
      const input = trim ? text.trim() : text;
      const out =
        mode === 'reverse'
          ? [...input].reverse().join('')
          : [...input].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
      return { text: out };
    },
  });

  /**
   * A stream node: yields one item per word. Nodes linked from it run once per word; an input with
   * `list: true` receives every word at once. It honours cancellation through `ctx.signal`.
   */
  const words = defineNode({
    type: 'example/words',
    category: 'example',
    description: 'Splits a text into words, one stream item per word',
    inputs: { text: { type: T.STRING, default: '' } },
    outputs: { word: T.STRING, index: T.INT },
    async *stream({ text }, ctx) {
      const list = text.split(/\s+/).filter(Boolean);
      for (const [index, word] of list.entries()) {
        if (ctx.signal.aborted) return;
        ctx.progress(index + 1, list.length);
        yield { word, index };
      }
    },
  });

  /** An output node: its values are what `cinegraph run` prints and what the run reports. */
  const show = defineNode({
    type: 'example/show',
    category: 'example',
    description: 'Shows a value (any type) as a result of the run',
    output: true,
    inputs: { value: { type: T.ANY } },
    outputs: { value: T.ANY },
    run({ value }, ctx) {
      ctx.log.info(`value: ${JSON.stringify(value)}`);
      return { value };
    },
  });

  return { name: 'example', description: 'Example nodes: add, invert-text, words, show', nodes: [add, invertText, words, show] };
}

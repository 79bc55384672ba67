/** core/collect: gathers a stream into one array. */
import { defineNode, T } from '../../engine/index.js';

/**
 * An output node that gathers every item of a stream into one array (the run reports it).
 * @example { "type": "core/collect", "inputs": { "items": { "from": "range", "output": "value" } } }
 */
export const collectNode = defineNode({
  type: 'core/collect',
  title: 'Collect',
  description: 'Gathers every item of a stream into one array, reported as a run output.',
  inputs: { items: { type: T.ANY, list: true, description: 'a stream (or a single value)' } },
  outputs: { items: T.ANY },
  output: true,
  run: ({ items }) => ({ items: [...items] }),
});

/** core/show: shows any value as text. */
import { defineNode, summarize, T } from '../../engine/index.js';

/**
 * Text for a value: strings as they are, numbers and booleans printed, images as their size, anything else
 * as indented JSON of its summary (binary data becomes its byte count).
 * @example formatValue({ width: 2, height: 1, channels: 3, data: new Uint8Array(6) }) // 'image 2x1, 3 channels'
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) return String(value);
  const v = value as { width?: unknown; height?: unknown; channels?: unknown; data?: unknown };
  if (typeof v.width === 'number' && typeof v.height === 'number' && typeof v.channels === 'number' && v.data instanceof Uint8Array) {
    return `${v.channels === 1 ? 'mask' : 'image'} ${v.width}x${v.height}, ${v.channels} channel${v.channels === 1 ? '' : 's'}`;
  }
  return JSON.stringify(summarize(value), null, 2);
}

/**
 * An output node that shows a value as text (in the editor and in the run's outputs).
 * @example { "type": "core/show", "inputs": { "value": { "from": "prompt", "output": "text" } } }
 */
export const showNode = defineNode({
  type: 'core/show',
  title: 'Show',
  description: 'Shows any value as text: strings as they are, images as their size, other values as JSON.',
  inputs: { value: { type: T.ANY } },
  outputs: { text: T.STRING },
  output: true,
  run: ({ value }) => ({ text: formatValue(value) }),
});

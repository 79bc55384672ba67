/**
 * JSON-safe summaries of values for events and history: big binary values become their shape, long
 * strings and lists are cut, and a socket type may summarise its own values (images -> width and height).
 */
import type { SocketType } from './types.js';

const MAX_STRING = 4000;
const MAX_ITEMS = 50;

/**
 * Summarises a value for JSON.
 * @example summarize(new Uint8Array(10)) // { bytes: 10 }
 */
export function summarize(value: unknown, type?: SocketType<any>, depth = 0): unknown {
  if (type?.summarize && value !== undefined && value !== null) {
    try {
      return type.summarize(value);
    } catch {
      // fall through to the generic summary
    }
  }
  if (value === null || value === undefined) return value ?? null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return { bytes: value.byteLength };
      if (depth >= 4) return Array.isArray(value) ? `[${value.length} items]` : '{…}';
      if (Array.isArray(value)) {
        const head = value.slice(0, MAX_ITEMS).map((v) => summarize(v, undefined, depth + 1));
        return value.length > MAX_ITEMS ? [...head, `… ${value.length - MAX_ITEMS} more`] : head;
      }
      if (value instanceof Map) return { entries: value.size };
      if (value instanceof Date) return value.toISOString();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (typeof v !== 'function') out[k] = summarize(v, undefined, depth + 1);
      return out;
    }
    default:
      return String(value);
  }
}

/**
 * Socket types: values with string ids, a conversion table, and ANY.
 *
 * The same table is served to the editor (`GET /api/nodes`) so that links are refused on both sides
 * by one rule: `canConvert(from, to)`.
 */

/** A socket type. `T` is a phantom used only by TypeScript to infer `run` argument types. */
export interface SocketType<T = any> {
  readonly id: string;
  /** Editor colour for sockets and links of this type. */
  readonly color: string;
  /** Checks a literal (widget) value; returns an error message or undefined. */
  readonly check?: (value: unknown) => string | undefined;
  /** Bytes a value of this type holds, for the cache's byte budget. */
  readonly sizeOf?: (value: T) => number;
  /** A JSON-safe summary for events and history (images become `{width, height}`, ...). */
  readonly summarize?: (value: T) => unknown;
  /** Phantom field: never set at run time. */
  readonly __value?: T;
}

/** The value type a socket type carries. */
export type ValueOf<S> = S extends SocketType<infer T> ? T : never;

/**
 * Declares a socket type.
 * @example const LATENT = socketType<Float32Array>('LATENT', { color: '#ff9cf9' });
 */
export function socketType<T>(id: string, options: Omit<SocketType<T>, 'id' | '__value'>): SocketType<T> {
  return Object.freeze({ id, ...options });
}

const isInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? undefined : 'expected an integer');
const isNum = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'expected a number');
const isStr = (v: unknown) => (typeof v === 'string' ? undefined : 'expected a string');
const isBool = (v: unknown) => (typeof v === 'boolean' ? undefined : 'expected a boolean');

/** Raw pixels, interleaved, 8 bits per channel: the value of IMAGE (channels 3 or 4) and MASK (1). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

const imageSize = (v: RawImage) => v.data.byteLength + 64;
const imageSummary = (v: RawImage) => ({ width: v.width, height: v.height, channels: v.channels });

/** The built-in socket types. Node packs may declare more with `socketType()`. */
export const T = {
  ANY: socketType<unknown>('ANY', { color: '#9e9e9e' }),
  INT: socketType<number>('INT', { color: '#29b6f6', check: isInt }),
  FLOAT: socketType<number>('FLOAT', { color: '#4dd0e1', check: isNum }),
  BOOLEAN: socketType<boolean>('BOOLEAN', { color: '#ffb74d', check: isBool }),
  STRING: socketType<string>('STRING', { color: '#aed581', check: isStr, sizeOf: (s) => s.length * 2 }),
  IMAGE: socketType<RawImage>('IMAGE', { color: '#64b5f6', sizeOf: imageSize, summarize: imageSummary }),
  MASK: socketType<RawImage>('MASK', { color: '#81c784', sizeOf: imageSize, summarize: imageSummary }),
  VIDEO: socketType<unknown>('VIDEO', { color: '#ba68c8' }),
  SESSION: socketType<unknown>('SESSION', { color: '#f06292' }),
  DATASET: socketType<unknown>('DATASET', { color: '#ffd54f' }),
  LATENT: socketType<unknown>('LATENT', { color: '#ff9cf9' }),
  TEXT_EMBEDDING: socketType<unknown>('TEXT_EMBEDDING', { color: '#ffcc80' }),
  MODEL: socketType<unknown>('MODEL', { color: '#b39ddb' }),
  JSON: socketType<unknown>('JSON', { color: '#cfd8dc' }),
} as const;

/** A declared conversion: a value of `from` may flow into an input of `to` through `convert`. */
export interface Conversion {
  from: string;
  to: string;
  convert: (value: any) => unknown;
}

const conversions = new Map<string, Conversion>();
const types = new Map<string, SocketType<any>>(Object.values(T).map((t): [string, SocketType<any>] => [t.id, t]));

/**
 * Registers a socket type so that catalogs list it and validation knows it.
 * @example registerType(socketType('POINTS', { color: '#fff' }));
 */
export function registerType(type: SocketType<any>): void {
  types.set(type.id, type);
}

/**
 * Declares that values of `from` convert into `to`.
 * @example registerConversion('INT', 'FLOAT', (n) => n);
 */
export function registerConversion(from: string, to: string, convert: (value: any) => unknown): void {
  conversions.set(`${from}->${to}`, { from, to, convert });
}

registerConversion('INT', 'FLOAT', (n: number) => n);
registerConversion('INT', 'STRING', (n: number) => String(n));
registerConversion('FLOAT', 'STRING', (n: number) => String(n));
registerConversion('BOOLEAN', 'STRING', (b: boolean) => String(b));
registerConversion('INT', 'BOOLEAN', (n: number) => n !== 0);
registerConversion('MASK', 'IMAGE', (m: RawImage) => m);

/** Looks a socket type up by id. */
export function getType(id: string): SocketType | undefined {
  return types.get(id);
}

/** Every registered socket type. */
export function allTypes(): SocketType[] {
  return [...types.values()];
}

/** Every declared conversion, for the editor. */
export function allConversions(): Array<{ from: string; to: string }> {
  return [...conversions.values()].map(({ from, to }) => ({ from, to }));
}

/**
 * Whether an output of type `from` may be linked into an input of type `to`.
 * @example canConvert('INT', 'FLOAT') // true
 */
export function canConvert(from: string, to: string): boolean {
  return from === to || from === 'ANY' || to === 'ANY' || conversions.has(`${from}->${to}`);
}

/**
 * The function that carries a value across a link (identity when no conversion is needed).
 * @example converter('INT', 'STRING')(3) // '3'
 */
export function converter(from: string, to: string): ((value: unknown) => unknown) | undefined {
  if (from === to || from === 'ANY' || to === 'ANY') return undefined;
  return conversions.get(`${from}->${to}`)?.convert;
}

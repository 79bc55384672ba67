/**
 * Which links the editor accepts: the server's rule (engine/types.ts `canConvert`) over the catalog's
 * conversion table, so a link the editor draws is a link the server validates.
 */
import type { Catalog } from './protocol.js';

/** Whether an output of type `from` may feed an input of type `to`. */
export type Compatibility = (from: string, to: string) => boolean;

/**
 * Builds the compatibility rule of a catalog.
 * @example const ok = compatibility(catalog); ok('INT', 'FLOAT') // true; ok('IMAGE', 'INT') // false
 */
export function compatibility(catalog: Pick<Catalog, 'conversions'>): Compatibility {
  const table = new Set(catalog.conversions.map((c) => `${c.from}->${c.to}`));
  return (from, to) => from === to || from === 'ANY' || to === 'ANY' || table.has(`${from}->${to}`);
}

/**
 * The op table: every op the builder knows, by type. Each entry carries a shape and dtype rule and a slot
 * for its gradient rule. `registerOp` adds ops (custom domains, later opsets) without touching this file.
 */
import { elementwiseOps } from './elementwise.js';
import { linalgOps } from './linalg.js';
import { shapeOps } from './shape-ops.js';
import { reduceOps } from './reduce.js';
import type { OpDef } from './types.js';

const table = new Map<string, OpDef>();

function key(opType: string, domain = ''): string {
  return domain ? `${domain}::${opType}` : opType;
}

/**
 * Adds or replaces an op in the table (for example to attach its gradient rule).
 * @example registerOp({ ...getOp('Relu')!, gradient: reluGrad })
 */
export function registerOp(def: OpDef): void {
  table.set(key(def.opType, def.domain), def);
}

/**
 * The table entry of an op, or undefined when the builder has no rule for it.
 * @example getOp('MatMul')?.infer
 */
export function getOp(opType: string, domain = ''): OpDef | undefined {
  return table.get(key(opType, domain));
}

/** Every op type in the table, sorted. @example listOps().includes('Conv') // true */
export function listOps(): string[] {
  return [...table.keys()].sort();
}

for (const def of [...elementwiseOps, ...linalgOps, ...shapeOps, ...reduceOps]) registerOp(def);

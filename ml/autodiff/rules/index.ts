/**
 * The gradient rules, attached to the builder's op table through its public `registerOp` (each entry is
 * re-registered with its `gradient` slot filled).
 */
import { getOp, registerOp, type GradientRule } from '../../onnx/index.js';
import { elementwiseRules } from './elementwise.js';
import { linalgRules } from './linalg.js';
import { reduceRules } from './reduce.js';
import { shapeRules } from './shape.js';

/** Every rule by op type (default ONNX domain). */
export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = Object.freeze({
  ...elementwiseRules, ...linalgRules, ...shapeRules, ...reduceRules,
});

let installed = false;

/**
 * Fills the `gradient` slot of every op that has a rule here (idempotent; ops already carrying a rule keep it).
 * @example installGradientRules(); getOp('MatMul')?.gradient // defined
 */
export function installGradientRules(): void {
  if (installed) return;
  for (const [opType, rule] of Object.entries(GRADIENT_RULES)) {
    const def = getOp(opType);
    if (!def) throw new Error(`autodiff: the builder's op table has no '${opType}' to attach its gradient rule to`);
    if (!def.gradient) registerOp({ ...def, gradient: rule });
  }
  installed = true;
}

/** Op types that have a gradient rule. @example differentiableOps().includes('Softmax') // true */
export function differentiableOps(): string[] {
  return Object.keys(GRADIENT_RULES).sort();
}

export type { AutodiffContext } from './context.js';

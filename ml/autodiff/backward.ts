/**
 * Reverse-mode differentiation inside a builder: walks the nodes from the loss back to the parameters,
 * calling each op's gradient rule and summing the gradients of values used more than once.
 */
import { getOp, isFloat, type GraphBuilder, type NodeRecord, type Tensor } from '../onnx/index.js';
import { installGradientRules } from './rules/index.js';
import { withShape, zerosLike, type AutodiffContext } from './rules/context.js';

/**
 * Appends the backward ops of `loss` (a scalar: shape [] or [1]) to its builder and returns d(loss)/d(w)
 * for each of `wrt`, with w's shape (zeros where the loss does not depend on w).
 * @example const [gw] = differentiate(g, loss, [w]);
 */
export function differentiate(g: GraphBuilder, loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  installGradientRules();
  if (loss.owner !== g) throw new Error(`autodiff: the loss '${loss.name}' belongs to another graph than '${g.name}'`);
  if (!isFloat(loss.dtype)) throw new Error(`autodiff: the loss '${loss.name}' must be a float value, got ${loss.dtype}`);
  if (!(loss.rank === 0 || (loss.rank === 1 && loss.shape[0] === 1))) {
    throw new Error(`autodiff: the loss must be a scalar (shape [] or [1]), got ${loss.toString()}; reduce it first (e.g. g.reduceMean(x, axes, false))`);
  }
  const forward: NodeRecord[] = [...g.nodes];
  // Values that depend on a parameter (only they carry gradients).
  const active = new Set<Tensor>(wrt);
  const activeNode = new Set<NodeRecord>();
  for (const n of forward) {
    if (!n.inputs.some((t) => t && active.has(t))) continue;
    activeNode.add(n);
    for (const o of n.outputs) if (isFloat(o.dtype)) active.add(o);
  }

  const pending = new Map<Tensor, Tensor[]>();
  const push = (t: Tensor, gt: Tensor) => {
    if (gt.dtype !== t.dtype) throw new Error(`autodiff: a gradient of '${t.name}' (${t.dtype}) came out ${gt.dtype}`);
    const list = pending.get(t);
    if (list) list.push(gt);
    else pending.set(t, [gt]);
  };
  const total = (t: Tensor): Tensor | undefined => {
    const list = pending.get(t);
    if (!list || list.length === 0) return undefined;
    let s = withShape(g, list[0], t);
    for (let i = 1; i < list.length; i++) s = g.op('Add', [s, list[i]], {}, { outputTypes: [{ dtype: t.dtype, shape: t.shape }] });
    pending.set(t, [s]);
    return s;
  };
  push(loss, loss.rank === 0 ? g.scalar(1, loss) : g.constant(loss.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), [1], loss.dtype === 'float64' ? 'float64' : 'float32'));

  for (let k = forward.length - 1; k >= 0; k--) {
    const n = forward[k];
    if (!activeNode.has(n)) continue;
    const outputGrads = n.outputs.map((o) => total(o));
    if (outputGrads.every((x) => x === undefined)) continue;
    const needs = n.inputs.map((t) => t !== undefined && active.has(t));
    const rule = getOp(n.opType, n.domain)?.gradient;
    if (!rule) {
      throw new Error(`autodiff: no gradient rule for ${n.domain ? `${n.domain}::` : ''}${n.opType} (node '${n.name}'); add one in ml/autodiff/rules`);
    }
    const ctx: AutodiffContext = { builder: g, node: n, inputs: n.inputs, outputs: n.outputs, outputGrads, needs };
    const grads = rule(ctx);
    n.inputs.forEach((t, i) => {
      const gi = grads[i];
      if (t && needs[i] && gi) push(t, gi);
    });
  }
  return wrt.map((w) => total(w) ?? zerosLike(g, w));
}

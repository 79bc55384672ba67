/**
 * Copies the part of a built graph that some values depend on into a new builder, with chosen weights
 * turned into graph inputs (the trainable parameters). The forward half of every gradient and train-step
 * graph starts here.
 */
import { GraphBuilder, isFloat, type NodeRecord, type Tensor } from '../onnx/index.js';

/** The copied graph: the new builder, the copies of the asked-for values, and the parameter inputs. */
export interface ClonedGraph {
  readonly graph: GraphBuilder;
  /** Copies of `roots`, in order. */
  readonly roots: Tensor[];
  /** The parameter inputs, in the order of `paramNames`. */
  readonly params: Tensor[];
  /** The forward graph's inputs that the copy uses, by name, in the source's order. */
  readonly inputs: Tensor[];
}

/** The nodes the roots depend on, in the source's (topological) order. */
export function liveNodes(src: GraphBuilder, roots: readonly Tensor[]): NodeRecord[] {
  const live = new Set<NodeRecord>();
  const stack = roots.flatMap((t) => (t.producer ? [t.producer] : []));
  while (stack.length) {
    const n = stack.pop() as NodeRecord;
    if (live.has(n)) continue;
    live.add(n);
    for (const t of n.inputs) if (t?.producer && !live.has(t.producer)) stack.push(t.producer);
  }
  return src.nodes.filter((n) => live.has(n));
}

/**
 * Copies what `roots` depend on into a new builder; the weights named in `paramNames` become float graph
 * inputs of the same names (a weight stored as float16/bfloat16 loses its Cast: the input is its compute
 * dtype). Other weights and constants stay initializers.
 * @example const { graph, roots: [loss], params } = cloneWithParams(g, [loss], ['fc.weight']);
 */
export function cloneWithParams(src: GraphBuilder, roots: readonly Tensor[], paramNames: readonly string[], name = `${src.name}-train`): ClonedGraph {
  for (const r of roots) if (r.owner !== src) throw new Error(`autodiff: '${r.name}' belongs to another graph than '${src.name}'`);
  const g = new GraphBuilder({ name, opset: src.opset, metadata: src.metadata });
  const map = new Map<string, Tensor>();
  const nodes = liveNodes(src, roots);
  const used = new Set<string>();
  for (const n of nodes) for (const t of n.inputs) if (t) used.add(t.name);
  for (const r of roots) used.add(r.name);

  const inputs: Tensor[] = [];
  for (const x of src.inputs) {
    if (!used.has(x.name)) continue;
    const t = g.input(x.name, x.dtype, x.shape);
    map.set(x.name, t);
    inputs.push(t);
  }
  const castOf = new Map<string, Tensor>(); // stored weight name -> its float32 parameter input
  const params = paramNames.map((p) => {
    const init = src.initializers.find((i) => i.name === p && i.kind === 'weight');
    if (!init) throw new Error(`autodiff: graph '${src.name}' has no weight named '${p}'`);
    if (!isFloat(init.computeDtype)) throw new Error(`autodiff: weight '${p}' is ${init.computeDtype}; only float weights can be parameters`);
    const t = g.input(p, init.computeDtype, init.dims);
    if (init.dtype === init.computeDtype) map.set(p, t);
    else castOf.set(p, t);
    return t;
  });

  const leaf = (t: Tensor): Tensor => {
    const got = map.get(t.name);
    if (got) return got;
    const init = src.initializers.find((i) => i.name === t.name);
    if (!init) throw new Error(`autodiff: '${t.name}' of graph '${src.name}' is neither an input, an initializer nor a node output`);
    if (!init.data) throw new Error(`autodiff: weight '${init.name}' has no values (declared with null data; set it before building a training graph)`);
    const copy = init.kind === 'weight'
      ? g.weight(init.name, init.data, init.dims, { dtype: init.dtype, storage: 'float32' })
      : g.constant(init.data, init.dims, init.dtype);
    map.set(t.name, copy);
    return copy;
  };

  for (const n of nodes) {
    const first = n.inputs[0];
    if (n.opType === 'Cast' && first && first.kind === 'weight' && castOf.has(first.name)) {
      map.set(n.outputs[0].name, castOf.get(first.name) as Tensor);
      continue;
    }
    const ins = n.inputs.map((t) => (t ? map.get(t.name) ?? leaf(t) : undefined));
    const outs = g.opMulti(n.opType, ins, n.attrs, n.outputs.length, {
      domain: n.domain,
      outputTypes: n.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape, values: o.values })),
    });
    outs.forEach((o, i) => map.set(n.outputs[i].name, o));
  }
  return { graph: g, roots: roots.map((r) => map.get(r.name) ?? leaf(r)), params, inputs };
}

/**
 * The float weights that a value depends on, in the graph's order (the default parameters of a loss).
 * @example reachableWeights(g, loss) // ['fc1.weight', 'fc1.bias', ...]
 */
export function reachableWeights(src: GraphBuilder, root: Tensor): string[] {
  const names = new Set<string>();
  for (const n of liveNodes(src, [root])) for (const t of n.inputs) if (t?.kind === 'weight') names.add(t.name);
  return src.initializers.filter((i) => i.kind === 'weight' && names.has(i.name) && isFloat(i.computeDtype)).map((i) => i.name);
}

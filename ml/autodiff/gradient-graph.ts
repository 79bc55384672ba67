/** A graph that computes a loss and its gradients (no update): for gradient checks and custom optimisers. */
import type { GraphBuilder, Tensor } from '../onnx/index.js';
import { cloneWithParams, reachableWeights } from './clone.js';
import { differentiate } from './backward.js';

/** Options of {@link buildGradientGraph}. */
export interface GradientGraphOptions {
  /** The scalar loss, a value of the source graph. */
  readonly loss: Tensor;
  /** Weight names to differentiate (default: every float weight the loss depends on). */
  readonly params?: readonly string[];
}

/** A built gradient graph and its I/O names. */
export interface GradientGraph {
  readonly graph: GraphBuilder;
  /** The parameters, in order; each is a graph input of that name. */
  readonly params: readonly string[];
  /** The forward inputs the loss needs. */
  readonly inputNames: readonly string[];
  /** Output name of each parameter's gradient (`grad.<name>`). */
  readonly gradNames: readonly string[];
  /** Output name of the loss ('loss'). */
  readonly lossName: string;
}

/**
 * Copies the loss's forward graph with the parameters as inputs and adds the backward pass. Outputs: `loss`
 * and `grad.<param>` for each parameter.
 * @example
 * const { graph } = buildGradientGraph(g, { loss });
 * const out = await session.run({ x, 'fc.weight': w }); out['grad.fc.weight']
 */
export function buildGradientGraph(src: GraphBuilder, options: GradientGraphOptions): GradientGraph {
  const params = options.params ?? reachableWeights(src, options.loss);
  const { graph, roots: [loss], params: ps, inputs } = cloneWithParams(src, [options.loss], params, `${src.name}-grad`);
  const grads = differentiate(graph, loss, ps);
  graph.output(loss, 'loss');
  const gradNames = params.map((p, i) => graph.output(grads[i], `grad.${p}`).name);
  return { graph, params, inputNames: [...inputs.map((t) => t.name), ...params], gradNames, lossName: 'loss' };
}

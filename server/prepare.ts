/**
 * Turns a submission `{graph, inputs?}` into a runnable document, or one error listing every issue:
 * parse (schema, migrations), apply params (values as given, no coercion), validate.
 */
import {
  applyParams,
  BadRequestError,
  GraphValidationError,
  parseGraph,
  validateGraph,
  type GraphDocument,
  type GraphIssue,
  type NodeRegistry,
} from '../engine/index.js';

/**
 * @example const doc = prepareRun(req.body, registry); // throws GraphDocumentError / GraphValidationError (400)
 */
export function prepareRun(body: unknown, registry: NodeRegistry): GraphDocument {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('expected a JSON object {graph, inputs?} with Content-Type: application/json');
  }
  const { graph, inputs } = body as { graph?: unknown; inputs?: unknown };
  if (graph === undefined) throw new BadRequestError('the body has no "graph" (a graph document)');
  if (inputs !== undefined && (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))) {
    throw new BadRequestError('"inputs" must be an object of param name -> value');
  }
  const parsed = parseGraph(graph, 'graph');
  const issues: GraphIssue[] = [];
  let doc = parsed;
  // One param at a time, so a bad one does not hide the others or the graph's own issues.
  for (const [name, value] of Object.entries((inputs ?? {}) as Record<string, unknown>)) {
    try {
      doc = applyParams(doc, { [name]: value }, registry);
    } catch (error) {
      if (!(error instanceof GraphValidationError)) throw error;
      // A param the graph declares but points nowhere is reported by validation below.
      if (!parsed.params?.[name]) issues.push(...error.issues);
    }
  }
  issues.push(...validateGraph(doc, registry));
  if (issues.length) throw new GraphValidationError(issues);
  return doc;
}

/**
 * Validation: every issue of a graph at once, never only the first, each `{type, node, input, message}`.
 */
import type { GraphIssue } from './errors.js';
import { GraphValidationError } from './errors.js';
import type { GraphDocument } from './graph.js';
import { isLink } from './graph.js';
import { hasWidget, outputType, type InputSpec } from './node.js';
import { findCycles } from './plan.js';
import type { NodeRegistry } from './registry.js';
import { canConvert } from './types.js';

/** The issue types validation reports. */
export const ISSUE_TYPES = [
  'unknown_node_type',
  'unknown_input',
  'missing_input',
  'missing_node',
  'missing_output',
  'type_mismatch',
  'invalid_value',
  'out_of_range',
  'invalid_choice',
  'cycle',
  'no_output',
  'invalid_param',
] as const;

/**
 * Checks a literal against its input spec; returns issues (type, range, choices).
 * @example checkLiteral('n', 'count', { type: T.INT, min: 1 }, 0) // [{ type: 'out_of_range', ... }]
 */
export function checkLiteral(node: string, input: string, spec: InputSpec, value: unknown): GraphIssue[] {
  if (spec.list && Array.isArray(value)) return value.flatMap((v, i) => checkLiteral(node, `${input}[${i}]`, { ...spec, list: false }, v));
  if (!hasWidget(spec)) {
    return [{ type: 'invalid_value', node, input, message: `${node}.${input} takes a link from a ${spec.type.id} output, not a literal value` }];
  }
  const typeError = spec.type.check?.(value);
  if (typeError) return [{ type: 'invalid_value', node, input, message: `${node}.${input}: ${typeError} (${spec.type.id}), got ${JSON.stringify(value)}` }];
  if (spec.choices && !spec.choices.includes(value as string | number)) {
    return [{ type: 'invalid_choice', node, input, message: `${node}.${input}: ${JSON.stringify(value)} is not one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}` }];
  }
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) return [{ type: 'out_of_range', node, input, message: `${node}.${input}: ${value} is below the minimum ${spec.min}` }];
    if (spec.max !== undefined && value > spec.max) return [{ type: 'out_of_range', node, input, message: `${node}.${input}: ${value} is above the maximum ${spec.max}` }];
  }
  return [];
}

function checkNodes(doc: GraphDocument, registry: NodeRegistry): GraphIssue[] {
  const issues: GraphIssue[] = [];
  for (const [id, node] of Object.entries(doc.nodes)) {
    const def = registry.get(node.type);
    if (!def) {
      issues.push({ type: 'unknown_node_type', node: id, message: `node "${id}" has unknown type "${node.type}"` });
      continue;
    }
    const given = node.inputs ?? {};
    for (const name of Object.keys(given)) {
      if (!(name in def.inputs)) issues.push({ type: 'unknown_input', node: id, input: name, message: `node "${id}" (${node.type}) has no input "${name}"` });
    }
    for (const [name, spec] of Object.entries(def.inputs) as Array<[string, InputSpec]>) {
      const value = given[name];
      if (value === undefined || value === null) {
        if (!spec.optional && spec.default === undefined) {
          issues.push({ type: 'missing_input', node: id, input: name, message: `node "${id}" (${node.type}) needs input "${name}" (${spec.type.id})` });
        }
        continue;
      }
      if (!isLink(value)) {
        issues.push(...checkLiteral(id, name, spec, value));
        continue;
      }
      const source = doc.nodes[value.from];
      if (!source) {
        issues.push({ type: 'missing_node', node: id, input: name, message: `${id}.${name} links from node "${value.from}", which does not exist` });
        continue;
      }
      const sourceDef = registry.get(source.type);
      if (!sourceDef) continue; // reported as unknown_node_type on the source
      const out = sourceDef.outputs[value.output];
      if (!out) {
        issues.push({ type: 'missing_output', node: id, input: name, message: `${id}.${name} links from "${value.from}.${value.output}", but ${source.type} has no output "${value.output}" (it has ${Object.keys(sourceDef.outputs).join(', ') || 'none'})` });
        continue;
      }
      const from = outputType(out).id;
      if (!canConvert(from, spec.type.id)) {
        issues.push({ type: 'type_mismatch', node: id, input: name, message: `${id}.${name} expects ${spec.type.id} but "${value.from}.${value.output}" gives ${from}` });
      }
    }
  }
  return issues;
}

function checkParams(doc: GraphDocument, registry: NodeRegistry): GraphIssue[] {
  const issues: GraphIssue[] = [];
  for (const [name, param] of Object.entries(doc.params ?? {})) {
    const node = doc.nodes[param.node];
    const def = node && registry.get(node.type);
    if (!node) issues.push({ type: 'invalid_param', node: param.node, message: `param "${name}" points at node "${param.node}", which does not exist` });
    else if (def && !(param.input in def.inputs)) {
      issues.push({ type: 'invalid_param', node: param.node, input: param.input, message: `param "${name}" points at ${param.node}.${param.input}, which ${node.type} does not have` });
    }
  }
  return issues;
}

/**
 * Every issue of the graph against the registry: empty when it can run.
 * @example const issues = validateGraph(doc, registry); if (issues.length) console.table(issues);
 */
export function validateGraph(doc: GraphDocument, registry: NodeRegistry): GraphIssue[] {
  const issues = [...checkNodes(doc, registry), ...checkParams(doc, registry)];
  for (const cycle of findCycles(doc)) {
    issues.push({ type: 'cycle', node: cycle[0], message: `nodes ${cycle.map((c) => `"${c}"`).join(' -> ')} form a cycle` });
  }
  const hasOutput = Object.values(doc.nodes).some((n) => registry.get(n.type)?.output);
  if (!hasOutput) issues.push({ type: 'no_output', message: 'the graph has no output node (save, preview, write, ...), so running it would produce nothing' });
  return issues;
}

/**
 * Throws a GraphValidationError listing every issue, if any.
 * @example assertValid(doc, registry);
 */
export function assertValid(doc: GraphDocument, registry: NodeRegistry): void {
  const issues = validateGraph(doc, registry);
  if (issues.length) throw new GraphValidationError(issues);
}

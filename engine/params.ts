/**
 * Graph parameters: named entry points (`params`) filled from `--set name=value` or the API's `inputs`.
 */
import { GraphValidationError, type GraphIssue } from './errors.js';
import type { GraphDocument } from './graph.js';
import type { NodeRegistry } from './registry.js';

/**
 * Turns a command-line string into a value of the input's socket type.
 * @example coerceParam('INT', '12') // 12
 */
export function coerceParam(typeId: string, text: string): unknown {
  switch (typeId) {
    case 'INT':
      if (!/^[-+]?\d+$/.test(text.trim())) throw new Error(`"${text}" is not an integer`);
      return Number.parseInt(text, 10);
    case 'FLOAT': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`"${text}" is not a number`);
      return n;
    }
    case 'BOOLEAN':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      throw new Error(`"${text}" is not a boolean (true or false)`);
    case 'STRING':
      return text;
    default:
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
  }
}

/**
 * Returns a copy of the document with params set. String values are coerced to the input's type when
 * `coerce` is true (command line); API values are taken as given and checked by validation.
 * @example applyParams(doc, { video: 'a.mp4' }, registry, { coerce: true })
 */
export function applyParams(
  doc: GraphDocument,
  values: Record<string, unknown>,
  registry: NodeRegistry,
  options: { coerce?: boolean } = {},
): GraphDocument {
  const out = structuredClone(doc);
  const issues: GraphIssue[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const param = out.params?.[name];
    if (!param) {
      const known = Object.keys(out.params ?? {});
      issues.push({ type: 'invalid_param', message: `unknown param "${name}"; this graph has ${known.length ? known.join(', ') : 'no params'}` });
      continue;
    }
    const node = out.nodes[param.node];
    const spec = node && registry.get(node.type)?.inputs[param.input];
    if (!node || !spec) {
      issues.push({ type: 'invalid_param', node: param.node, input: param.input, message: `param "${name}" points at ${param.node}.${param.input}, which does not exist` });
      continue;
    }
    let value = raw;
    if (options.coerce && typeof raw === 'string') {
      try {
        value = coerceParam(spec.type.id, raw);
      } catch (error) {
        issues.push({ type: 'invalid_value', node: param.node, input: param.input, message: `param "${name}": ${(error as Error).message}` });
        continue;
      }
    }
    node.inputs = { ...(node.inputs ?? {}), [param.input]: value };
  }
  if (issues.length) throw new GraphValidationError(issues);
  return out;
}

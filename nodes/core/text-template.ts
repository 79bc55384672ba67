/** core/text-template: fills `{name}` placeholders from named values. */
import { defineNode, T } from '../../engine/index.js';

/**
 * Parses the `values` input: a JSON object (`{"i": 0, "instruction": "..."}`) or `name=value` lines.
 * An object arriving over a link is taken as is.
 * @example parseTemplateValues('i=0\ninstruction=make it red') // { i: '0', instruction: 'make it red' }
 */
export function parseTemplateValues(values: unknown): Record<string, unknown> {
  if (values === undefined || values === null) return {};
  if (typeof values === 'object' && !Array.isArray(values)) return values as Record<string, unknown>;
  if (typeof values !== 'string') throw new Error(`values must be a JSON object or name=value lines, got ${JSON.stringify(values)}`);
  const text = values.trim();
  if (!text) return {};
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`values is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('values must be a JSON object ({"name": value, ...})');
    return parsed as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`values line ${i + 1} "${line}" is not name=value (or give a JSON object)`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return out;
}

/**
 * Replaces each `{name}` in `template` with `values[name]` (`{{` and `}}` give literal braces). A
 * placeholder without a value is an error naming it and the values that exist.
 * @example fillTemplate('Based on <IMG{i}>, {instruction}.', { i: 0, instruction: 'add a hat' })
 * // 'Based on <IMG0>, add a hat.'
 */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  const missing = new Set<string>();
  const text = template.replace(/\{\{|\}\}|\{([A-Za-z_][\w.-]*)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (!(name! in values) || values[name!] === undefined) {
      missing.add(name!);
      return match;
    }
    const value = values[name!];
    return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
  if (missing.size) {
    const names = [...missing].map((n) => `{${n}}`).join(', ');
    const known = Object.keys(values);
    throw new Error(`the template uses ${names} but no value is given for ${missing.size > 1 ? 'them' : 'it'} (values has ${known.length ? known.join(', ') : 'nothing'})`);
  }
  return text;
}

/**
 * Fills a text template from named values, e.g. a VINCIE turn prompt.
 * @example
 * { "type": "core/text-template", "inputs": {
 *   "template": "Based on <IMG{i}>, {instruction}.", "values": "{\"i\": 0, \"instruction\": \"add a hat\"}" } }
 */
export const textTemplateNode = defineNode({
  type: 'core/text-template',
  title: 'Text template',
  description: 'Fills {name} placeholders in a template from values: a JSON object or name=value lines ({{ and }} are literal braces).',
  inputs: {
    template: { type: T.STRING, default: 'Based on <IMG{i}>, {instruction}.', multiline: true, description: 'text with {name} placeholders' },
    values: {
      type: T.STRING,
      default: '{"i": 0, "instruction": "make the sky red"}',
      multiline: true,
      description: 'a JSON object, or one name=value per line',
    },
  },
  outputs: { text: T.STRING },
  run: ({ template, values }) => ({ text: fillTemplate(template, parseTemplateValues(values)) }),
});

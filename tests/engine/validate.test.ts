import { defineNode, T, GraphValidationError, NodeRegistry, validateGraph, parseGraph, GraphDocumentError, runGraph } from '../../engine/index.js';
import { testPack } from '../support/test-nodes.js';
import { graph, link } from '../support/graph.js';

const registry = new NodeRegistry().addPack(testPack);
const types = (doc: ReturnType<typeof graph>) => validateGraph(doc, registry).map((i) => i.type);
const sink = (from: string, output: string) => ({ type: 'test/sink', inputs: { value: link(from, output) } });

describe('validation reports each issue type', () => {
  test('a valid graph has no issues', () => {
    expect(validateGraph(graph({ n: { type: 'test/number', inputs: { value: 1 } }, s: sink('n', 'value') }), registry)).toEqual([]);
  });

  test('unknown node type', () => {
    const issues = validateGraph(graph({ x: { type: 'nope/nothing' }, s: sink('x', 'a') }), registry);
    expect(issues).toContainEqual(expect.objectContaining({ type: 'unknown_node_type', node: 'x' }));
    expect(issues.find((i) => i.type === 'unknown_node_type')!.message).toContain('nope/nothing');
  });

  test('missing required input', () => {
    const issues = validateGraph(graph({ f: { type: 'test/fail' }, s: sink('f', 'value') }), registry);
    expect(issues).toEqual([expect.objectContaining({ type: 'missing_input', node: 'f', input: 'value' })]);
  });

  test('link to a missing node', () => {
    expect(validateGraph(graph({ s: sink('ghost', 'value') }), registry)).toEqual([
      expect.objectContaining({ type: 'missing_node', node: 's', input: 'value' }),
    ]);
  });

  test('link to a missing output names the outputs that exist', () => {
    const issues = validateGraph(graph({ n: { type: 'test/number' }, s: sink('n', 'nothing') }), registry);
    expect(issues).toEqual([expect.objectContaining({ type: 'missing_output', node: 's', input: 'value' })]);
    expect(issues[0]!.message).toContain('value');
  });

  test('type mismatch across a link', () => {
    const doc = graph({
      n: { type: 'test/number' },
      r: { type: 'test/range', inputs: { count: link('n', 'value') } }, // FLOAT into INT: no conversion
      c: { type: 'test/collect', inputs: { values: link('r', 'value') } },
    });
    expect(validateGraph(doc, registry)).toEqual([expect.objectContaining({ type: 'type_mismatch', node: 'r', input: 'count' })]);
  });

  test('a declared conversion is accepted (INT into FLOAT)', () => {
    const doc = graph({ r: { type: 'test/range' }, a: { type: 'test/add', inputs: { a: link('r', 'value') } }, c: { type: 'test/collect', inputs: { values: link('a', 'sum') } } });
    expect(validateGraph(doc, registry)).toEqual([]);
  });

  test('a literal of the wrong type', () => {
    expect(types(graph({ n: { type: 'test/number', inputs: { value: 'three' } }, s: sink('n', 'value') }))).toEqual(['invalid_value']);
  });

  test('value out of range', () => {
    const issues = validateGraph(graph({ r: { type: 'test/range', inputs: { count: -1 } }, c: { type: 'test/collect', inputs: { values: link('r', 'value') } } }), registry);
    expect(issues).toEqual([expect.objectContaining({ type: 'out_of_range', node: 'r', input: 'count' })]);
    expect(issues[0]!.message).toMatch(/minimum 0/);
  });

  test('value not among the choices', () => {
    const reg = new NodeRegistry().addPack({ name: 'c2', nodes: [defineNode({ type: 'c2/pick', description: 'pick', output: true, inputs: { mode: { type: T.STRING, choices: ['a', 'b'], default: 'a' } }, outputs: { mode: T.STRING }, run: ({ mode }) => ({ mode }) })] });
    expect(validateGraph(graph({ p: { type: 'c2/pick', inputs: { mode: 'z' } } }), reg)).toEqual([
      expect.objectContaining({ type: 'invalid_choice', node: 'p', input: 'mode' }),
    ]);
  });

  test('a cycle names its nodes', () => {
    const doc = graph({
      a: { type: 'test/add', inputs: { a: link('b', 'sum') } },
      b: { type: 'test/add', inputs: { a: link('a', 'sum') } },
      s: sink('a', 'sum'),
    });
    const issues = validateGraph(doc, registry);
    expect(issues).toEqual([expect.objectContaining({ type: 'cycle' })]);
    expect(issues[0]!.message).toContain('"a"');
    expect(issues[0]!.message).toContain('"b"');
  });

  test('no output node', () => {
    expect(types(graph({ n: { type: 'test/number' } }))).toEqual(['no_output']);
  });

  test('unknown input and a param pointing nowhere', () => {
    const doc = graph({ n: { type: 'test/number', inputs: { valu: 1 } }, s: sink('n', 'value') }, { params: { v: { node: 'n', input: 'nope' } } });
    expect(types(doc).sort()).toEqual(['invalid_param', 'unknown_input']);
  });

  test('every issue at once, and runGraph refuses with all of them', () => {
    const doc = graph({ x: { type: 'nope/x' }, f: { type: 'test/fail' }, r: { type: 'test/range', inputs: { count: 'many' } } });
    expect(types(doc).sort()).toEqual(['invalid_value', 'missing_input', 'no_output', 'unknown_node_type']);
    let error: unknown;
    try {
      runGraph(doc, { registry });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphValidationError);
    expect((error as GraphValidationError).issues).toHaveLength(4);
  });
});

describe('documents', () => {
  test('malformed JSON is a GraphDocumentError with the parser message', () => {
    expect(() => parseGraph('{"format": ', 'g.json')).toThrow(GraphDocumentError);
    expect(() => parseGraph('{"format": ', 'g.json')).toThrow(/g\.json is not valid JSON/);
  });

  test('schema problems are listed with their node', () => {
    try {
      parseGraph({ format: 'cinegraph.graph', version: 1, nodes: { a: { inputs: {} }, b: { type: 'x', onItemError: 'maybe' } } });
      throw new Error('should fail');
    } catch (error) {
      expect(error).toBeInstanceOf(GraphDocumentError);
      const issues = (error as GraphDocumentError).issues;
      expect(issues.map((i) => i.node).sort()).toEqual(['a', 'b']);
    }
  });

  test('unknown fields and layout are kept', () => {
    const doc = parseGraph({
      format: 'cinegraph.graph', version: 1, extra: { keep: true },
      nodes: { n: { type: 'test/number', note: 'hi' } },
      layout: { nodes: { n: { pos: [1, 2] } }, groups: [{ title: 'g', bounding: [0, 0, 10, 10] }] },
    });
    expect(doc.extra).toEqual({ keep: true });
    expect(doc.nodes.n!.note).toBe('hi');
    expect(doc.layout!.groups![0]!.title).toBe('g');
  });

  test('a newer version is refused clearly', () => {
    expect(() => parseGraph({ format: 'cinegraph.graph', version: 99, nodes: {} })).toThrow(/version 99/);
  });
});

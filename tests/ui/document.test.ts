/**
 * The editor's document conversion (ui/src/document.ts), in Node: graph document -> LiteGraph's serialised
 * graph -> graph document, over the real node catalog. What the editor saves must be what was loaded
 * (positions, groups, params, unknown fields) and must validate on the server's rules.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { allConversions, allTypes, canConvert, parseGraph, validateGraph } from '../../engine/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { compatibility } from '../../ui/src/compat.js';
import { fromDocument, indexCatalog, readableId, toDocument, type LgGraph } from '../../ui/src/document.js';
import type { Catalog, GraphDocument } from '../../ui/src/protocol.js';
import { nodeShape } from '../../ui/src/shape.js';

const registry = builtinRegistry();
const catalog = JSON.parse(JSON.stringify(registry.catalog())) as Catalog;
const index = indexCatalog(catalog);
const template = async (name: string) => JSON.parse(await readFile(join('graphs', `${name}.json`), 'utf8')) as GraphDocument;
const roundTrip = (doc: GraphDocument) => toDocument(JSON.parse(JSON.stringify(fromDocument(doc, index))) as LgGraph, index);

describe('a document loaded into the editor and saved back', () => {
  test.each(['contact-sheet', 'mask-overlay'])('is the shipped template %s, unchanged', async (name) => {
    const doc = await template(name);
    const saved = roundTrip(doc);
    expect(saved).toEqual(doc);
    expect(validateGraph(parseGraph(saved), registry)).toEqual([]);
  });

  test('keeps groups, unknown fields of the document, its nodes and its layout', async () => {
    const doc = await template('mask-overlay');
    const extended = {
      ...doc,
      author: 'someone',
      layout: { ...doc.layout, zoom: 0.8, groups: [{ title: 'Inputs', bounding: [20, 0, 320, 420], color: '#3f789e' }] },
      nodes: { ...doc.nodes, threshold: { ...doc.nodes.threshold, onItemError: 'skip', concurrency: 3, note: 'tuned' } },
    } as GraphDocument;
    extended.layout!.nodes!.save = { ...extended.layout!.nodes!.save, collapsed: false };
    expect(roundTrip(extended)).toEqual(extended);
  });

  test('places nodes without a layout and gives them one', () => {
    const doc: GraphDocument = {
      format: 'cinegraph.graph',
      version: 1,
      nodes: {
        a: { type: 'image/load', inputs: { path: 'x.png' } },
        b: { type: 'image/preview', inputs: { image: { from: 'a', output: 'image' } } },
      },
    };
    const saved = roundTrip(doc);
    const [a, b] = [saved.layout!.nodes!.a.pos!, saved.layout!.nodes!.b.pos!];
    expect(b[0]).toBeGreaterThan(a[0]); // downstream is to the right
    expect(saved.nodes).toEqual(doc.nodes);
  });

  test('keeps what it cannot draw: an unknown node type, a link to a missing node', () => {
    const doc: GraphDocument = {
      format: 'cinegraph.graph',
      version: 1,
      nodes: {
        odd: { type: 'someone/else', inputs: { level: 3 } },
        show: { type: 'core/show', inputs: { value: { from: 'gone', output: 'x' } } },
      },
      layout: { nodes: { odd: { pos: [0, 0], size: [200, 100] }, show: { pos: [300, 0], size: [240, 200] } }, groups: [] },
    };
    expect(roundTrip(doc)).toEqual(doc);
  });
});

describe('the editor graph saved as a document', () => {
  test('names new nodes readably, links by ids, and writes widget values as literals', () => {
    const g = fromDocument({ format: 'cinegraph.graph', version: 1, nodes: {}, name: 'fresh' }, index);
    const load = nodeShape(index.get('image/load')!);
    const resize = nodeShape(index.get('image/resize')!);
    const node = (id: number, type: string, shape: typeof load, values: unknown[], props = {}) => ({
      id, type, pos: [id * 300, 0], size: shape.size, properties: props, widgets_values: values,
      inputs: shape.inputs.map((s) => ({ ...s, link: null as number | null })), outputs: shape.outputs.map((o) => ({ ...o, links: null as number[] | null })),
    });
    // Two resize nodes added in the editor (no id yet) after a pasted node whose id repeats another's.
    g.nodes.push(node(1, 'image/load', load, ['in.png'], { id: 'load' }), node(2, 'image/resize', resize, [64, 32, 'cover', 'area']), node(3, 'image/resize', resize, [8, 8, 'fill', 'nearest'], { id: 'resize' }), node(4, 'image/load', load, ['b.png'], { id: 'load' }));
    g.links.push([1, 1, 0, 2, 0, 'IMAGE']);
    g.nodes[0].outputs![0].links = [1];
    g.nodes[1].inputs![0].link = 1;
    const doc = toDocument(g, index);
    expect(Object.keys(doc.nodes)).toEqual(['load', 'resize_2', 'resize', 'load_2']);
    expect(doc.nodes.resize_2).toEqual({ type: 'image/resize', inputs: { image: { from: 'load', output: 'image' }, width: 64, height: 32, fit: 'cover', method: 'area' } });
    expect(doc.name).toBe('fresh');
  });

  test('drops params of deleted nodes (the CLI would refuse them)', async () => {
    const g = fromDocument(await template('mask-overlay'), index);
    g.nodes = g.nodes.filter((n) => n.properties?.id !== 'overlay');
    const doc = toDocument(g, index);
    expect(Object.keys(doc.params!)).toEqual(['image', 'mask', 'threshold', 'prefix']);
  });

  test('readableId counts up past taken ids', () => {
    expect(readableId('image/resize', new Set())).toBe('resize');
    expect(readableId('image/resize', new Set(['resize', 'resize_2']))).toBe('resize_3');
    expect(readableId('core/text-join', new Set())).toBe('text-join');
  });
});

describe('links', () => {
  test('are accepted by the editor exactly when the server accepts them', () => {
    expect(allConversions().length).toBeGreaterThan(0);
    const ok = compatibility(catalog);
    const ids = allTypes().map((t) => t.id);
    for (const from of ids) for (const to of ids) expect([from, to, ok(from, to)]).toEqual([from, to, canConvert(from, to)]);
  });

  test('every input has a socket; inputs with widgets have theirs on the widget row', () => {
    const shape = nodeShape(index.get('image/save')!);
    expect(shape.inputs.map((s) => s.name)).toEqual(['image', 'prefix', 'format', 'quality']);
    for (const w of shape.widgets) {
      const slot = shape.inputs.find((s) => s.name === w.name)!;
      expect(slot.pos![1]).toBeGreaterThan(w.y);
      expect(slot.pos![1]).toBeLessThan(w.y + w.height);
    }
    expect(shape.widgets.map((w) => [w.name, w.kind])).toEqual([['prefix', 'text'], ['format', 'combo'], ['quality', 'number']]);
  });
});

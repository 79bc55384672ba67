/**
 * The graph document <-> LiteGraph's serialised graph, both ways, as pure functions over plain data (no
 * DOM, no LiteGraph import), so the conversion is unit-tested in Node.
 *
 * What LiteGraph has no place for rides along where LiteGraph keeps it untouched: the document's header
 * (name, description, params, unknown fields) in the graph's `extra.cinegraph`; a node's document id, run
 * settings (onItemError, concurrency, unknown fields) and literals that have no widget in its `properties`.
 * So a loaded document saved back keeps what the editor does not edit.
 */
import { isLink, type Catalog, type DocNode, type GraphDocument, type NodeInfo } from './protocol.js';
import { initialValue, nodeShape, SLOT_HEIGHT, type SlotShape } from './shape.js';

/** An input slot of a serialised LiteGraph node. */
export interface LgInput extends SlotShape {
  link: number | null;
}

/** An output slot of a serialised LiteGraph node. */
export interface LgOutput {
  name: string;
  type: string;
  links: number[] | null;
}

/** What the editor keeps in a node's `properties`. */
export interface LgNodeProps {
  /** The node's id in the document. */
  id?: string;
  /** Document node fields other than type, title and inputs (onItemError, concurrency, unknown ones). */
  extra?: Record<string, unknown>;
  /** Literal inputs without a widget (unknown inputs, or a literal where only a link fits): kept as is. */
  literals?: Record<string, unknown>;
  /** Unknown fields of the node's layout entry. */
  layout?: Record<string, unknown>;
  [other: string]: unknown;
}

/** A node of LiteGraph's `graph.serialize()`. */
export interface LgNode {
  id: number;
  type: string;
  title?: string;
  pos: [number, number] | Float32Array | number[];
  size: [number, number] | Float32Array | number[];
  flags?: Record<string, unknown>;
  order?: number;
  mode?: number;
  inputs?: LgInput[];
  outputs?: LgOutput[];
  properties?: LgNodeProps;
  widgets_values?: unknown[];
  [other: string]: unknown;
}

/** `[id, origin node, origin slot, target node, target slot, type]`. */
export type LgLink = [number, number, number, number, number, string];

export interface LgGroup {
  title: string;
  bounding: [number, number, number, number] | number[];
  color?: string;
  font_size?: number;
}

/** The document's fields that LiteGraph has no place for, kept in `graph.extra.cinegraph`. */
export interface DocumentHead {
  name?: string;
  description?: string;
  params?: GraphDocument['params'];
  /** Unknown top-level fields. */
  rest?: Record<string, unknown>;
  /** Unknown fields of `layout`. */
  layoutRest?: Record<string, unknown>;
}

/** LiteGraph's `graph.serialize()` (the parts the editor uses). */
export interface LgGraph {
  last_node_id: number;
  last_link_id: number;
  nodes: LgNode[];
  links: LgLink[];
  groups: LgGroup[];
  config: Record<string, unknown>;
  extra: { cinegraph?: DocumentHead; [other: string]: unknown };
  version: number;
}

/** The catalog by node type. */
export type CatalogIndex = ReadonlyMap<string, NodeInfo>;

/**
 * Indexes a catalog by node type.
 * @example const index = indexCatalog(await api.nodes());
 */
export function indexCatalog(catalog: Pick<Catalog, 'nodes'>): CatalogIndex {
  return new Map(catalog.nodes.map((n) => [n.type, n]));
}

const DEFAULT_GROUP_FONT = 24;
const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/**
 * A readable, unused node id for a node type: its last path segment, then `_2`, `_3`, ...
 * @example readableId('image/resize', new Set(['resize'])) // 'resize_2'
 */
export function readableId(type: string, taken: ReadonlySet<string>): string {
  const base = (type.split('/').pop() ?? 'node').replace(/[^A-Za-z0-9_.:-]+/g, '_').replace(/^_+|_+$/g, '') || 'node';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

const round = (v: ArrayLike<number>, n: number): number[] => Array.from({ length: n }, (_, i) => Math.round(Number(v[i] ?? 0)));

/**
 * Converts LiteGraph's serialised graph into a graph document that the server and the CLI run unchanged.
 * Node ids come from each node's `properties.id` (a missing or repeated one gets a fresh readable id).
 * @example const doc = toDocument(graph.serialize(), indexCatalog(catalog));
 */
export function toDocument(graph: LgGraph, catalog: CatalogIndex): GraphDocument {
  const head = graph.extra?.cinegraph ?? {};
  const ids = new Map<number, string>();
  const taken = new Set<string>();
  for (const node of graph.nodes) {
    const wanted = node.properties?.id;
    const id = typeof wanted === 'string' && ID_PATTERN.test(wanted) && !taken.has(wanted) ? wanted : readableId(node.type, new Set([...taken, ...graph.nodes.map((n) => String(n.properties?.id ?? ''))]));
    ids.set(node.id, id);
    taken.add(id);
  }
  const byNumber = new Map(graph.nodes.map((n) => [n.id, n]));
  const links = new Map(graph.links.filter(Boolean).map((l) => [l[0], l]));

  const nodes: Record<string, DocNode> = {};
  const layoutNodes: NonNullable<NonNullable<GraphDocument['layout']>['nodes']> = {};
  for (const node of graph.nodes) {
    const id = ids.get(node.id) as string;
    const info = catalog.get(node.type);
    const props = node.properties ?? {};
    const inputs: Record<string, unknown> = {};
    const linkOf = (slot: LgInput | undefined) => {
      const link = slot?.link != null ? links.get(slot.link) : undefined;
      const source = link ? byNumber.get(link[1]) : undefined;
      const output = source?.outputs?.[link![2]]?.name;
      return source && output ? { from: ids.get(source.id) as string, output } : undefined;
    };
    const names = info ? Object.keys(info.inputs) : (node.inputs ?? []).map((s) => s.name);
    const widgets = info ? nodeShape(info).widgets : [];
    for (const name of names) {
      const linked = linkOf(node.inputs?.find((s) => s.name === name));
      if (linked) {
        inputs[name] = linked;
        continue;
      }
      const w = widgets.findIndex((x) => x.name === name);
      const value = w >= 0 ? node.widgets_values?.[w] : undefined;
      if (value !== undefined && value !== null && !(info?.inputs[name]?.optional && value === '')) inputs[name] = value;
      else if (props.literals && name in props.literals) inputs[name] = props.literals[name];
    }
    for (const [name, value] of Object.entries(props.literals ?? {})) if (!(name in inputs)) inputs[name] = value;

    const title = typeof node.title === 'string' && node.title !== (info?.title ?? node.type) && node.title !== '' ? { title: node.title } : {};
    nodes[id] = { type: node.type, ...title, ...(props.extra ?? {}), inputs };
    const [w, h] = round(node.size, 2);
    layoutNodes[id] = { ...(props.layout ?? {}), pos: round(node.pos, 2) as [number, number], size: [w, h] };
  }

  const groups = (graph.groups ?? []).map((g) => ({
    title: g.title,
    bounding: round(g.bounding, 4) as [number, number, number, number],
    ...(g.color ? { color: g.color } : {}),
    ...(g.font_size !== undefined && g.font_size !== DEFAULT_GROUP_FONT ? { font_size: g.font_size } : {}),
  }));
  const params = head.params ? Object.fromEntries(Object.entries(head.params).filter(([, p]) => p.node in nodes)) : undefined;
  return {
    format: 'cinegraph.graph',
    version: 1,
    ...(head.name !== undefined ? { name: head.name } : {}),
    ...(head.description !== undefined ? { description: head.description } : {}),
    ...(params ? { params } : {}),
    ...(head.rest ?? {}),
    nodes,
    layout: { ...(head.layoutRest ?? {}), nodes: layoutNodes, groups },
  };
}

const KNOWN_TOP = new Set(['format', 'version', 'name', 'description', 'params', 'nodes', 'layout']);

/** Places nodes that have no layout: one column per depth (longest chain of links from a source). */
function autoPositions(doc: GraphDocument, sizes: Map<string, [number, number]>): Map<string, [number, number]> {
  const depth = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    if (depth.has(id)) return depth.get(id) as number;
    if (seen.has(id)) return 0; // a cycle: validation reports it
    seen.add(id);
    let d = 0;
    for (const v of Object.values(doc.nodes[id]?.inputs ?? {})) if (isLink(v) && v.from in doc.nodes) d = Math.max(d, visit(v.from, seen) + 1);
    depth.set(id, d);
    return d;
  };
  const columns = new Map<number, number>();
  const out = new Map<string, [number, number]>();
  for (const id of Object.keys(doc.nodes)) {
    const d = visit(id, new Set());
    const y = columns.get(d) ?? 60;
    out.set(id, [40 + d * 320, y]);
    columns.set(d, y + (sizes.get(id)?.[1] ?? 120) + 70);
  }
  return out;
}

/**
 * Converts a graph document into LiteGraph's serialised form, ready for `graph.configure()`.
 * Node ids are kept in `properties.id`; nodes without a layout are placed in columns by depth.
 * @example graph.configure(fromDocument(doc, indexCatalog(catalog)));
 */
export function fromDocument(doc: GraphDocument, catalog: CatalogIndex): LgGraph {
  const ids = Object.keys(doc.nodes);
  const number = new Map(ids.map((id, i) => [id, i + 1]));
  const layout = doc.layout?.nodes ?? {};
  const shapes = new Map(ids.map((id) => [id, catalog.get(doc.nodes[id].type)]));
  const sizes = new Map<string, [number, number]>();
  for (const id of ids) {
    const info = shapes.get(id);
    const size = layout[id]?.size ?? (info ? nodeShape(info).size : [240, 120]);
    sizes.set(id, [size[0], size[1]]);
  }
  const auto = autoPositions(doc, sizes);

  // Slots first (links need both ends), then links.
  const nodes: LgNode[] = ids.map((id) => {
    const node = doc.nodes[id];
    const info = shapes.get(id);
    const { type, title, inputs: _inputs, ...extra } = node;
    const shape = info ? nodeShape(info) : undefined;
    const unknownInputs: LgInput[] = Object.entries(node.inputs ?? {})
      .filter(([, v]) => isLink(v))
      .map(([name], i) => ({ name, type: 'ANY', link: null, pos: [8, (i + 0.7) * SLOT_HEIGHT] as [number, number] }));
    const { pos: _pos, size: _size, ...layoutRest } = layout[id] ?? {};
    const props: LgNodeProps = { id };
    if (Object.keys(extra).length) props.extra = extra;
    if (Object.keys(layoutRest).length) props.layout = layoutRest;
    return {
      id: number.get(id) as number,
      type,
      ...(typeof title === 'string' ? { title } : {}),
      pos: [...(layout[id]?.pos ?? (auto.get(id) as [number, number]))] as [number, number],
      size: sizes.get(id) as [number, number],
      flags: {},
      mode: 0,
      inputs: shape ? shape.inputs.map((s) => ({ ...s, link: null })) : unknownInputs,
      outputs: shape ? shape.outputs.map((o) => ({ ...o, links: null })) : [],
      properties: props,
      widgets_values: shape ? shape.widgets.map((w) => initialValue(w.input)) : [],
    };
  });
  const byId = new Map(ids.map((id, i) => [id, nodes[i]]));

  const links: LgLink[] = [];
  ids.forEach((id, i) => {
    const node = nodes[i];
    const info = shapes.get(id);
    const widgets = info ? nodeShape(info).widgets : [];
    for (const [name, value] of Object.entries(doc.nodes[id].inputs ?? {})) {
      const target = node.inputs?.findIndex((s) => s.name === name) ?? -1;
      if (isLink(value)) {
        const source = byId.get(value.from);
        // A node of an unknown type gets the outputs that links name.
        if (source && !catalog.get(source.type) && !source.outputs!.some((o) => o.name === value.output)) {
          source.outputs!.push({ name: value.output, type: 'ANY', links: null });
        }
        const slot = source?.outputs?.findIndex((o) => o.name === value.output) ?? -1;
        if (source && slot >= 0 && target >= 0) {
          const out = source.outputs![slot];
          const linkId = links.length + 1;
          links.push([linkId, source.id, slot, node.id, target, node.inputs![target].type || out.type]);
          node.inputs![target].link = linkId;
          out.links = [...(out.links ?? []), linkId];
          continue;
        }
      }
      const w = widgets.findIndex((x) => x.name === name);
      if (w >= 0 && !isLink(value)) node.widgets_values![w] = value;
      else {
        // A link that cannot be drawn (missing node or output) or a literal without a widget: kept as is.
        const props = node.properties as LgNodeProps;
        props.literals = { ...(props.literals ?? {}), [name]: value };
      }
    }
  });

  const knownLayout = new Set(['nodes', 'groups']);
  const head: DocumentHead = {
    ...(doc.name !== undefined ? { name: doc.name } : {}),
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    ...(doc.params !== undefined ? { params: structuredClone(doc.params) } : {}),
  };
  const rest = Object.fromEntries(Object.entries(doc).filter(([k]) => !KNOWN_TOP.has(k)));
  if (Object.keys(rest).length) head.rest = structuredClone(rest);
  const layoutRest = Object.fromEntries(Object.entries(doc.layout ?? {}).filter(([k]) => !knownLayout.has(k)));
  if (Object.keys(layoutRest).length) head.layoutRest = structuredClone(layoutRest);

  return {
    last_node_id: ids.length,
    last_link_id: links.length,
    nodes,
    links,
    groups: (doc.layout?.groups ?? []).map((g) => ({
      title: g.title ?? 'Group',
      bounding: [...(g.bounding ?? [0, 0, 300, 200])],
      ...(g.color ? { color: g.color } : {}),
      ...(typeof g.font_size === 'number' ? { font_size: g.font_size } : {}),
    })),
    config: {},
    extra: { cinegraph: head },
    version: 0.4,
  };
}

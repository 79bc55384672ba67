/**
 * Turns the node catalog (`GET /api/nodes`) into LiteGraph node types: one class per node type with its
 * sockets (coloured by type), widgets, category and description, and LiteGraph's link check replaced by
 * the server's conversion table, so incompatible links are refused while drawing them.
 */
import { LGraphCanvas, LGraphNode, LiteGraph, type LGraph } from 'litegraph.js';
import { compatibility } from './compat.js';
import { LG } from './lg.js';
import { readableId } from './document.js';
import { drawNodeState, type PreviewRect } from './node-overlay.js';
import type { Catalog, NodeInfo } from './protocol.js';
import type { NodeState } from './run-state.js';
import { nodeShape, type NodeShape } from './shape.js';
import { addInputWidget, type OnWidgetChange } from './widgets.js';

/** What node instances need from the editor. */
export interface NodeHooks {
  state(id: string): NodeState | undefined;
  onWidgetChange: OnWidgetChange;
  canvas(): LGraphCanvas;
}

/** A node of the editor: LiteGraph's node plus its catalog entry. */
export interface CatalogNode extends LGraphNode {
  widgets?: Array<{ name: string; type?: string; value: unknown; disabled?: boolean }>;
  info: NodeInfo;
  nodeShape: NodeShape;
  /** Where its preview was last drawn (node coordinates). */
  previewRect?: PreviewRect;
  properties: { id?: string; [k: string]: unknown };
}

/** The document id of a node. */
export const nodeId = (node: LGraphNode): string | undefined => (node.properties as { id?: string } | undefined)?.id;

/** Gives a node a readable id when it has none or shares one (pasted, cloned, added). */
function ensureId(node: LGraphNode, graph: LGraph): void {
  const others = new Set<string>();
  for (const n of (graph as unknown as { _nodes: LGraphNode[] })._nodes) if (n !== node && nodeId(n)) others.add(nodeId(n) as string);
  const id = nodeId(node);
  if (!id || others.has(id)) (node.properties as { id?: string }).id = readableId(node.type ?? 'node', others);
}

/** Shows a widget as disabled while its socket has a link. */
export function syncLinkedWidgets(node: LGraphNode): void {
  for (const input of node.inputs ?? []) {
    const name = (input as { widget?: { name: string } }).widget?.name;
    const widgets = (node as unknown as { widgets?: Array<{ name: string; disabled?: boolean }> }).widgets;
    const widget = name ? widgets?.find((w) => w.name === name) : undefined;
    if (widget) widget.disabled = input.link != null;
  }
}

/**
 * Registers every node type of the catalog with LiteGraph (replacing what was registered before) and
 * installs the catalog's link rule and type colours.
 * @example registerCatalog(await api.nodes(), hooks);
 */
export function registerCatalog(catalog: Catalog, hooks: NodeHooks): void {
  const compatible = compatibility(catalog);
  // LiteGraph calls this with (output type, input type) when connecting.
  LG.isValidConnection = (a, b) => compatible(String(a), String(b));
  for (const t of catalog.types) LGraphCanvas.link_type_colors[t.id] = t.color;

  const registered = LiteGraph.registered_node_types as Record<string, unknown>;
  for (const type of Object.keys(registered)) delete registered[type];

  for (const info of catalog.nodes) {
    const shape = nodeShape(info);
    class Node extends LGraphNode {
      static override title = info.title;
      static desc = info.description;
      info = info;
      nodeShape = shape;
      previewRect?: PreviewRect;

      constructor(title?: string) {
        super(title ?? info.title);
        this.properties = {};
        this.serialize_widgets = true;
        for (const slot of shape.inputs) this.addInput(slot.name, slot.type, { ...slot });
        for (const out of shape.outputs) this.addOutput(out.name, out.type);
        for (const w of shape.widgets) addInputWidget(this, w, hooks.onWidgetChange, hooks.canvas);
        this.widgets_start_y = shape.widgetsStartY;
        this.size = [...shape.size];
      }

      override onAdded(graph: LGraph): void {
        ensureId(this, graph);
      }

      override onConfigure(): void {
        syncLinkedWidgets(this);
      }

      override onConnectionsChange(): void {
        syncLinkedWidgets(this);
      }

      override onConnectInput(_slot: number, type: string | number): boolean {
        const input = this.inputs[_slot];
        return compatible(String(type), String(input?.type));
      }

      override onDrawForeground(ctx: CanvasRenderingContext2D): void {
        if (this.flags?.collapsed) return;
        const id = nodeId(this);
        this.previewRect = drawNodeState(ctx, this.size, shape.widgetsEndY, id ? hooks.state(id) : undefined, () => this.setDirtyCanvas(true, false));
      }

      override getTitle(): string {
        const id = nodeId(this);
        return id && this.title === info.title && id !== readableId(info.type, new Set()) ? `${this.title} · ${id}` : this.title;
      }
    }
    LiteGraph.registerNodeType(info.type, Node as never);
    (Node as unknown as { category: string }).category = info.category;
  }
}

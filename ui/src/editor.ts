/**
 * The editor: one LiteGraph graph and canvas over the node catalog, the current template, the run it
 * follows, and undo. Panels and keys call its methods; it knows nothing of the DOM around the canvas.
 */
import { LGraph, LGraphCanvas, LiteGraph, type LGraphNode } from 'litegraph.js';
import { api, ApiError } from './api.js';
import { nodeId, registerCatalog, type CatalogNode } from './catalog-to-litegraph.js';
import { fromDocument, indexCatalog, toDocument, type CatalogIndex, type LgGraph } from './document.js';
import { toast } from './panels/dialogs.js';
import type { Catalog, GraphDocument } from './protocol.js';
import { RunView } from './run-state.js';
import { TITLE_HEIGHT } from './shape.js';
import { UndoStack } from './undo.js';
import { LG } from './lg.js';

/** An empty document. */
export const emptyDocument = (): GraphDocument => ({ format: 'cinegraph.graph', version: 1, name: 'untitled', nodes: {}, layout: { nodes: {}, groups: [] } });

/**
 * @example const editor = await Editor.create(canvasElement); editor.load(await api.template('mask-overlay'), 'mask-overlay');
 */
export class Editor {
  readonly graph = new LGraph();
  readonly canvas: LGraphCanvas;
  readonly view = new RunView();
  readonly index: CatalogIndex;
  /** The template the graph was opened from or saved as. */
  templateName: string | undefined;
  readonly undo: UndoStack;
  /** Told when the document, its name or its saved state changed. */
  onChange: () => void = () => {};
  /** Told when the followed run's state changed outside a socket message (a run just queued). */
  onRun: () => void = () => {};
  private saved = '';
  private commitTimer: ReturnType<typeof setTimeout> | undefined;
  private restoring = false;

  private constructor(
    element: HTMLCanvasElement,
    readonly catalog: Catalog,
  ) {
    registerCatalog(catalog, {
      state: (id) => this.view.nodes.get(id),
      onWidgetChange: () => this.changed(),
      canvas: () => this.canvas,
    });
    this.index = indexCatalog(catalog);
    this.canvas = new LGraphCanvas(element, this.graph);
    const colors = Object.fromEntries(catalog.types.map((t) => [t.id, t.color]));
    const c = this.canvas as unknown as Record<string, unknown>;
    c.default_connection_color_byType = colors;
    c.default_connection_color_byTypeOff = colors;
    c.render_canvas_border = false;
    c.show_info = false;
    c.allow_searchbox = true;
    LG.release_link_on_empty_shows_menu = true;
    this.graph.onNodeAdded = () => this.changed();
    (this.graph as unknown as { onNodeRemoved: () => void }).onNodeRemoved = () => this.changed();
    this.undo = new UndoStack(
      () => this.snapshot(),
      (state) => this.restore(state),
    );
    this.graph.start();
  }

  /** Fetches the catalog and builds the editor on a canvas element. */
  static async create(element: HTMLCanvasElement): Promise<Editor> {
    return new Editor(element, await api.nodes());
  }

  /** The graph as a document (what Save writes and Queue sends). */
  document(): GraphDocument {
    return toDocument(this.graph.serialize() as unknown as LgGraph, this.index);
  }

  /** The document's name. */
  get name(): string {
    return this.document().name ?? this.templateName ?? 'untitled';
  }

  /** Whether the graph changed since it was opened or saved. */
  get dirty(): boolean {
    return this.snapshot() !== this.saved;
  }

  /** Replaces the graph with a document. */
  load(doc: GraphDocument, templateName?: string): void {
    this.configure(doc);
    this.templateName = templateName;
    this.undo.reset();
    this.saved = this.snapshot();
    this.view.showIssues([]);
    this.fit();
    this.onChange();
  }

  /** Marks the present state as saved under `name`. */
  markSaved(name: string): void {
    this.templateName = name;
    this.saved = this.snapshot();
    this.onChange();
  }

  /** Sets the document's name (kept in the graph, saved with it). */
  rename(name: string): void {
    const extra = (this.graph as unknown as { extra: { cinegraph?: Record<string, unknown> } }).extra;
    extra.cinegraph = { ...(extra.cinegraph ?? {}), name };
  }

  /** Called after anything that may have changed the document: records an undo step (batched). */
  changed(): void {
    if (this.restoring) return;
    clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(() => {
      this.undo.commit();
      this.onChange();
    }, 0);
  }

  /** Adds a node of a type (at a graph position, or the middle of the view). */
  addNode(type: string, pos?: [number, number]): LGraphNode | undefined {
    const node = LiteGraph.createNode(type);
    if (!node) return undefined;
    const ds = this.canvas.ds;
    const el = this.canvas.canvas as HTMLCanvasElement;
    const at = pos ?? [el.width / 2 / ds.scale - ds.offset[0] - node.size[0] / 2, el.height / 2 / ds.scale - ds.offset[1] - node.size[1] / 2];
    node.pos = [Math.round(at[0]), Math.round(at[1])];
    this.graph.add(node);
    this.canvas.selectNode(node);
    this.redraw();
    return node;
  }

  /** Puts the selected nodes in a new group. */
  groupSelection(): void {
    const nodes = Object.values(this.canvas.selected_nodes ?? {});
    if (!nodes.length) return toast('select nodes first (drag with Ctrl to select several)');
    const x0 = Math.min(...nodes.map((n) => n.pos[0])) - 20;
    const y0 = Math.min(...nodes.map((n) => n.pos[1])) - TITLE_HEIGHT - 50;
    const x1 = Math.max(...nodes.map((n) => n.pos[0] + n.size[0])) + 20;
    const y1 = Math.max(...nodes.map((n) => n.pos[1] + n.size[1])) + 20;
    const group = new LG.LGraphGroup('Group');
    group.configure({ title: 'Group', bounding: [x0, y0, x1 - x0, y1 - y0], color: '#3f789e' });
    this.graph.add(group as never);
    this.changed();
    this.redraw();
  }

  /** Submits the graph; shows the issues on the nodes when the server refuses it. */
  async queue(): Promise<string | undefined> {
    try {
      const { id } = await api.submit(this.document());
      this.view.follow(id);
      this.redraw();
      this.onRun();
      return id;
    } catch (error) {
      if (error instanceof ApiError && error.issues.length) {
        this.view.showIssues(error.issues);
        const general = error.issues.filter((i) => !i.node).map((i) => i.message);
        toast(`the graph cannot run: ${error.issues.length} issue${error.issues.length > 1 ? 's' : ''}${general.length ? ` — ${general.join('; ')}` : ' (see the red nodes)'}`, 'error');
      } else toast(`queue failed: ${(error as Error).message}`, 'error');
      this.redraw();
      return undefined;
    }
  }

  /** Cancels the followed run (or the run given). */
  async cancel(id = this.view.runId): Promise<void> {
    if (!id) return;
    try {
      await api.cancel(id);
    } catch (error) {
      toast((error as Error).message, 'error');
    }
  }

  redraw(): void {
    this.canvas.setDirty(true, true);
  }

  /** Zooms and pans so that every node is in view. */
  fit(): void {
    const nodes = (this.graph as unknown as { _nodes: CatalogNode[] })._nodes;
    const el = this.canvas.canvas as HTMLCanvasElement;
    const ds = this.canvas.ds;
    if (!nodes.length || !el.width) {
      ds.scale = 1;
      ds.offset = [0, 0] as never;
      return;
    }
    const x0 = Math.min(...nodes.map((n) => n.pos[0])) - 40;
    const y0 = Math.min(...nodes.map((n) => n.pos[1])) - TITLE_HEIGHT - 40;
    const x1 = Math.max(...nodes.map((n) => n.pos[0] + n.size[0])) + 40;
    const y1 = Math.max(...nodes.map((n) => n.pos[1] + n.size[1])) + 80;
    const scale = Math.min(1.2, el.width / (x1 - x0), el.height / (y1 - y0));
    ds.scale = scale;
    ds.offset = [-x0 + (el.width / scale - (x1 - x0)) / 2, -y0 + (el.height / scale - (y1 - y0)) / 2] as never;
    this.redraw();
  }

  /** The node of a document id. */
  node(id: string): CatalogNode | undefined {
    return (this.graph as unknown as { _nodes: CatalogNode[] })._nodes.find((n) => nodeId(n as unknown as LGraphNode) === id);
  }

  private snapshot(): string {
    return JSON.stringify(this.document());
  }

  private restore(state: string): void {
    this.restoring = true;
    try {
      this.configure(JSON.parse(state) as GraphDocument);
    } finally {
      this.restoring = false;
    }
    this.onChange();
  }

  private configure(doc: GraphDocument): void {
    this.restoring = true;
    try {
      this.graph.configure(fromDocument(doc, this.index) as never);
    } finally {
      this.restoring = false;
    }
    // LiteGraph hit-tests the pointer against the nodes of its last frame: refresh them now, so a click
    // right after loading or undoing finds the new nodes.
    const c = this.canvas as unknown as { visible_nodes: unknown[]; computeVisibleNodes(nodes: null, out: unknown[]): unknown[] };
    c.visible_nodes = c.computeVisibleNodes(null, []);
    this.redraw();
  }
}

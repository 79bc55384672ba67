/**
 * The node library on the left: the catalog by category, filtered by a search field. Click a node to add
 * it in the middle of the view, or drag it onto the canvas. (Double-click on the canvas opens LiteGraph's
 * search box too.)
 */
import type { NodeInfo } from '../protocol.js';

/** The drag data type of a palette entry. */
export const NODE_DRAG_TYPE = 'application/x-cinegraph-node';

/**
 * @example renderPalette(el, catalog.nodes, (type) => editor.addNode(type));
 */
export function renderPalette(host: HTMLElement, nodes: NodeInfo[], add: (type: string) => void): void {
  host.replaceChildren();
  const search = document.createElement('input');
  search.type = 'search';
  search.placeholder = 'Search nodes…';
  search.className = 'palette-search';
  const list = document.createElement('div');
  list.className = 'palette-list';
  host.append(search, list);

  const categories = new Map<string, NodeInfo[]>();
  for (const n of nodes) categories.set(n.category, [...(categories.get(n.category) ?? []), n]);

  const render = () => {
    const q = search.value.trim().toLowerCase();
    list.replaceChildren();
    for (const [category, items] of [...categories].sort(([a], [b]) => a.localeCompare(b))) {
      const shown = items.filter((n) => !q || `${n.title} ${n.type} ${n.description}`.toLowerCase().includes(q));
      if (!shown.length) continue;
      const group = document.createElement('details');
      group.open = true;
      const summary = document.createElement('summary');
      summary.textContent = `${category} (${shown.length})`;
      group.append(summary);
      for (const n of shown.sort((a, b) => a.title.localeCompare(b.title))) {
        const item = document.createElement('button');
        item.className = 'palette-item';
        item.textContent = n.title;
        item.title = `${n.type}\n${n.description}`;
        item.draggable = true;
        item.dataset.type = n.type;
        item.addEventListener('click', () => add(n.type));
        item.addEventListener('dragstart', (e) => e.dataTransfer?.setData(NODE_DRAG_TYPE, n.type));
        group.append(item);
      }
      list.append(group);
    }
  };
  search.addEventListener('input', render);
  search.addEventListener('keydown', (e) => e.stopPropagation());
  render();
}

/**
 * The editor's entry: builds the editor on the page, wires the panels, the keys, file drops and the
 * WebSocket, and opens the template named in `?template=` (or the first shipped one).
 */
import 'litegraph.js/css/litegraph.css';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api } from './api.js';
import { MetricChart } from './chart.js';
import { Editor, emptyDocument } from './editor.js';
import { toast } from './panels/dialogs.js';
import { NODE_DRAG_TYPE, renderPalette } from './panels/palette.js';
import { QueuePanel } from './panels/queue.js';
import { setupToolbar } from './panels/toolbar.js';
import type { ServerMessage } from './protocol.js';
import { connectSocket } from './socket.js';
import { nodeId } from './catalog-to-litegraph.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const element = $<HTMLCanvasElement>('graph');
  const stage = $('stage');
  const fitCanvas = () => {
    element.width = stage.clientWidth;
    element.height = stage.clientHeight;
  };
  fitCanvas();
  const editor = await Editor.create(element);
  new ResizeObserver(() => {
    fitCanvas();
    editor.canvas.resize(element.width, element.height);
    editor.redraw();
  }).observe(stage);

  const toolbar = setupToolbar(editor);
  const chart = new MetricChart($('chart'));
  const queue = new QueuePanel($('runs'), {
    cancel: (id) => void editor.cancel(id),
    followed: () => editor.view.runId,
    open: async (id) => {
      try {
        const run = await api.run(id);
        if (!run.graph) return toast('that run kept no graph', 'error');
        editor.load(run.graph);
        editor.view.follow(id);
        editor.view.resync(run);
        showRun();
        toast(`opened the graph of run #${run.seq}`);
      } catch (error) {
        toast((error as Error).message, 'error');
      }
    },
  });
  editor.onChange = () => toolbar.update();
  let metricsShown = -1;
  const showRun = () => {
    const points = [...editor.view.metrics.values()].reduce((n, s) => n + s.steps.length, 0);
    if (points !== metricsShown) chart.update([...editor.view.metrics.values()]);
    metricsShown = points;
    toolbar.update();
  };
  editor.onRun = showRun;
  renderPalette($('palette'), editor.catalog.nodes, (type) => editor.addNode(type));

  // Changes made with the pointer or keys (moves, links, deletes, pastes) become undo steps.
  element.addEventListener('pointerup', () => editor.changed());
  document.addEventListener('keyup', () => editor.changed());

  document.addEventListener('keydown', (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
    const mod = e.ctrlKey || e.metaKey;
    if (!mod) return;
    const key = e.key.toLowerCase();
    if (key === 'enter') void editor.queue();
    else if (key === 's') void (e.shiftKey ? toolbar.saveAs() : toolbar.save());
    else if (typing) return;
    else if (key === 'z' && !e.shiftKey) editor.undo.undo();
    else if (key === 'y' || (key === 'z' && e.shiftKey)) editor.undo.redo();
    else if (key === 'g') editor.groupSelection();
    else return;
    e.preventDefault();
    e.stopPropagation();
  }, true);

  // Drops: a graph file anywhere imports it; a palette entry adds its node where it falls; a file on a
  // node with a file input uploads it into that input.
  stage.addEventListener('dragover', (e) => e.preventDefault());
  stage.addEventListener('drop', async (e) => {
    const type = e.dataTransfer?.getData(NODE_DRAG_TYPE);
    const file = e.dataTransfer?.files?.[0];
    if (!type && !file) return;
    e.preventDefault();
    e.stopPropagation();
    const [x, y] = editor.canvas.convertEventToCanvasOffset(e as unknown as MouseEvent);
    const pos = editor.canvas.ds.convertCanvasToOffset([x, y]) as [number, number];
    if (type) return void editor.addNode(type, pos);
    if (!file) return;
    if (file.name.toLowerCase().endsWith('.json') || file.type === 'application/json') return toolbar.importFile(file);
    const node = editor.graph.getNodeOnPos(pos[0], pos[1]) as { widgets?: Array<{ name: string; type?: string; value: unknown }> } | null;
    const widget = node?.widgets?.find((w) => (w.type as string) === 'file');
    if (!widget) return toast('drop a graph (.json) on the canvas, or a file on a node that reads files', 'error');
    try {
      widget.value = await api.upload(file);
      editor.changed();
      editor.redraw();
      toast(`uploaded ${file.name}`);
    } catch (error) {
      toast(`upload failed: ${(error as Error).message}`, 'error');
    }
  }, true);

  const connection = $('connection');
  const onMessage = (message: ServerMessage) => {
    if (message.type === 'hello') {
      queue.snapshot(message);
      const followed = editor.view.runId;
      const runs = [...message.queue.running, ...message.queue.pending, ...message.recent];
      const known = followed ? runs.find((r) => r.id === followed) : undefined;
      if (known) editor.view.resync(known);
      else if (followed) void api.run(followed).then((run) => editor.view.resync(run), () => undefined);
      else {
        // A page opened while its graph runs picks that run up.
        const running = message.queue.running.find((r) => r.name === editor.name);
        if (running) editor.view.follow(running.id);
      }
      editor.redraw();
      toolbar.update();
      return;
    }
    if (message.type === 'run-queued' || message.type === 'run-started' || message.type === 'run-finished') queue.refresh();
    if (!editor.view.apply(message)) return;
    if (message.type === 'node-metric' || message.type === 'run-queued') showRun();
    if (message.type === 'run-finished' && message.status === 'failed') toast(`run failed: ${message.error?.node ? `${message.error.node}: ` : ''}${message.error?.message ?? ''}`, 'error');
    editor.redraw();
    if (message.type === 'run-started' || message.type === 'run-finished' || message.type === 'run-queued') toolbar.update();
  };
  connectSocket({
    onMessage,
    onStatus: (status, retry) => {
      connection.className = `connection ${status}`;
      connection.textContent = status === 'open' ? 'connected' : status === 'connecting' ? 'connecting…' : `offline, retrying in ${Math.round((retry ?? 0) / 1000)} s`;
    },
  });

  await toolbar.refreshTemplates();
  const wanted = new URLSearchParams(location.search).get('template');
  const first = wanted ?? (await api.templates()).find((t) => t.source === 'shipped' && !t.error)?.name;
  if (first) {
    try {
      editor.load(await api.template(first), first);
    } catch (error) {
      toast(`cannot open ${first}: ${(error as Error).message}`, 'error');
      editor.load(emptyDocument());
    }
  } else editor.load(emptyDocument());

  // A handle for people debugging in the console, and for the browser tests.
  (window as unknown as { cinegraph: unknown }).cinegraph = { editor, nodeId, ready: true };
}

main().catch((error) => {
  console.error(error);
  document.body.insertAdjacentHTML('afterbegin', `<div class="fatal">The editor could not start: ${String((error as Error).message ?? error)}</div>`);
});

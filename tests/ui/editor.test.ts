/**
 * The editor in a real browser (Debian's chromium through playwright-core) against a real server on an
 * ephemeral port: open a shipped template, upload its inputs, change a widget, queue, see the previews drawn
 * in their nodes; see a failing node's error badge; refuse a link that does not convert; undo and redo;
 * save a template, find it after a reload, and run it with the CLI; chart a loss curve; reconnect after a
 * server restart. Set UPDATE_SCREENSHOT=1 to rewrite docs/editor.png from the first test.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { runCommand } from '../../bin/run.js';
import { canvasPixels, ensureUiBuilt, launchChromium, openEditor, pointOnNode, removeDir, startEditorServer, writePictures, type EditorServer } from './support.js';

const SLOW = 60_000;
let t: EditorServer;
let browser: Browser;
let page: Page;
let pictures: { image: string; mask: string };
let consoleErrors: string[] = [];

beforeAll(async () => {
  ensureUiBuilt();
  t = await startEditorServer();
  pictures = await writePictures(await mkdtemp(join(tmpdir(), 'cinegraph-ui-pics-')));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 850 } });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  // Turn file-chooser interception on once, up front: enabling it per wait races with the click.
  page.on('filechooser', () => {});
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  if (t) await removeDir(t.dataDir);
  if (pictures) await removeDir(join(pictures.image, '..'));
});

type Win = { cinegraph: { editor: any; ready?: boolean } };
const widgetValue = (id: string, name: string) =>
  page.evaluate(([id, name]) => (globalThis as unknown as Win).cinegraph.editor.node(id).widgets.find((w: { name: string }) => w.name === name).value, [id, name] as const);
const widgetY = (id: string, name: string) =>
  page.evaluate(([id, name]) => (globalThis as unknown as Win).cinegraph.editor.node(id).widgets.find((w: { name: string }) => w.name === name).y as number, [id, name] as const);
const nodeWidth = (id: string) => page.evaluate((id) => (globalThis as unknown as Win).cinegraph.editor.node(id).size[0] as number, id);
const runStatus = () => page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.view.status as string | undefined);

/** Uploads a file through a node's file widget (its "upload…" button and the browser's file chooser). */
async function upload(id: string, file: string): Promise<void> {
  const at = await pointOnNode(page, id, (await nodeWidth(id)) - 40, (await widgetY(id, 'path')) + 10);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.mouse.click(at.x, at.y)]);
  await chooser.setFiles(file);
  await page.waitForFunction(([id]) => String((globalThis as unknown as Win).cinegraph.editor.node(id).widgets[0].value).endsWith('.png'), [id] as const);
  await page.locator('.toast', { hasText: `uploaded ${basename(file)}` }).last().waitFor();
}

/** Queues (with a key or a click) and waits until the new run ends; resolves with its status. */
async function queueAndWait(queue: () => Promise<void>): Promise<string> {
  const before = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.view.runId as string | undefined);
  await queue();
  await page.waitForFunction((before) => {
    const { view } = (globalThis as unknown as Win).cinegraph.editor;
    return view.runId !== undefined && view.runId !== before && ['succeeded', 'failed', 'cancelled'].includes(view.status);
  }, before);
  return (await runStatus()) as string;
}
const ctrlEnter = () => page.keyboard.press('Control+Enter');

describe('the editor', () => {
  test('opens a shipped template, takes uploads and a widget change, runs it and draws the previews in their nodes', async () => {
    await openEditor(page, t.url, 'mask-overlay');
    expect(await page.locator('#templates').inputValue()).toBe('mask-overlay');
    await upload('load-image', pictures.image);
    await upload('load-mask', pictures.mask);
    expect(await widgetValue('load-image', 'path')).toMatch(/blue\.png$/);

    // The right arrow of the opacity widget moves it one step (0.05).
    const at = await pointOnNode(page, 'overlay', (await nodeWidth('overlay')) - 22, (await widgetY('overlay', 'opacity')) + 10);
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() => Math.abs((globalThis as unknown as Win).cinegraph.editor.node('overlay').widgets.find((w: { name: string }) => w.name === 'opacity').value - 0.55) < 1e-9);

    expect(await queueAndWait(ctrlEnter)).toBe('succeeded');
    await page.waitForFunction(() => (globalThis as unknown as Win).cinegraph.editor.node('preview').previewRect !== undefined);
    await page.waitForTimeout(100); // one more frame

    // The preview shows the blue picture with the masked middle painted red: check the canvas pixels.
    const rect = (await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.node('preview').previewRect)) as [number, number, number, number];
    const [x, y, w, h] = rect;
    const corner = await canvasPixels(page, 'preview', [x + 2, y + 2, w * 0.15, h * 0.15]);
    const middle = await canvasPixels(page, 'preview', [x + w * 0.4, y + h * 0.4, w * 0.2, h * 0.2]);
    expect(corner.b).toBeGreaterThan(150);
    expect(corner.r).toBeLessThan(80);
    expect(middle.r).toBeGreaterThan(middle.b);
    expect(middle.r).toBeGreaterThan(120);
    // The save node draws its preview too.
    expect(await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.node('save').previewRect !== undefined)).toBe(true);

    // What ran is what the editor showed, widget change included.
    const runId = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.view.runId as string);
    const record = (await (await fetch(`${t.url}/api/runs/${runId}`)).json()) as { graph: { nodes: Record<string, { inputs: Record<string, unknown> }> }; files: string[] };
    expect(record.graph.nodes.overlay.inputs.opacity).toBeCloseTo(0.55);
    expect(record.files).toHaveLength(1);
    await page.locator(`#runs li[data-id="${runId}"][data-status="succeeded"]`).waitFor();

    if (process.env.UPDATE_SCREENSHOT) {
      await page.evaluate(() => {
        (globalThis as any).document.getElementById('toasts')?.remove();
        (globalThis as unknown as Win).cinegraph.editor.canvas.deselectAllNodes();
        (globalThis as unknown as Win).cinegraph.editor.redraw();
      });
      await page.waitForTimeout(100);
      await page.screenshot({ path: join('docs', 'editor.png') });
    }
    expect(consoleErrors).toEqual([]);
  }, SLOW);

  test('puts an error badge with the message on the node that failed', async () => {
    await page.evaluate(() => {
      const editor = (globalThis as unknown as Win).cinegraph.editor;
      editor.node('load-mask').widgets[0].value = '/no/such/mask.png';
      editor.changed();
    });
    expect(await queueAndWait(ctrlEnter)).toBe('failed');
    const state = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.view.nodes.get('load-mask'));
    expect(state).toMatchObject({ status: 'error' });
    expect(state.error).toContain('/no/such/mask.png');
    await page.waitForTimeout(100);
    // The red badge in the title bar, and the message box under the node.
    const width = await nodeWidth('load-mask');
    const title = await canvasPixels(page, 'load-mask', [width - 70, -26, 64, 20], [211, 47, 47]);
    expect(title.close).toBeGreaterThan(30);
    const height = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.node('load-mask').size[1] as number);
    const box = await canvasPixels(page, 'load-mask', [4, height + 10, width - 8, 20]);
    expect(box.r).toBeGreaterThan(box.g + 40);
    // The history panel says why.
    await page.locator('#runs li[data-status="failed"] .run-error', { hasText: 'mask.png' }).first().waitFor();
  }, SLOW);

  test('refuses a link between types that do not convert, and accepts one that does', async () => {
    await openEditor(page, t.url, 'mask-overlay');
    const drag = async (fromNode: string, output: number, toNode: string, input: string) => {
      const from = await page.evaluate(([id, slot]) => {
        const { editor } = (globalThis as unknown as Win).cinegraph;
        const node = editor.node(id);
        const p = node.getConnectionPos(false, slot);
        return [p[0] - node.pos[0], p[1] - node.pos[1]];
      }, [fromNode, output] as const);
      const to = await page.evaluate(([id, name]) => {
        const { editor } = (globalThis as unknown as Win).cinegraph;
        const node = editor.node(id);
        const p = node.getConnectionPos(true, node.findInputSlot(name));
        return [p[0] - node.pos[0], p[1] - node.pos[1]];
      }, [toNode, input] as const);
      const a = await pointOnNode(page, fromNode, from[0], from[1]);
      const b = await pointOnNode(page, toNode, to[0], to[1]);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
      await page.mouse.move(b.x, b.y, { steps: 5 });
      await page.mouse.up();
    };
    const linkOf = (id: string, name: string) =>
      page.evaluate(([id, name]) => {
        const node = (globalThis as unknown as Win).cinegraph.editor.node(id);
        return node.inputs[node.findInputSlot(name)].link as number | null;
      }, [id, name] as const);

    await drag('load-image', 0, 'save', 'quality'); // IMAGE -> INT
    expect(await linkOf('save', 'quality')).toBeNull();
    await drag('load-image', 1, 'save', 'quality'); // INT (width) -> INT
    expect(await linkOf('save', 'quality')).not.toBeNull();
    const doc = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.document());
    expect(doc.nodes.save.inputs.quality).toEqual({ from: 'load-image', output: 'width' });
    // The widget of a linked input is disabled.
    expect(await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.node('save').widgets.find((w: { name: string }) => w.name === 'quality').disabled)).toBe(true);
  }, SLOW);

  test('undoes and redoes a deletion, and copies and pastes a node under a new id', async () => {
    await openEditor(page, t.url, 'mask-overlay');
    const ids = () => page.evaluate(() => Object.keys((globalThis as unknown as Win).cinegraph.editor.document().nodes) as string[]);
    const title = await pointOnNode(page, 'preview', 60, -15);
    await page.mouse.click(title.x, title.y);
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => !(globalThis as unknown as Win).cinegraph.editor.node('preview'));
    await page.waitForTimeout(50);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => !!(globalThis as unknown as Win).cinegraph.editor.node('preview'));
    expect(await ids()).toContain('preview');
    await page.keyboard.press('Control+y');
    await page.waitForFunction(() => !(globalThis as unknown as Win).cinegraph.editor.node('preview'));
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => !!(globalThis as unknown as Win).cinegraph.editor.node('preview'));

    const again = await pointOnNode(page, 'threshold', 60, -15);
    await page.waitForTimeout(350); // LiteGraph takes two clicks within 300 ms as a double click
    await page.mouse.click(again.x, again.y);
    await page.waitForFunction(() => {
      const { canvas } = (globalThis as unknown as Win).cinegraph.editor;
      return Object.values(canvas.selected_nodes).map((n: any) => n.properties.id).join() === 'threshold';
    });
    await page.keyboard.press('Control+c');
    await page.waitForFunction(() => String((globalThis as any).localStorage.getItem('litegrapheditor_clipboard')).includes('mask/threshold'));
    await page.mouse.move(again.x, again.y + 250);
    await page.keyboard.press('Control+v');
    await page.waitForFunction(() => Object.keys((globalThis as unknown as Win).cinegraph.editor.document().nodes).length === 7);
    expect(await ids()).toContain('threshold_2');
  }, SLOW);

  test('saves a template, finds it after a reload, and what it saved runs with the CLI', async () => {
    await openEditor(page, t.url, 'mask-overlay');
    await upload('load-image', pictures.image);
    await upload('load-mask', pictures.mask);
    await page.keyboard.press('Control+s'); // a shipped template: asks for a name
    await page.locator('.modal input').fill('my-overlay');
    await page.keyboard.press('Enter');
    await page.locator('.toast', { hasText: 'saved my-overlay' }).waitFor();
    const saved = JSON.parse(await readFile(join(t.dataDir, 'graphs', 'my-overlay.json'), 'utf8'));
    expect(saved.name).toBe('my-overlay');
    expect(saved.layout.nodes.overlay.pos).toEqual([700, 120]);

    await openEditor(page, t.url, 'mask-overlay');
    expect(await page.locator('#templates option[value="my-overlay"]').count()).toBe(1);
    await page.locator('#templates').selectOption('my-overlay');
    await page.waitForFunction(() => (globalThis as unknown as Win).cinegraph.editor.templateName === 'my-overlay');
    expect(await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.document())).toEqual(saved);

    // The CLI runs the saved file as it is.
    const out = await mkdtemp(join(tmpdir(), 'cinegraph-ui-cli-'));
    try {
      const { code, stdout } = await runCommand([join(t.dataDir, 'graphs', 'my-overlay.json'), '--json', '--out', out, '--no-cache']);
      expect(code).toBe(0);
      expect(stdout).toContain('mask-overlay');
    } finally {
      await removeDir(out);
    }
  }, SLOW);

  test('charts the numeric series a node reports', async () => {
    const graph = {
      format: 'cinegraph.graph',
      version: 1,
      name: 'loss',
      nodes: { train: { type: 'uitest/loss', inputs: { steps: 25 } } },
      layout: { nodes: { train: { pos: [80, 80], size: [260, 120] } }, groups: [] },
    };
    await writeFile(join(t.dataDir, 'graphs', 'loss.json'), JSON.stringify(graph));
    await openEditor(page, t.url, 'loss');
    expect(await page.locator('#chart-panel').isHidden()).toBe(true);
    expect(await queueAndWait(() => page.locator('#queue').click())).toBe('succeeded');
    await page.locator('#chart-panel .uplot canvas').waitFor();
    const series = await page.evaluate(() => [...(globalThis as unknown as Win).cinegraph.editor.view.metrics.values()]);
    expect(series).toHaveLength(1);
    expect(series[0].steps).toHaveLength(25);
    expect(series[0].values[24]).toBeCloseTo(1 / 25);
  }, SLOW);

  test('reconnects after a server restart and shows the persisted history again', async () => {
    await openEditor(page, t.url, 'mask-overlay');
    const before = await page.locator('#runs li').count();
    expect(before).toBeGreaterThan(0);
    await t.restart();
    await page.waitForFunction(() => (globalThis as any).document.getElementById('connection')?.textContent === 'connected', undefined, { timeout: 20_000 });
    await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('#runs li').length === n, before);
    // And it runs again on the new server.
    await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.node('load-mask').widgets[0].value = '/no/such/other.png');
    expect(await queueAndWait(ctrlEnter)).toBe('failed');
  }, SLOW);
});

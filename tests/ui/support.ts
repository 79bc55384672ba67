/**
 * Helpers for the editor's browser tests: build ui/dist when it is missing or older than its sources,
 * start a real server on an ephemeral port over a temp data folder, drive Debian's chromium with
 * playwright-core, and find things on the LiteGraph canvas (node coordinates -> page pixels).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { defineNode, T, type NodePack } from '../../engine/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { startServer, type RunningServer } from '../../server/index.js';

const UI = join(process.cwd(), 'ui');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** Runs `node ui/build.mjs` unless ui/dist is newer than ui/src, ui/index.html and ui/build.mjs. */
export function ensureUiBuilt(): void {
  const built = join(UI, 'dist', 'app.js');
  const sources = Math.max(newest(join(UI, 'src')), newest(join(UI, 'index.html')), newest(join(UI, 'build.mjs')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(UI, 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [join(UI, 'build.mjs')], { stdio: 'pipe' });
}

/** Debian's chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A node that reports a falling loss curve through `ctx.metric`, for the chart. */
export const uiTestPack: NodePack = {
  name: 'uitest',
  nodes: [
    defineNode({
      type: 'uitest/loss',
      title: 'Fake training',
      description: 'Reports a loss per step (test only)',
      inputs: { steps: { type: T.INT, default: 20, min: 1 } },
      outputs: { last: T.FLOAT },
      output: true,
      notIdempotent: true,
      async run({ steps }, ctx) {
        let loss = 1;
        for (let step = 1; step <= steps; step++) {
          loss = 1 / step;
          ctx.metric('loss', step, loss);
          ctx.progress(step, steps);
        }
        return { last: loss };
      },
    }),
  ],
};

/** A server over a temp data folder (shipped templates from graphs/), plus its folder. */
export interface EditorServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  logs: string[];
  /** Stops the server and starts a new one on the same port and folder (a server restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startEditorServer(dataDir?: string): Promise<EditorServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'cinegraph-ui-')));
  const logs: string[] = [];
  const logger = { info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(m), error: (m: string) => void logs.push(m) };
  const start = (port: number) => startServer({ port, dataDir: dir, registry: builtinRegistry([uiTestPack]), logger, uiDir: join(UI, 'dist') });
  const t: EditorServer = {
    server: await start(0),
    url: '',
    dataDir: dir,
    logs,
    async restart() {
      const port = t.server.port;
      await t.server.close();
      t.server = await start(port);
    },
    close: () => t.server.close(),
  };
  t.url = t.server.url;
  return t;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes the test pictures: a blue image and a mask with a white rectangle in the middle. */
export async function writePictures(dir: string): Promise<{ image: string; mask: string }> {
  const image = join(dir, 'blue.png');
  const mask = join(dir, 'mask.png');
  await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3060c0' } }).png().toFile(image);
  const white = await sharp({ create: { width: 160, height: 100, channels: 3, background: '#ffffff' } }).png().toBuffer();
  await sharp({ create: { width: 320, height: 200, channels: 3, background: '#000000' } }).composite([{ input: white, left: 80, top: 50 }]).png().toFile(mask);
  return { image, mask };
}

/** Opens the editor on a template and waits until it is ready. */
export async function openEditor(page: Page, url: string, template?: string): Promise<void> {
  await page.goto(`${url}/${template ? `?template=${encodeURIComponent(template)}` : ''}`);
  await page.waitForFunction(() => (globalThis as unknown as { cinegraph?: { ready: boolean } }).cinegraph?.ready === true);
  await page.waitForFunction(() => (globalThis as any).document.getElementById('connection')?.textContent === 'connected');
  // LiteGraph finds nodes under the pointer among those its last frame drew: wait for that frame.
  await page.waitForFunction(() => {
    const { editor } = (globalThis as any).cinegraph;
    return editor.canvas.visible_nodes.length === editor.graph._nodes.length;
  });
}

/** Page coordinates of a point given in a node's coordinates (0,0 = top left of its body). */
export async function pointOnNode(page: Page, id: string, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([id, x, y]) => {
      const { editor } = (globalThis as any).cinegraph;
      const node = editor.node(id);
      if (!node) throw new Error(`no node ${id}`);
      const ds = editor.canvas.ds;
      const rect = editor.canvas.canvas.getBoundingClientRect();
      return { x: rect.left + (node.pos[0] + x + ds.offset[0]) * ds.scale, y: rect.top + (node.pos[1] + y + ds.offset[1]) * ds.scale };
    },
    [id, x, y] as const,
  );
}

/** Average colour and count of pixels near a colour, read from the canvas in a rectangle of node coordinates. */
export async function canvasPixels(page: Page, id: string, rect: [number, number, number, number], near?: [number, number, number]) {
  return page.evaluate(
    ([id, rect, near]) => {
      const { editor } = (globalThis as any).cinegraph;
      const node = editor.node(id);
      const ds = editor.canvas.ds;
      const canvas = editor.canvas.canvas;
      const x = Math.round((node.pos[0] + rect[0] + ds.offset[0]) * ds.scale);
      const y = Math.round((node.pos[1] + rect[1] + ds.offset[1]) * ds.scale);
      const w = Math.max(1, Math.round(rect[2] * ds.scale));
      const h = Math.max(1, Math.round(rect[3] * ds.scale));
      const data = canvas.getContext('2d').getImageData(x, y, w, h).data;
      let r = 0, g = 0, b = 0, close = 0;
      for (let i = 0; i < data.length; i += 4) {
        r += data[i]; g += data[i + 1]; b += data[i + 2];
        if (near && Math.abs(data[i] - near[0]) < 40 && Math.abs(data[i + 1] - near[1]) < 40 && Math.abs(data[i + 2] - near[2]) < 40) close++;
      }
      const n = data.length / 4;
      return { r: r / n, g: g / n, b: b / n, close, pixels: n };
    },
    [id, rect, near ?? null] as const,
  );
}

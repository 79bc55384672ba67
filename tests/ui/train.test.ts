/**
 * graphs/train-dit.json from the editor, in a real browser against a real server: open the shipped template,
 * point it at a shard folder and a short run with its widgets, queue, and watch the training's loss curve
 * appear live in the chart panel while the run goes on; at the end the held-out edits are drawn in the
 * preview node.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { ShardWriter } from '../../media/shards/index.js';
import { syntheticSessions } from '../train/train-fixtures.js';
import { ensureUiBuilt, launchChromium, openEditor, removeDir, startEditorServer, type EditorServer } from './support.js';

const SLOW = 120_000;
const STEPS = 12;
let t: EditorServer;
let browser: Browser;
let page: Page;
let shards: string;

type Win = { cinegraph: { editor: any } };

beforeAll(async () => {
  ensureUiBuilt();
  t = await startEditorServer();
  shards = await mkdtemp(join(tmpdir(), 'cinegraph-ui-shards-'));
  const writer = await ShardWriter.open({ dir: shards, maxSessions: 4 });
  for (const s of syntheticSessions(12)) await writer.write(s);
  await writer.close();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 850 } });
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  if (t) await removeDir(t.dataDir);
  if (shards) await removeDir(shards);
});

const setWidget = (id: string, name: string, value: unknown) =>
  page.evaluate(([id, name, value]) => {
    const w = (globalThis as unknown as Win).cinegraph.editor.node(id).widgets.find((x: { name: string }) => x.name === name);
    w.value = value;
  }, [id, name, value] as const);

test('trains train-dit.json from the editor with a live loss curve and draws the held-out edits', async () => {
  await openEditor(page, t.url, 'train-dit');
  await setWidget('shards', 'value', shards);
  await setWidget('train', 'steps', STEPS);
  await setWidget('train', 'out', join(t.dataDir, 'train-run'));
  const doc = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.document());
  expect(doc.nodes.train.inputs.steps).toBe(STEPS);

  await page.keyboard.press('Control+Enter');
  // Live: the chart shows a loss series while the train node is still running.
  await page.waitForFunction(() => {
    const { view } = (globalThis as unknown as Win).cinegraph.editor;
    const loss = [...view.metrics.values()].find((s: { name: string }) => s.name === 'loss');
    return loss && loss.steps.length >= 2 && view.status === 'running';
  }, undefined, { timeout: SLOW });
  await page.locator('#chart-panel .uplot canvas').waitFor();
  await page.waitForFunction(() => ['succeeded', 'failed', 'cancelled'].includes((globalThis as unknown as Win).cinegraph.editor.view.status), undefined, { timeout: SLOW });
  expect(await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.view.status)).toBe('succeeded');

  const series = await page.evaluate(() => [...(globalThis as unknown as Win).cinegraph.editor.view.metrics.values()].map((s: any) => ({ name: s.name, steps: [...s.steps], values: [...s.values] })));
  const loss = series.find((s) => s.name === 'loss')!;
  expect(loss.steps).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
  expect(loss.values.every((v: number) => Number.isFinite(v) && v > 0)).toBe(true);
  expect(series.map((s) => s.name)).toEqual(expect.arrayContaining(['loss', 'lr', 'grad_norm']));
  // The held-out edits reached their preview node, as a picture the server serves.
  const preview = await page.evaluate(() => (globalThis as unknown as Win).cinegraph.editor.view.nodes.get('preview-edits')?.preview);
  expect(preview?.url).toBeTruthy();
  const res = await fetch(new URL(preview!.url, t.url));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^image\//);
}, SLOW * 2);

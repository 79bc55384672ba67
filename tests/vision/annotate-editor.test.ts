/**
 * graphs/annotate-video.json from the editor (issue #5: "from the CLI and from the editor"): a real server
 * on an ephemeral port, the editor in Debian's chromium opens the shipped template, the widgets its params
 * name are set to synthetic clips and the project's tiny models (as a user types them), Queue is pressed,
 * and the graph the page POSTs runs to the end over HTTP and the WebSocket. The shards hold captioned,
 * segmented sessions: the tiny VLM's instruction on every transition, grounded masks on the red object of
 * the clip that has one, change masks where nothing is found.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { GraphDocument } from '../../engine/index.js';
import { changeMask } from '../../media/mask/index.js';
import type { Session } from '../../media/session/index.js';
import { readShards } from '../../media/shards/index.js';
import type { ClipOptions } from '../../media/synth/index.js';
import { onRedObject, writeAnnotationFixtures } from '../support/clip-objects.js';
import { releaseModels } from '../../ml/models/index.js';
import { TINY_VLM_REPLY } from '../../ml/models/tiny/index.js';
import { ensureUiBuilt, launchChromium, openEditor, startEditorServer, type EditorServer } from '../ui/support.js';

const SLOW = 180_000;
// Seed 0 has a red circle in every state (the tiny detector finds "red"); seed 1 has nothing red.
const CLIP: Omit<ClipOptions, 'seed'> = { width: 160, height: 128, fps: 8, segmentFrames: 8, events: 2, kinds: ['move', 'recolor', 'appear', 'resize'] };
const INSTRUCTION = (JSON.parse(TINY_VLM_REPLY) as { instruction: string }).instruction;

let dir: string;
let t: EditorServer;
let browser: Browser;
let page: Page;
let models: { vlm: string; gdino: string; sam2: string };
let clips: { red: string; plain: string };

beforeAll(async () => {
  ensureUiBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-annotate-editor-'));
  ({ models, clips } = await writeAnnotationFixtures(dir, CLIP));
  t = await startEditorServer(path.join(dir, 'data'));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 850 } });
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await releaseModels();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Win = { cinegraph: { editor: any } };

test('annotate-video opened in the editor, its inputs set in the widgets, queued: captioned, segmented sessions in the shards', async () => {
  await openEditor(page, t.url, 'annotate-video');
  expect(await page.locator('#templates').inputValue()).toBe('annotate-video');

  // The values a user types, into the widgets the template's params point at.
  const out = path.join(dir, 'shards');
  const values: Record<string, string> = {
    video: [clips.red, clips.plain].join('\n'),
    out,
    area: 'native',
    localModel: models.vlm,
    textAnnotator: 'tiny-smolvlm',
    detector: models.gdino,
    segmenter: models.sam2,
    device: 'cpu',
  };
  const template = JSON.parse(await readFile(path.join(process.cwd(), 'graphs', 'annotate-video.json'), 'utf8')) as GraphDocument;
  const widgets = Object.entries(values).map(([param, value]) => ({ ...template.params![param]!, value }));
  const missing = await page.evaluate((widgets) => {
    const { editor } = (globalThis as unknown as Win).cinegraph;
    return widgets.flatMap(({ node, input, value }) => {
      const widget = editor.node(node)?.widgets?.find((w: { name: string }) => w.name === input);
      if (!widget) return [`${node}.${input}`];
      widget.value = value;
      return [];
    });
  }, widgets);
  expect(missing).toEqual([]);

  // Queue, as the toolbar button does; keep what the page sends.
  const posted = page.waitForRequest((r) => r.url().endsWith('/api/runs') && r.method() === 'POST');
  await page.locator('#queue').click();
  const body = JSON.parse((await posted).postData() ?? '{}') as { graph: GraphDocument; inputs?: unknown };
  expect(body.inputs).toBeUndefined(); // the editor sends the graph with the values in its nodes
  for (const { node, input, value } of widgets) expect([node, input, body.graph.nodes[node]!.inputs?.[input]]).toEqual([node, input, value]);

  await page.waitForFunction(() => ['succeeded', 'failed', 'cancelled'].includes((globalThis as unknown as Win).cinegraph.editor.view.status), undefined, { timeout: SLOW });
  const { runId, status } = await page.evaluate(() => {
    const { view } = (globalThis as unknown as Win).cinegraph.editor;
    return { runId: view.runId as string, status: view.status as string };
  });
  const run = (await (await fetch(`${t.url}/api/runs/${runId}`)).json()) as { status: string; error?: unknown };
  expect([status, run.status, run.error ?? null]).toEqual(['succeeded', 'succeeded', null]);

  // The shards: one captioned, segmented session per clip.
  const sessions = new Map<string, Session>();
  for await (const s of readShards({ dir: out })) sessions.set(path.basename(s.record.source.path), s);
  expect([...sessions.keys()].sort()).toEqual(['plain.mp4', 'red.mp4']);

  const red = sessions.get('red.mp4')!;
  expect(red.record.transitions.length).toBeGreaterThanOrEqual(1);
  expect(red.record.transitions.map((x) => x.text)).toEqual(red.record.transitions.map(() => INSTRUCTION));
  expect(red.record.annotators).toEqual({ text: 'tiny-smolvlm', regions: `${models.gdino} -> ${models.sam2}`, masks: `${models.gdino} -> ${models.sam2}` });
  expect(red.masks).toHaveLength(red.record.transitions.length);
  red.masks.forEach((pair, i) => {
    expect(onRedObject(pair.source!, red.record.frames[i]!.time, CLIP)).toBeGreaterThan(0.7);
    expect(onRedObject(pair.target!, red.record.frames[i + 1]!.time, CLIP)).toBeGreaterThan(0.7);
  });

  const plain = sessions.get('plain.mp4')!;
  expect(plain.record.transitions.map((x) => x.text)).toEqual(plain.record.transitions.map(() => INSTRUCTION));
  expect(plain.record.annotators).toEqual({ text: 'tiny-smolvlm', regions: 'change-mask', masks: 'change-mask' });
  plain.masks.forEach((pair, i) => {
    const change = changeMask(plain.frames[i]!, plain.frames[i + 1]!).mask;
    expect(change.data.some((v) => v > 0)).toBe(true);
    expect(pair.source!.data).toEqual(change.data);
  });
}, SLOW);

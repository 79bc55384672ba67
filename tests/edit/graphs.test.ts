/**
 * The shipped in-context templates (edit-in-context, compose-concepts, story) run headless with the tiny
 * editing model written on demand into the data folder, and an edit run can be cancelled between steps.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyParams, NullCacheStore, readGraphFile, runGraph, type GraphDocument, type RunEvent } from '../../engine/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { ditPack } from '../../nodes/dit/index.js';
import { readImage } from '../../media/image/index.js';
import { releaseEditModels } from '../../ml/edit/index.js';
import { solid, tempDir, writeFixture } from '../fixtures/images/helpers.js';

// nodes/index.ts lists ditPack once the lead registers it; until then add it here.
const registry = builtinRegistry().has('dit/edit') ? builtinRegistry() : builtinRegistry([ditPack]);
let tmp: Awaited<ReturnType<typeof tempDir>>;
let images: string[];
beforeAll(async () => {
  tmp = await tempDir('edit');
  images = [
    await writeFixture(tmp.dir, 'a.png', solid(40, 30, [200, 40, 40])),
    await writeFixture(tmp.dir, 'b.png', solid(24, 24, [40, 40, 200])),
  ];
});
afterAll(async () => {
  await releaseEditModels();
  await tmp.cleanup();
});

async function run(name: string, params: Record<string, unknown>, onEvent?: (e: RunEvent, cancel: () => void) => void) {
  const doc = applyParams(await readGraphFile(join(process.cwd(), 'graphs', `${name}.json`)) as GraphDocument, params, registry, { coerce: true });
  const handle = runGraph(doc, {
    registry, outputDir: join(tmp.dir, 'out', name), cache: new NullCacheStore(), services: { dataDir: join(tmp.dir, 'data') },
  });
  const events: RunEvent[] = [];
  handle.events.subscribe((e) => { events.push(e); onEvent?.(e, handle.cancel); });
  return { result: await handle.result, events };
}

/** The files an image/save node wrote (one item, or one per item of a stream). */
const savedFiles = (outputs: unknown): string[] => {
  const save = (outputs as Record<string, { path: string } | { path: string }[]>).save!;
  return (Array.isArray(save) ? save : [save]).map((o) => o.path);
};

test('edit-in-context: one image per instruction, at the fitted size, with a preview per turn', async () => {
  const { result, events } = await run('edit-in-context', { image: images[0], instructions: 'make it red\nadd a hat\nzoom out', seed: '1', steps: '3' });
  expect(result.status).toBe('succeeded');
  expect(existsSync(join(tmp.dir, 'data', 'models', 'tiny-edit', 'config.json'))).toBe(true);
  const files = savedFiles(result.outputs);
  expect(files).toHaveLength(3);
  const img = await readImage(files[0]!);
  expect([img.width, img.height]).toEqual([64, 64]);
  expect(events.filter((e) => e.type === 'node-preview' && e.node === 'edit')).toHaveLength(3);
  const progress = events.filter((e) => e.type === 'node-progress' && e.node === 'edit') as { value: number; max: number }[];
  expect(progress.at(-1)).toMatchObject({ value: 9, max: 9 });
});

test('compose-concepts: several references -> one image', async () => {
  const { result } = await run('compose-concepts', { images: images.join('\n'), prompt: 'the red thing on the blue thing', steps: '2' });
  expect(result.status).toBe('succeeded');
  const files = savedFiles(result.outputs);
  expect(files).toHaveLength(1);
  expect((await readImage(files[0]!)).width).toBe(64);
});

test('story: a sequence of prompts -> a sequence of images', async () => {
  const { result } = await run('story', { prompts: 'a fox in the snow\nthe fox runs', width: '32', height: '16', steps: '2' });
  expect(result.status).toBe('succeeded');
  const files = savedFiles(result.outputs);
  expect(files).toHaveLength(2);
  const img = await readImage(files[1]!);
  expect([img.width, img.height]).toEqual([32, 16]);
});

test('cancelling an edit run stops it between steps', async () => {
  let cancelledAt = -1;
  const { result, events } = await run('edit-in-context', { image: images[0], instructions: 'make it red\nadd a hat', steps: '200' }, (e, cancel) => {
    if (cancelledAt < 0 && e.type === 'node-progress' && e.node === 'edit' && e.value >= 2) {
      cancelledAt = e.value;
      cancel();
    }
  });
  expect(result.status).toBe('cancelled');
  const progress = events.filter((e) => e.type === 'node-progress' && e.node === 'edit') as { value: number }[];
  // Progress is throttled, so the cancel lands at whatever step was reported; at most the step under way finishes.
  expect(progress.at(-1)!.value).toBeLessThanOrEqual(cancelledAt + 1);
  expect(progress.at(-1)!.value).toBeLessThan(400);
  expect(events.some((e) => e.type === 'node-output' && e.node === 'save')).toBe(false);
});

/**
 * graphs/train-dit.json end to end with the tiny model on synthetic sessions in shards: shards -> train ->
 * EMA model -> edits of held-out sessions -> previews, through runGraph and through the CLI.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyParams, NullCacheStore, readGraphFile, runGraph, type EventOf, type GraphDocument, type RunEvent } from '../../engine/index.js';
import { builtinPacks, builtinRegistry } from '../../nodes/index.js';
import { trainPack } from '../../nodes/train/index.js';
import { ShardWriter } from '../../media/shards/index.js';
import { listCheckpoints } from '../../ml/train/index.js';
import { cli, ensureBuilt, ROOT } from '../cli/helpers.js';
import { syntheticSessions } from './train-fixtures.js';

// nodes/index.ts lists trainPack once the lead registers it; until then it is added here (and to the CLI by --nodes).
const registered = builtinPacks.includes(trainPack);
const registry = builtinRegistry([trainPack]);
const GRAPH = path.join(ROOT, 'graphs', 'train-dit.json');
let dir: string;
let shards: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cinegraph-train-graph-'));
  shards = path.join(dir, 'shards');
  const writer = await ShardWriter.open({ dir: shards, maxSessions: 4 });
  for (const s of syntheticSessions(12)) await writer.write(s);
  await writer.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('train-dit.json trains, exports the EMA model and edits the held-out sessions (runGraph)', async () => {
  const out = path.join(dir, 'run');
  const doc = applyParams(await readGraphFile(GRAPH) as GraphDocument, { shards, steps: '8', out, seed: '2' }, registry, { coerce: true });
  const handle = runGraph(doc, { registry, cache: new NullCacheStore(), outputDir: path.join(dir, 'output'), services: { dataDir: path.join(dir, 'data') } });
  const events: RunEvent[] = [];
  handle.events.subscribe((e) => events.push(e));
  const result = await handle.result;
  expect(result.error).toBeUndefined();
  expect(result.status).toBe('succeeded');
  const loss = events.filter((e): e is EventOf<'node-metric'> => e.type === 'node-metric' && e.node === 'train' && e.name === 'loss');
  expect(loss.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(result.outputs.train).toMatchObject({ step: 8, checkpoint: path.join(out, 'checkpoints', 'step-00000008') });
  expect((await listCheckpoints(path.join(out, 'checkpoints'))).at(-1)?.step).toBe(8);
  expect(result.outputs.export).toEqual({ folder: path.join(out, 'model'), step: 8 });
  expect(existsSync(path.join(out, 'model', 'dit.safetensors'))).toBe(true);
  // Held out: stored sessions 0 and 10 (every 10th), of 2 and 3 frames: 1 + 2 edit turns, 2 true last frames.
  expect(events.filter((e) => e.type === 'node-preview' && e.node === 'edit')).toHaveLength(3);
  expect(result.outputs['preview-truths']).toEqual({ width: 2 * 32 + 2 * 2 + 2, height: 32 + 2 * 2, channels: 3 });
  expect(result.outputs['preview-edits']).toMatchObject({ channels: 3 });
});

test('train-dit.json runs from the CLI with --set', async () => {
  ensureBuilt();
  const packDir = path.join(dir, 'pack');
  const extra: string[] = [];
  if (!registered) {
    await mkdir(packDir, { recursive: true });
    const dist = pathToFileURL(path.join(ROOT, 'dist', 'nodes', 'train', 'index.js')).href;
    await writeFile(path.join(packDir, 'index.mjs'), `export { trainPack as default } from ${JSON.stringify(dist)};\n`);
    extra.push('--nodes', packDir);
  }
  const out = path.join(dir, 'cli-run');
  const env: NodeJS.ProcessEnv = { ...process.env, CINEGRAPH_DATA: path.join(dir, 'cli-data') };
  delete env.CINEGRAPH_NODES;
  const r = await cli(['run', GRAPH, '--set', `shards=${shards}`, '--set', 'steps=5', '--set', `out=${out}`, '--set', 'seed=1', '--out', path.join(dir, 'cli-output'), '--json', ...extra], { cwd: dir, env });
  expect(r.stderr).not.toMatch(/warning/i);
  expect(r.code).toBe(0);
  const body = JSON.parse(r.stdout) as { status: string; outputs: { train: { step: number; loss: number }; export: { folder: string } } };
  expect(body.status).toBe('succeeded');
  expect(body.outputs.train.step).toBe(5);
  expect(Number.isFinite(body.outputs.train.loss)).toBe(true);
  expect(existsSync(path.join(body.outputs.export.folder, 'config.json'))).toBe(true);
}, 240_000);

/**
 * The train pack's nodes in real graphs, with the tiny model on synthetic sessions written to shards:
 * per-step metrics and progress, checkpoints that resume exactly, a cancel that leaves a valid checkpoint,
 * and checkpoints turned into model folders that dit/edit loads.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { firstValueFrom, filter, toArray } from 'rxjs';
import { runGraph, NullCacheStore, type GraphDocument, type RunEvent, type EventOf, type RunHandle } from '../../engine/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { trainPack } from '../../nodes/train/index.js';
import { ShardWriter } from '../../media/shards/index.js';
import { loadEditModel } from '../../ml/edit/index.js';
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from '../../ml/train/index.js';
import { readSafetensors } from '../../ml/weights/index.js';
import { syntheticSessions } from './train-fixtures.js';

const registry = builtinRegistry([trainPack]);
let dir: string;
let shards: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cinegraph-train-nodes-'));
  shards = path.join(dir, 'shards');
  const writer = await ShardWriter.open({ dir: shards, maxSessions: 3 });
  for (const s of syntheticSessions(6)) await writer.write(s);
  await writer.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function trainGraph(out: string, extra: Record<string, unknown> = {}): GraphDocument {
  return {
    format: 'cinegraph.graph', version: 1,
    nodes: {
      train: {
        type: 'dit/train',
        inputs: { shards, out, width: 16, height: 16, steps: 12, every: 5, keep: 5, batch: 2, seed: 3, lr: 0.002, warmup: 3, threads: 1, ...extra },
      },
    },
  } as GraphDocument;
}

function start(doc: GraphDocument): { run: RunHandle; events: Promise<RunEvent[]> } {
  const run = runGraph(doc, { registry, cache: new NullCacheStore(), outputDir: path.join(dir, 'output') });
  return { run, events: firstValueFrom(run.events.pipe(toArray())) };
}

const metrics = (events: RunEvent[], name: string) =>
  events.filter((e): e is EventOf<'node-metric'> => e.type === 'node-metric' && e.name === name).map((e) => [e.step, e.value] as const);

describe('dit/train', () => {
  let losses: number[];

  test('reports loss, lr, grad_norm and steps/s per step, progress to N, and saves checkpoints', async () => {
    const out = path.join(dir, 'straight');
    const { run, events } = start(trainGraph(out));
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    const all = await events;
    const loss = metrics(all, 'loss');
    expect(loss.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(loss.every(([, v]) => Number.isFinite(v) && v > 0)).toBe(true);
    for (const name of ['lr', 'grad_norm', 'steps_per_second']) expect(metrics(all, name)).toHaveLength(12);
    expect(metrics(all, 'lr')[0]![1]).toBeCloseTo(0.002 / 3, 9);
    const progress = all.filter((e): e is EventOf<'node-progress'> => e.type === 'node-progress');
    expect(progress.at(-1)).toMatchObject({ value: 12, max: 12 });
    const outputs = result.outputs.train as { checkpoint: string; dir: string; loss: number; step: number };
    expect(outputs).toMatchObject({ step: 12, dir: path.join(out, 'checkpoints'), loss: loss.at(-1)![1] });
    expect(outputs.checkpoint).toBe(path.join(out, 'checkpoints', 'step-00000012'));
    expect((await listCheckpoints(outputs.dir)).map((c) => c.step)).toEqual([5, 10, 12]);
    expect((await loadCheckpoint(outputs.checkpoint)).step).toBe(12);
    losses = loss.map(([, v]) => v);
  });

  test('a cancel mid-training ends the run cancelled, keeps the last periodic checkpoint, and a rerun resumes it exactly', async () => {
    const out = path.join(dir, 'cancelled');
    const { run, events } = start(trainGraph(out));
    const sub = run.events.pipe(filter((e) => e.type === 'node-metric' && e.name === 'loss' && e.step === 7)).subscribe(() => run.cancel());
    const result = await run.result;
    sub.unsubscribe();
    expect(result.status).toBe('cancelled');
    expect(Math.max(...metrics(await events, 'loss').map(([s]) => s))).toBeLessThan(12);
    const ckpts = path.join(out, 'checkpoints');
    expect((await listCheckpoints(ckpts)).map((c) => c.step)).toEqual([5]);
    expect((await readdir(ckpts)).filter((e) => e.includes('.tmp'))).toEqual([]);
    expect((await loadCheckpoint((await latestCheckpoint(ckpts))!)).step).toBe(5);

    const again = start(trainGraph(out));
    expect((await again.run.result).status).toBe('succeeded');
    const resumed = metrics(await again.events, 'loss');
    expect(resumed.map(([s]) => s)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    // CPU with one thread: the resumed losses equal the uninterrupted run's, bit for bit.
    expect(resumed.map(([, v]) => v)).toEqual(losses.slice(5));
  });

  test('a rerun with nothing left to train reports the last loss and step without training', async () => {
    const out = path.join(dir, 'straight');
    const { run, events } = start(trainGraph(out));
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    expect(metrics(await events, 'loss')).toEqual([]);
    expect(result.outputs.train).toMatchObject({ step: 12, loss: losses.at(-1) });
  });

  test('a shard folder with every session held out fails naming the input', async () => {
    const { run } = start(trainGraph(path.join(dir, 'none'), { holdout: 1 }));
    const result = await run.result;
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/input "shards".*all held out/);
  });
});

describe('dit/checkpoint-save and dit/checkpoint-load', () => {
  test('a checkpoint becomes an EMA model folder that dit/edit edits with', async () => {
    const ckpts = path.join(dir, 'straight', 'checkpoints');
    const doc = {
      format: 'cinegraph.graph', version: 1,
      nodes: {
        save: { type: 'dit/checkpoint-save', inputs: { checkpoint: ckpts, as: 'model', weights: 'ema', dest: '' } },
        copy: { type: 'dit/checkpoint-save', inputs: { checkpoint: path.join(ckpts, 'step-00000005'), as: 'checkpoint', dest: path.join(dir, 'copies') } },
        load: { type: 'dit/checkpoint-load', inputs: { path: { from: 'save', output: 'folder' } } },
        loadCkpt: { type: 'dit/checkpoint-load', inputs: { path: ckpts, weights: 'trained' } },
        edit: {
          type: 'dit/edit',
          inputs: { image: { from: 'turns', output: 'image' }, instructions: { from: 'turns', output: 'instructions' }, model: { from: 'load', output: 'model' }, steps: 2, device: 'cpu' },
        },
        read: { type: 'dataset/read-shards', inputs: { dir: shards } },
        turns: { type: 'dit/session-turns', inputs: { session: { from: 'read', output: 'session' } } },
        showCkpt: { type: 'core/show', inputs: { value: { from: 'loadCkpt', output: 'model' } } },
        turnsCount: { type: 'core/show', inputs: { value: { from: 'grid', output: 'count' } } },
        grid: { type: 'image/grid', inputs: { images: { from: 'edit', output: 'image' } } },
        preview: { type: 'image/preview', inputs: { image: { from: 'grid', output: 'image' } } },
      },
    } as unknown as GraphDocument;
    const { run } = start(doc);
    const result = await run.result;
    expect(result.error).toBeUndefined();
    const saved = result.outputs.save as { folder: string; step: number };
    expect(saved).toEqual({ folder: path.join(dir, 'straight', 'model'), step: 12 });
    const model = await loadEditModel(saved.folder, { device: 'cpu' });
    const exported = (await readSafetensors(path.join(saved.folder, model.config.weights!))).tensors;
    const ckpt = await loadCheckpoint(path.join(ckpts, 'step-00000012'));
    expect([...exported.keys()].sort()).toEqual([...ckpt.weights.keys()].sort());
    for (const [name, w] of exported) expect(w.data).toEqual(ckpt.optimizer.get(`ema.${name}`)!.data);
    const trained = (await readSafetensors(path.join(ckpts, 'step-00000012', 'trained-model', 'dit.safetensors'))).tensors;
    for (const [name, w] of trained) expect(w.data).toEqual(ckpt.weights.get(name)!.data);
    expect(result.outputs.showCkpt).toEqual({ text: path.join(ckpts, 'step-00000012', 'trained-model') });
    expect((result.outputs.copy as { folder: string }).folder).toBe(path.join(dir, 'copies', 'step-00000005'));
    expect((await loadCheckpoint(path.join(dir, 'copies', 'step-00000005'))).step).toBe(5);
    // Six sessions of 2, 3, 4, 2, 3, 4 frames: 12 edit turns in all, previewed as one sheet.
    expect(result.outputs.turnsCount).toEqual({ text: '12' });
    expect(result.outputs.preview).toMatchObject({ channels: 3 });
  });
});

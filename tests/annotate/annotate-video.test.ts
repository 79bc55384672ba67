/**
 * graphs/annotate-video.json end to end on synthetic clips with the project's tiny models, as a user runs
 * it: loaded from the shipped file with params set (engine), and by name through the CLI with --set.
 * Sessions land in shards with the tiny VLM's captions, grounded masks where its phrase ("red square")
 * is found, change masks where it is not, the annotators recorded; a broken video is reported and skipped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyParams, NullCacheStore, readGraphFile } from '../../engine/index.js';
import { changeMask } from '../../media/mask/index.js';
import type { Session } from '../../media/session/index.js';
import { readShards } from '../../media/shards/index.js';
import type { ClipOptions } from '../../media/synth/index.js';
import { onRedObject, writeAnnotationFixtures } from '../support/clip-objects.js';
import { releaseModels } from '../../ml/models/index.js';
import { TINY_VLM_REPLY } from '../../ml/models/tiny/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { cli, ensureBuilt, ROOT } from '../cli/helpers.js';
import { runAll, ofType } from '../support/graph.js';

// Seed 0 has a red circle in every state (the tiny detector finds "red"); seed 1 has nothing red.
const CLIP: Omit<ClipOptions, 'seed'> = { width: 160, height: 128, fps: 8, segmentFrames: 8, events: 3, kinds: ['move', 'recolor', 'appear', 'resize'] };
const INSTRUCTION = (JSON.parse(TINY_VLM_REPLY) as { instruction: string }).instruction;

let dir: string;
let models: { vlm: string; gdino: string; sam2: string };
let clips: { red: string; plain: string; bad: string };
const registry = builtinRegistry();

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-annotate-'));
  const fixtures = await writeAnnotationFixtures(dir, CLIP);
  models = fixtures.models;
  clips = { ...fixtures.clips, bad: path.join(dir, 'bad.mp4') };
  await writeFile(clips.bad, 'this is not a video\n');
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

/** The params a test run sets: tiny models in place of the hub ids, three videos, the middle one broken. */
const params = (out: string) => ({
  video: [clips.red, clips.bad, clips.plain].join('\n'),
  out,
  area: 'native',
  localModel: models.vlm,
  textAnnotator: 'tiny-smolvlm',
  detector: models.gdino,
  segmenter: models.sam2,
  device: 'cpu',
});

async function sessionsIn(out: string): Promise<Map<string, Session>> {
  const byClip = new Map<string, Session>();
  for await (const s of readShards({ dir: out })) byClip.set(path.basename(s.record.source.path), s);
  return byClip;
}

/** What a user checks in the shards of a run with the params above. */
async function expectAnnotatedShards(out: string): Promise<void> {
  const sessions = await sessionsIn(out);
  expect([...sessions.keys()].sort()).toEqual(['plain.mp4', 'red.mp4']);

  const red = sessions.get('red.mp4')!;
  expect(red.record.transitions.length).toBeGreaterThanOrEqual(2);
  expect(red.record.transitions.map((t) => t.text)).toEqual(red.record.transitions.map(() => INSTRUCTION));
  expect(red.record.annotators).toEqual({ text: 'tiny-smolvlm', regions: `${models.gdino} -> ${models.sam2}`, masks: `${models.gdino} -> ${models.sam2}` });
  red.masks.forEach((pair, i) => {
    // Each grounded mask lies on the red object of its own frame, and has a box in the record.
    expect(onRedObject(pair.source!, red.record.frames[i]!.time, CLIP)).toBeGreaterThan(0.7);
    expect(onRedObject(pair.target!, red.record.frames[i + 1]!.time, CLIP)).toBeGreaterThan(0.7);
    expect(red.record.transitions[i]!.boxes.source).toHaveLength(1);
  });

  const plain = sessions.get('plain.mp4')!;
  expect(plain.record.annotators).toEqual({ text: 'tiny-smolvlm', regions: 'change-mask', masks: 'change-mask' });
  plain.masks.forEach((pair, i) => {
    // Nothing red to find: the masks are the change masks of the stored (lossless) frames.
    const change = changeMask(plain.frames[i]!, plain.frames[i + 1]!).mask;
    expect(pair.source!.data).toEqual(change.data);
    expect(pair.target!.data).toEqual(change.data);
    expect(change.data.some((v) => v > 0)).toBe(true);
  });
}

test('headless: the shipped graph with params turns videos into captioned, segmented sessions; a broken video is skipped', async () => {
  const out = path.join(dir, 'engine-shards');
  const doc = applyParams(await readGraphFile(path.join(ROOT, 'graphs', 'annotate-video.json')), params(out), registry);
  const { result, events } = await runAll(doc, { registry, cache: new NullCacheStore(), outputDir: dir });
  expect(result.status).toBe('succeeded');
  const skipped = ofType(events, 'node-item-skipped');
  expect(skipped).toHaveLength(1);
  expect(skipped[0]).toMatchObject({ node: 'decode', item: 1, message: expect.stringContaining('bad.mp4') });
  for (const node of ['caption', 'masks']) expect(ofType(events, 'node-progress').some((e) => e.node === node)).toBe(true);
  expect(ofType(events, 'node-preview').some((e) => e.node === 'masks')).toBe(true);
  await expectAnnotatedShards(out);
});

test('CLI: `cinegraph run annotate-video --set ...` swaps the hub models for the tiny folders and writes the same shards', async () => {
  const out = path.join(dir, 'cli-shards');
  const sets = Object.entries(params(out)).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const env = { ...process.env, CINEGRAPH_DATA: path.join(dir, 'data') };
  const r = await cli(['run', 'annotate-video', ...sets, '--out', path.join(dir, 'cli-out'), '--json'], { cwd: dir, env });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded', outputs: { shards: { written: 2 } } });
  expect(r.stderr).toMatch(/skipped\s+decode .*bad\.mp4/);
  await expectAnnotatedShards(out);
});

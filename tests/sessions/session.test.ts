/** Session records: assembly, keys, the schema and validator, and the two templates end to end. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { applyParams, NullCacheStore, readGraphFile, runGraph, type RunEvent } from '../../engine/index.js';
import { readIndex, readShards } from '../../media/shards/index.js';
import { assembleSession, sessionKey, sessionSchema, validateSession, type Session } from '../../media/session/index.js';
import { planClip, writeClip } from '../../media/synth/index.js';
import { builtinRegistry } from '../../nodes/index.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'cinegraph-sessions-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

function fromTruth(seed: number, events = 3) {
  const plan = planClip({ seed, width: 128, height: 96, events });
  plan.truth.path = `/videos/s${seed}.mp4`;
  const frames = plan.truth.states.map((s, k) => ({ ...plan.images[k]!, time: s.keyFrame / plan.truth.fps, index: s.keyFrame }));
  return { plan, frames };
}

describe('assembleSession', () => {
  test('with ground truth: texts, phrases, boxes and masks come from the truth, and the record says so', () => {
    const { plan, frames } = fromTruth(4);
    const s = assembleSession({ source: plan.truth.path, frames, truth: plan.truth, sampling: 'synthetic' });
    expect(validateSession(s.record)).toEqual([]);
    expect(s.record.transitions.map((t) => t.text)).toEqual(plan.truth.transitions.map((t) => t.text));
    expect(s.record.transitions.map((t) => t.regions)).toEqual(plan.truth.transitions.map((t) => ({ source: t.source.phrase, target: t.target.phrase })));
    expect(s.record.annotators).toEqual({ text: 'synthetic-truth', regions: 'synthetic-truth', masks: 'synthetic-truth' });
    expect(s.record.frames.map((f) => f.file)).toEqual(['0.png', '1.png', '2.png', '3.png']);
    expect(s.masks).toHaveLength(3);
    expect(s.record.transitions[0]!.masks).toEqual({ source: '0.mask0.png', target: '0.mask1.png' });
  });

  test('with change masks and no texts: texts stay empty, masks are credited to the change mask', () => {
    const { frames } = fromTruth(5, 2);
    const mask = { width: 128, height: 96, channels: 1 as const, data: new Uint8Array(128 * 96) };
    mask.data.fill(255, 128 * 10, 128 * 20);
    const s = assembleSession({ source: '/videos/real.mp4', frames, masks: [{ source: mask, target: mask }, { source: null, target: null }], sampling: 'transitions' });
    expect(s.record.transitions.map((t) => t.text)).toEqual(['', '']);
    expect(s.record.annotators).toEqual({ text: 'none', regions: 'change-mask', masks: 'change-mask' });
    expect(s.record.transitions[0]!.boxes.source).toEqual([{ x: 0, y: 10, width: 128, height: 10 }]);
    expect(s.record.transitions[1]!.masks).toEqual({ source: null, target: null });
  });

  test('bad inputs are errors that name the problem', () => {
    const { frames } = fromTruth(6, 2);
    expect(() => assembleSession({ source: 'a.mp4', frames: frames.slice(0, 1) })).toThrow(/2\.\.20 frames, got 1/);
    expect(() => assembleSession({ source: 'a.mp4', frames, texts: ['only one'] })).toThrow(/need 2 texts, got 1/);
    const odd = [...frames];
    odd[1] = { ...odd[1]!, width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) };
    expect(() => assembleSession({ source: 'a.mp4', frames: odd })).toThrow(/frame 1 is 64x48, frame 0 is 128x96/);
  });

  test('keys are stable for a source and its frame times, and differ otherwise', () => {
    expect(sessionKey('clips/a.mp4', [0.5, 1])).toBe(sessionKey(resolve('clips/a.mp4'), [0.5, 1.0000001]));
    expect(sessionKey('clips/a.mp4', [0.5, 1])).not.toBe(sessionKey('clips/a.mp4', [0.5, 1.5]));
    expect(sessionKey('clips/a.mp4', [0.5, 1])).not.toBe(sessionKey('clips/b.mp4', [0.5, 1]));
    expect(sessionKey('clips/a.mp4', [0.5, 1])).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('validateSession', () => {
  const valid = () => structuredClone(assembleSession({ source: '/v.mp4', frames: fromTruth(7, 2).frames }).record) as unknown as Record<string, any>;

  test('lists every problem with its field', () => {
    const r = valid();
    r.transitions.pop();
    r.frames[1].file = '5.png';
    expect(validateSession(r)).toEqual(['/transitions: 3 frames need 2 transitions, got 1', '/frames/1/file: expected "1.png" or "1.jpg", got "5.png"']);
    const bad = valid();
    delete bad.annotators;
    bad.frames[0].time = -1;
    bad.key = 'has.dot';
    const issues = validateSession(bad);
    expect(issues).toEqual(expect.arrayContaining([expect.stringMatching(/^\/: must have required property 'annotators'/), expect.stringMatching(/^\/frames\/0\/time/), expect.stringMatching(/^\/key/)]));
  });

  test('a mask member that does not match its transition, and boxes outside the frame, are refused', () => {
    const r = valid();
    r.transitions[0].masks.source = '1.mask0.png';
    r.transitions[1].boxes.target = [{ x: 120, y: 0, width: 20, height: 5 }];
    expect(validateSession(r)).toEqual([
      '/transitions/0/masks/source: expected "0.mask0.png", got "1.mask0.png"',
      '/transitions/1/boxes/target/0: box leaves the 128x96 frame',
    ]);
  });

  test('docs/session.md documents every field of the schema', async () => {
    const doc = await readFile('docs/session.md', 'utf8');
    const fields = [...Object.keys(sessionSchema.properties), ...Object.keys(sessionSchema.properties.transitions.items.properties), ...Object.keys(sessionSchema.properties.frames.items.properties)];
    for (const f of fields) expect(doc).toMatch(new RegExp(`\`[^\`]*\\b${f}\\b[^\`]*\``));
    for (const member of ['{key}.json', '{key}.{i}.mask0.png', '{key}.{i}.mask1.png', 'index.jsonl']) expect(doc).toContain(member);
  });
});

async function runTemplate(file: string, params: Record<string, string>) {
  const registry = builtinRegistry();
  const doc = applyParams(await readGraphFile(file), params, registry, { coerce: true });
  const run = runGraph(doc, { registry, cache: new NullCacheStore(), outputDir: join(dir, 'output') });
  const events: RunEvent[] = [];
  run.events.subscribe((e) => events.push(e));
  const result = await run.result;
  return { result, events };
}

async function readAll(out: string): Promise<Session[]> {
  const all: Session[] = [];
  for await (const s of readShards({ dir: out })) all.push(s);
  return all;
}

describe('templates', () => {
  test('synthesize-sessions: count clips become truth-annotated sessions in shards; a rerun writes nothing twice', async () => {
    const out = join(dir, 'synthetic');
    const first = await runTemplate('graphs/synthesize-sessions.json', { count: '3', out, seed: '21' });
    expect(first.result.status).toBe('succeeded');
    expect(first.result.outputs.shards).toMatchObject({ written: 3, skipped: 0 });
    const sessions = await readAll(out);
    expect(sessions).toHaveLength(3);
    for (const s of sessions) {
      expect(s.record.annotators.text).toBe('synthetic-truth');
      expect(s.record.frames).toHaveLength(5);
      expect(s.record.transitions.every((t) => t.text.length > 0)).toBe(true);
      expect((await stat(s.record.source.path)).isFile()).toBe(true);
    }
    const again = await runTemplate('graphs/synthesize-sessions.json', { count: '3', out, seed: '21' });
    expect(again.result.outputs.shards).toMatchObject({ written: 0, skipped: 3 });
    expect((await readIndex(out)).entries.flatMap((e) => e.keys)).toHaveLength(3);
  }, 60_000);

  test('extract-sessions: a video becomes change-masked sessions with empty texts', async () => {
    const { truth } = await writeClip({ seed: 31, width: 256, height: 192, events: 4, kinds: ['appear', 'move', 'recolor', 'disappear'] }, join(dir, 'real.mp4'));
    const out = join(dir, 'extracted');
    const { result, events } = await runTemplate('graphs/extract-sessions.json', { video: truth.path, out });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const sessions = await readAll(out);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    const s = sessions[0]!;
    expect(s.record.source.path).toBe(truth.path);
    expect(s.record.annotators).toEqual({ text: 'none', regions: 'change-mask', masks: 'change-mask' });
    expect(s.record.transitions.every((t) => t.text === '')).toBe(true);
    expect(s.masks.some((m) => m.source && m.source.data.some((v) => v > 0))).toBe(true);
    expect(events.some((e) => e.type === 'node-item-skipped')).toBe(false);
  }, 60_000);
});

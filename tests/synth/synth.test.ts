/** Synthetic clips: deterministic from the seed, and their ground truth matches what is drawn. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrames } from '../../media/video/index.js';
import { decodeRle, OBJECT_COLORS, planClip, writeClip, type SynthTruth } from '../../media/synth/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { NullCacheStore } from '../../engine/index.js';
import { graph, link, runAll, ofType } from '../support/graph.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'cinegraph-synth-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

const area = (rle: { counts: number[] }) => rle.counts.reduce((n, c, i) => (i % 2 ? n + c : n), 0);

describe('planClip', () => {
  test('the same seed gives the same script, pixels and truth; another seed does not', () => {
    const a = planClip({ seed: 11 });
    const b = planClip({ seed: 11 });
    const c = planClip({ seed: 12 });
    expect(JSON.stringify(b.truth)).toBe(JSON.stringify(a.truth));
    a.images.forEach((img, i) => expect(Buffer.compare(Buffer.from(img.data), Buffer.from(b.images[i]!.data))).toBe(0));
    expect(JSON.stringify(c.truth.transitions.map((t) => t.text))).not.toBe(JSON.stringify(a.truth.transitions.map((t) => t.text)));
  });

  test('every kind of event occurs over a few seeds, with instructions in the method style', () => {
    const texts: Record<string, string[]> = {};
    for (let seed = 0; seed < 40; seed++) for (const t of planClip({ seed, width: 160, height: 128 }).truth.transitions) (texts[t.kind] ??= []).push(t.text);
    expect(Object.keys(texts).sort()).toEqual(['appear', 'cut', 'disappear', 'move', 'pan', 'recolor', 'resize']);
    const shape = '(circle|square|triangle)';
    const color = `(${Object.keys(OBJECT_COLORS).join('|')})`;
    const patterns: Record<string, RegExp> = {
      appear: new RegExp(`^add an? ${color} ${shape} (at the (top|bottom)( (left|right))?|on the (left|right)|in the center)$`),
      disappear: new RegExp(`^remove the ${color} ${shape}$`),
      move: new RegExp(`^move the ${color} ${shape} (to the (left|right)|up|down|to the (upper|lower) (left|right))$`),
      recolor: new RegExp(`^make the ${color} ${shape} ${color}$`),
      resize: new RegExp(`^make the ${color} ${shape} (bigger|smaller)$`),
      pan: /^pan the camera to the (left|right)$/,
      cut: /^cut to a new scene with an? /,
    };
    for (const [kind, list] of Object.entries(texts)) for (const text of list) expect(text).toMatch(patterns[kind]!);
  });

  test('masks and boxes match the drawn pixels: the named colour inside, the phrases on the right sides', () => {
    for (let seed = 0; seed < 12; seed++) {
      const { truth, images } = planClip({ seed });
      for (const t of truth.transitions) {
        const before = images[t.index]!;
        const after = images[t.index + 1]!;
        const m0 = decodeRle(t.source.mask);
        const m1 = decodeRle(t.target.mask);
        if (t.global) {
          expect(area(t.source.mask)).toBe(truth.width * truth.height);
          continue;
        }
        if (t.kind === 'appear') expect([area(t.source.mask) === 0, area(t.target.mask) > 0, t.source.phrase]).toEqual([true, true, '']);
        if (t.kind === 'disappear') expect([area(t.source.mask) > 0, area(t.target.mask) === 0, t.target.phrase]).toEqual([true, true, '']);
        if (t.kind === 'resize') expect(area(t.target.mask) > area(t.source.mask)).toBe(t.text.endsWith('bigger'));
        if (t.kind === 'move') expect(t.source.boxes[0]).not.toEqual(t.target.boxes[0]);
        // The phrase's colour is what the mask covers in that frame.
        for (const [mask, img, phrase] of [[m0, before, t.source.phrase], [m1, after, t.target.phrase]] as const) {
          if (!phrase) continue;
          const rgb = OBJECT_COLORS[phrase.split(' ')[0]!]!;
          let hits = 0;
          let set = 0;
          for (let p = 0; p < mask.data.length; p++) {
            if (!mask.data[p]) continue;
            set++;
            if (img.data[p * 3] === rgb[0] && img.data[p * 3 + 1] === rgb[1] && img.data[p * 3 + 2] === rgb[2]) hits++;
          }
          expect(hits).toBe(set);
          const box = (phrase === t.source.phrase && mask === m0 ? t.source : t.target).boxes[0]!;
          expect(box.width * box.height).toBeGreaterThanOrEqual(set);
        }
      }
    }
  });
});

describe('writeClip', () => {
  test('encodes an H.264 mp4 whose decoded frames show each state at the truth frame indices', async () => {
    const { truth, images } = await writeClip({ seed: 5, events: 3 }, join(dir, 'a.mp4'));
    expect(truth.frames).toBe(32);
    const frames = [];
    for await (const f of decodeFrames(truth.path)) frames.push(f);
    expect(frames).toHaveLength(truth.frames);
    expect([frames[0]!.width, frames[0]!.height]).toEqual([320, 240]);
    for (const [k, s] of truth.states.entries()) {
      const decoded = frames[s.keyFrame]!.data;
      let diff = 0;
      for (let i = 0; i < decoded.length; i++) diff += Math.abs(decoded[i]! - images[k]!.data[i]!);
      expect(diff / decoded.length).toBeLessThan(6); // lossy, but the same picture
    }
    const again = await writeClip({ seed: 5, events: 3 }, join(dir, 'b.mp4'));
    expect({ ...again.truth, path: '' }).toEqual({ ...truth, path: '' });
    await expect(stat(join(dir, 'a.mp4.partial'))).rejects.toThrow();
  });
});

describe('video/synthesize', () => {
  test('streams clips with truth and key frames; clip i uses seed + i', async () => {
    const registry = builtinRegistry();
    const doc = graph({
      synth: { type: 'video/synthesize', inputs: { count: 2, seed: 7, events: 2, width: 160, height: 128, dir: join(dir, 'node') } },
      out: { type: 'test/collect', inputs: { values: link('synth', 'truth') } },
    });
    const { testPack } = await import('../support/test-nodes.js');
    const { result, events } = await runAll(doc, { registry: builtinRegistry([testPack]), cache: new NullCacheStore() });
    expect(registry.has('video/synthesize')).toBe(true);
    expect(result.status).toBe('succeeded');
    const truths = (result.outputs.out as { values: SynthTruth[] }).values;
    expect(truths.map((t) => t.seed)).toEqual([7, 8]);
    expect(truths[0]!.transitions).toHaveLength(2);
    for (const t of truths) expect((await stat(t.path)).size).toBeGreaterThan(1000);
    expect(ofType(events, 'node-preview').length).toBeGreaterThan(0);
  });

  test('an unknown event kind is an error naming the input', async () => {
    const { testPack } = await import('../support/test-nodes.js');
    const doc = graph({
      synth: { type: 'video/synthesize', inputs: { count: 1, kinds: 'appear,explode', dir } },
      out: { type: 'test/collect', inputs: { values: link('synth', 'path') } },
    });
    const { result } = await runAll(doc, { registry: builtinRegistry([testPack]), cache: new NullCacheStore() });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/kinds.*explode/);
  });
});

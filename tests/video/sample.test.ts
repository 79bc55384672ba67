/** Frame sampling on generated clips with known change points, borders and static content. */
import { builtinRegistry } from '../../nodes/index.js';
import { cropCommonBorders, decodeFrames, detectBorders, SessionSampler, type DecodedFrame, type SamplerOptions } from '../../media/video/index.js';
import type { FrameSet } from '../../nodes/video/types.js';
import { graph, link, runAll } from '../support/graph.js';
import { ffmpeg, lavfi, meanRgb, tempDir } from './clips.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** Four 2 s scenes (cuts at 2, 4, 6 s) with objects appearing inside them. */
const EVENTS = [1.0, 2.0, 2.5, 3.5, 4.0, 6.0, 7.0];
let events: string, letterbox: string, still: string;
beforeAll(() => {
  events = `${dir}/events.mp4`;
  const box = (x: number, y: number, color: string, t: number) => `drawbox=x=${x}:y=${y}:w=64:h=64:color=${color}:t=fill:enable='gte(t,${t})'`;
  ffmpeg(
    '-f', 'lavfi', '-i', 'smptebars=s=320x240:r=10:d=2',
    '-f', 'lavfi', '-i', 'color=c=0x336699:s=320x240:r=10:d=2',
    '-f', 'lavfi', '-i', 'rgbtestsrc=s=320x240:r=10:d=2',
    '-f', 'lavfi', '-i', 'color=c=green:s=320x240:r=10:d=2',
    '-filter_complex',
    `[0]${box(40, 40, 'white', 1)}[a];[1]${box(40, 40, 'red', 0.5)},${box(200, 120, 'yellow', 1.5)}[b];[3]${box(120, 80, 'magenta', 1)}[d];[a][b][2][d]concat=n=4:v=1:a=0`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', events,
  );
  letterbox = lavfi(`${dir}/letterbox.mp4`, 'smptebars=s=320x176:r=10,drawbox=x=0:y=0:w=80:h=40:color=white:t=fill:enable=\'gte(t,1)\',pad=320:240:0:32:black', 2);
  still = lavfi(`${dir}/still.mp4`, 'color=c=gray:s=320x240:r=10', 3);
});

async function sample(path: string, options: SamplerOptions, decode: Parameters<typeof decodeFrames>[1] = {}) {
  const sampler = new SessionSampler<DecodedFrame>(options);
  const sessions = [];
  for await (const f of decodeFrames(path, { area: 65536, ...decode })) sessions.push(...sampler.push(f));
  sessions.push(...sampler.end());
  return sessions;
}

test('transitions: cuts and appearing objects are found with precision and recall >= 0.9', async () => {
  const found: number[] = [];
  const sessions = await sample(events, { strategy: 'transitions', onChange: (t) => found.push(t) });
  const near = (a: number, b: number) => Math.abs(a - b) <= 0.15;
  const precision = found.filter((t) => EVENTS.some((e) => near(t, e))).length / found.length;
  const recall = EVENTS.filter((e) => found.some((t) => near(t, e))).length / EVENTS.length;
  console.log(`transitions: detected ${found.map((t) => t.toFixed(1)).join(', ')}; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
  expect(precision).toBeGreaterThanOrEqual(0.9);
  expect(recall).toBeGreaterThanOrEqual(0.9);
  // Both sides of each change are kept: the frame at it, and before it a frame of the state since the
  // previous change (the frame just before, or an identical earlier one kept once).
  const times = sessions.flatMap((s) => s.frames.map((f) => Math.round(f.time * 10) / 10));
  EVENTS.forEach((e, i) => {
    const at = times.indexOf(e);
    expect(at).toBeGreaterThan(0);
    expect(times[at - 1]).toBeLessThan(e);
    expect(times[at - 1]).toBeGreaterThanOrEqual(i ? EVENTS[i - 1]! : 0);
  });
  for (const s of sessions) expect(s.frames.length).toBeGreaterThanOrEqual(2);
});

test('sessions hold at most maxFrames; a long run of changes is split, sharing boundary frames', async () => {
  const sessions = await sample(events, { strategy: 'interval', every: 1, unit: 'frames', maxFrames: 5, cropBorders: false });
  expect(sessions.length).toBeGreaterThan(1);
  for (const s of sessions) expect(s.frames.length).toBeGreaterThanOrEqual(2), expect(s.frames.length).toBeLessThanOrEqual(5);
  for (let i = 1; i < sessions.length; i++) expect(sessions[i]!.frames[0]).toBe(sessions[i - 1]!.frames.at(-1));
});

test('interval drops near-duplicates: a 8 s clip sampled every 0.5 s keeps only frames that differ', async () => {
  const [s, ...rest] = await sample(events, { strategy: 'interval', every: 0.5 });
  expect(rest).toHaveLength(0);
  // 16 samples, but a scene with nothing new between samples contributes one frame.
  expect(s!.frames.length).toBeLessThan(16);
  expect(s!.frames.length).toBeGreaterThanOrEqual(8);
});

test('count picks K evenly spaced frames over the whole clip', async () => {
  const [s] = await sample(events, { strategy: 'count', count: 4, thresholds: { duplicate: 0 } });
  // Ideal: 0, 26.3, 52.7, 79; the thinning buffer (4K = 16 frames, stride 8 here) picks within 4 frames.
  const picked = s!.frames.map((f) => f.index);
  expect(picked).toHaveLength(4);
  [0, 26.3, 52.7, 79].forEach((ideal, k) => expect(Math.abs(picked[k]! - ideal)).toBeLessThanOrEqual(4));
});

test('letterbox bars are detected and cropped', async () => {
  const frames: DecodedFrame[] = [];
  for await (const f of decodeFrames(letterbox, { fps: 2 })) frames.push(f);
  expect(detectBorders(frames[0]!)).toMatchObject({ top: 32, bottom: 32, left: 0, right: 0 });
  const cropped = cropCommonBorders(frames);
  expect([cropped[0]!.width, cropped[0]!.height]).toEqual([320, 176]);
  const firstRow = meanRgb(cropped[0]!.data.subarray(0, 320 * 3));
  expect(Math.max(...firstRow)).toBeGreaterThan(100);
  const [session] = await sample(letterbox, { strategy: 'transitions' }, { area: null });
  expect(session!.frames.every((f) => f.height === 176)).toBe(true);
});

test('a static clip gives no session and says so', async () => {
  for (const strategy of ['transitions', 'interval', 'count'] as const) {
    const logs: string[] = [];
    const sessions = await sample(still, { strategy, log: (m) => logs.push(m) });
    expect(sessions).toEqual([]);
    expect(logs.join('\n')).toMatch(new RegExp(`static clip, no session: ${still}`));
  }
});

test('video/decode -> video/sample-frames in a graph streams FRAME_SETs per video', async () => {
  const doc = graph({
    paths: { type: 'core/lines', inputs: { text: `${events}\n${still}\n${letterbox}` } },
    decode: { type: 'video/decode', inputs: { path: link('paths', 'line'), area: '256x256' } },
    pick: { type: 'video/sample-frames', inputs: { frames: link('decode', 'frame'), strategy: 'transitions' } },
    out: { type: 'core/collect', inputs: { items: link('pick', 'frames') } },
  });
  const logs: string[] = [];
  const logger = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), debug: () => {} };
  const { result } = await runAll(doc, { registry: builtinRegistry(), logger });
  expect(result.status).toBe('succeeded');
  const sets = (result.outputs.out as { items: FrameSet[] }).items;
  expect([...new Set(sets.map((s) => s.source))]).toEqual([events, letterbox]);
  expect(sets.every((s) => s.reason === 'transitions' && s.frames.length >= 2 && s.frames.length <= 20)).toBe(true);
  expect(logs.some((m) => m.includes(`static clip, no session: ${still}`))).toBe(true);
});

/** Bad videos: each gives a VideoError naming the file and the problem; with `skip` a batch goes on. */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { decodeFrames, probeVideo, VideoError } from '../../media/video/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { graph, link, ofType, runAll } from '../support/graph.js';
import { ffmpeg, lavfi, tempDir } from './clips.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let good: string;
beforeAll(() => {
  good = lavfi(`${dir}/good.mp4`, 'testsrc2=size=320x240:rate=10', 1);
});

async function decodeError(path: string, options: Parameters<typeof decodeFrames>[1] = {}): Promise<VideoError> {
  try {
    for await (const _ of decodeFrames(path, options)) void _;
  } catch (error) {
    expect(error).toBeInstanceOf(VideoError);
    expect((error as Error).message).toContain(`video "${path}"`);
    return error as VideoError;
  }
  throw new Error(`decoding ${path} did not fail`);
}

test('a missing file', async () => {
  const e = await decodeError(`${dir}/nope.mp4`);
  expect(e.problem).toBe('missing');
  expect(e.message).toMatch(/file not found/);
});

test('an empty file', async () => {
  writeFileSync(`${dir}/empty.mp4`, '');
  const e = await decodeError(`${dir}/empty.mp4`);
  expect(e.message).toMatch(/empty \(0 bytes\)/);
});

test('a text file named .mp4', async () => {
  writeFileSync(`${dir}/notes.mp4`, 'these are my notes, not a video\n'.repeat(20));
  const e = await decodeError(`${dir}/notes.mp4`);
  expect(e.problem).toBe('not-a-video');
  expect(e.message).toMatch(/text file, not a video/);
});

test('a truncated mp4 (index at the end, cut in half)', async () => {
  const cut = `${dir}/cut.mp4`;
  writeFileSync(cut, readFileSync(good));
  truncateSync(cut, Math.floor(readFileSync(good).length / 2));
  const e = await decodeError(cut);
  expect(e.problem).toBe('truncated');
  expect(e.message).toMatch(/truncated.*moov atom not found/);
});

test('a truncated mp4 with its index first (faststart) fails after the frames it has', async () => {
  const fast = `${dir}/fast.mp4`;
  ffmpeg('-i', good, '-c', 'copy', '-movflags', '+faststart', fast);
  truncateSync(fast, Math.floor(readFileSync(fast).length / 2));
  const e = await decodeError(fast);
  expect(e.problem).toBe('truncated');
  expect(e.message).toMatch(/decoding stopped after \d+ frame/);
});

test('an unsupported codec (a Matroska track whose codec id was overwritten)', async () => {
  const mkv = `${dir}/good.mkv`;
  ffmpeg('-i', good, '-c', 'copy', mkv);
  const bytes = readFileSync(mkv);
  const at = bytes.indexOf('V_MPEG4/ISO/AVC');
  expect(at).toBeGreaterThan(0);
  bytes.write('V_QQQQQ/ISO/ZZZ', at, 'latin1');
  writeFileSync(`${dir}/bogus.mkv`, bytes);
  const e = await decodeError(`${dir}/bogus.mkv`);
  expect(e.problem).toBe('unsupported-codec');
  expect(e.message).toMatch(/codec \(unknown\) cannot be decoded/);
});

test('a container with no video stream (audio only)', async () => {
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', `${dir}/tone.mkv`);
  const e = await decodeError(`${dir}/tone.mkv`);
  expect(e.problem).toBe('no-video-stream');
  expect(e.message).toMatch(/no video stream \(streams: audio\)/);
});

test('frames larger than the configured limit are refused', async () => {
  const e = await decodeError(good, { maxSide: 256 });
  expect(e.problem).toBe('too-large');
  expect(e.message).toMatch(/frames are 320x240, over the limit of 256 px per side/);
});

test('probe gives the same clear errors', async () => {
  await expect(probeVideo(`${dir}/nope.mp4`)).rejects.toThrow(`video "${dir}/nope.mp4": file not found`);
});

test('with the skip policy a batch of videos goes on past bad ones and reports each', async () => {
  writeFileSync(`${dir}/empty2.mp4`, '');
  const doc = graph({
    paths: { type: 'core/lines', inputs: { text: [`${dir}/missing.mp4`, good, `${dir}/empty2.mp4`, good].join('\n') } },
    decode: { type: 'video/decode', inputs: { path: link('paths', 'line'), fps: 5, area: 'native' }, onItemError: 'skip' },
    out: { type: 'core/collect', inputs: { items: link('decode', 'frame') } },
  });
  const { result, events } = await runAll(doc, { registry: builtinRegistry(), cache: undefined, onItemError: 'fail' });
  expect(result.status).toBe('succeeded');
  expect(((result.outputs.out as { items: unknown[] }).items).length).toBe(10);
  const skipped = ofType(events, 'node-item-skipped').map((e) => e.message);
  expect(skipped).toEqual([`video "${dir}/missing.mp4": file not found`, `video "${dir}/empty2.mp4": the file is empty (0 bytes)`]);
});

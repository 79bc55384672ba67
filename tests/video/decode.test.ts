/** Decoding real ffmpeg test patterns: frame counts, timestamps, pixel values, sizes, ranges, rotation. */
import { decodeFrames, fitArea, probeVideo, type DecodedFrame } from '../../media/video/index.js';
import { ffmpeg, lavfi, meanRgb, tempDir } from './clips.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let red: string, pattern: string, wide: string;
beforeAll(() => {
  red = lavfi(`${dir}/red.mp4`, 'color=c=red:s=320x240:r=10', 2);
  pattern = lavfi(`${dir}/pattern.mp4`, 'testsrc2=size=320x240:rate=10', 2);
  wide = lavfi(`${dir}/wide.mp4`, 'testsrc2=size=1280x720:rate=5', 1);
});

async function all(path: string, options: Parameters<typeof decodeFrames>[1] = {}): Promise<DecodedFrame[]> {
  const out: DecodedFrame[] = [];
  for await (const f of decodeFrames(path, options)) out.push(f);
  return out;
}

test('probe reports duration, fps, size, codec and frame count', async () => {
  const info = await probeVideo(pattern);
  expect(info).toMatchObject({ fps: 10, width: 320, height: 240, codec: 'h264', rotation: 0, frames: 20 });
  expect(info.duration).toBeCloseTo(2, 1);
});

test('a probe is remembered only while the file is unchanged', async () => {
  const path = `${dir}/rewritten.mp4`;
  lavfi(path, 'testsrc2=size=320x240:rate=10', 1);
  expect((await probeVideo(path)).width).toBe(320);
  lavfi(path, 'testsrc2=size=160x96:rate=10', 1);
  expect((await probeVideo(path)).width).toBe(160);
});

test('every frame of a 2 s, 10 fps clip arrives once, at its own time', async () => {
  const frames = await all(pattern);
  expect(frames).toHaveLength(20);
  frames.forEach((f, i) => {
    expect(f.index).toBe(i);
    expect(f.time).toBeCloseTo(i / 10, 5);
    expect([f.width, f.height, f.channels, f.data.length]).toEqual([320, 240, 3, 320 * 240 * 3]);
  });
});

test('a variable-frame-rate clip reports each frame at its real presentation time', async () => {
  // 1 s at 10 fps, then 1 s at 5 fps, kept variable: no single fps describes it.
  const vfr = `${dir}/vfr.mp4`;
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=1', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=5:duration=1',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-fps_mode', 'vfr', '-pix_fmt', 'yuv420p', vfr);
  expect((await probeVideo(vfr)).constantFrameRate).toBe(false);
  const times = (await all(vfr)).map((f) => Number(f.time.toFixed(2)));
  expect(times.slice(0, 12)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.2]);
});

test('a solid red clip decodes to red pixels', async () => {
  const [first] = await all(red, { duration: 0.1 });
  const [r, g, b] = meanRgb(first!.data);
  expect(r).toBeGreaterThan(245);
  expect(g).toBeLessThan(10);
  expect(b).toBeLessThan(10);
});

test('consecutive testsrc2 frames differ (frames are not repeated)', async () => {
  const frames = await all(pattern, { duration: 0.3 });
  expect(Buffer.compare(Buffer.from(frames[0]!.data), Buffer.from(frames[1]!.data))).not.toBe(0);
});

test('the area presets give sides that are multiples of 16 and about the asked area', async () => {
  for (const [area, expected] of [[65536, [336, 192]], [307200, [736, 416]]] as const) {
    const [f] = await all(wide, { area, duration: 0.2 });
    expect([f!.width, f!.height]).toEqual(expected);
    expect(f!.width % 16).toBe(0);
    expect(f!.height % 16).toBe(0);
    expect(Math.abs(f!.width * f!.height - area) / area).toBeLessThan(0.08);
  }
  expect(fitArea(320, 240, 65536)).toEqual({ width: 288, height: 224 });
});

test('a time range and an fps selection give the right frames and times', async () => {
  const frames = await all(pattern, { start: 0.5, duration: 1, fps: 4 });
  expect(frames.map((f) => f.time)).toEqual([0.5, 0.75, 1, 1.25]);
  const ranged = await all(pattern, { start: 1.2, duration: 0.5 });
  expect(ranged.map((f) => Math.round(f.time * 10))).toEqual([12, 13, 14, 15, 16]);
});

test('rotation metadata is honoured: a rotated 320x240 clip decodes upright as 240x320', async () => {
  const rotated = `${dir}/rotated.mp4`;
  ffmpeg('-i', pattern, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated);
  const info = await probeVideo(rotated);
  expect([info.width, info.height]).toEqual([240, 320]);
  expect(info.rotation).toBe(270);
  const [f] = await all(rotated, { duration: 0.1 });
  expect([f!.width, f!.height]).toEqual([240, 320]);
});

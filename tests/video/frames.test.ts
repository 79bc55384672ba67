/** How raw frames get from ffmpeg to the consumer: the socket channel, the frame reader, ffmpeg's output queue. */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { decodeArgs, decodeFrames, outputSize, probeVideo, spawnTool } from '../../media/video/index.js';
import { socketChannel } from '../../media/video/channel.js';
import { FrameReader } from '../../media/video/frames.js';
import { ffmpegChildren, lavfi, tempDir } from './clips.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let pattern: string, long: string;
beforeAll(() => {
  pattern = lavfi(`${dir}/pattern.mp4`, 'testsrc2=size=320x240:rate=10', 2);
  long = lavfi(`${dir}/long.mp4`, 'testsrc2=size=320x240:rate=25', 60, ['-preset', 'ultrafast']);
});

async function drain(reader: FrameReader): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (let f = await reader.next(); f; f = await reader.next()) frames.push(f);
  return frames;
}

test('decoded frames are byte for byte what ffmpeg writes to a file', async () => {
  const info = await probeVideo(pattern);
  const size = outputSize(info, 65536);
  const file = `${dir}/frames.rgb`;
  const args = decodeArgs(pattern, size, info, { start: 0, duration: 0, fps: 0 }, false).map((a) => (a === 'pipe:1' ? file : a));
  execFileSync('ffmpeg', ['-y', ...args], { stdio: 'ignore' });
  const expected = readFileSync(file);
  const frameBytes = size.width * size.height * 3;
  const frames = [];
  for await (const f of decodeFrames(pattern, { area: 65536 })) frames.push(f.data);
  expect(frames).toHaveLength(expected.length / frameBytes);
  frames.forEach((data, i) => expect(Buffer.compare(Buffer.from(data), expected.subarray(i * frameBytes, (i + 1) * frameBytes))).toBe(0));
});

test("ffmpeg's output queue (fifo muxer) writes the same bytes as a plain rawvideo output", async () => {
  const info = await probeVideo(pattern);
  const size = { width: info.width, height: info.height };
  const run = async (queue: number) => {
    const proc = spawnTool('ffmpeg', decodeArgs(pattern, size, info, { start: 0, duration: 0, fps: 0, queue }, false));
    const reader = new FrameReader(size.width * size.height * 3).attach(proc.stdout, true);
    const frames = await drain(reader);
    expect((await proc.exited).code).toBe(0);
    return Buffer.concat(frames);
  };
  const queued = await run(4);
  expect(decodeArgs(pattern, size, info, { start: 0, duration: 0, fps: 0, queue: 4 }, false)).toEqual(expect.arrayContaining(['fifo', '-queue_size', '4']));
  expect(queued.length).toBe(20 * 320 * 240 * 3);
  expect(Buffer.compare(queued, await run(0))).toBe(0);
});

test('a socket channel delivers every byte a child writes straight into the frames being filled', async () => {
  const reader = new FrameReader(1000, 3);
  const channel = await socketChannel(reader.onread);
  expect(channel).not.toBeNull();
  // 10 frames and a half: the half frame at the end is dropped.
  const child = spawn('head', ['-c', '10500', '/dev/urandom'], { stdio: ['ignore', channel!.child, 'ignore'] });
  channel!.child.destroy();
  reader.attach(channel!.ours, false);
  const frames = await drain(reader);
  expect(frames).toHaveLength(10);
  expect(frames.every((f) => f.length === 1000)).toBe(true);
  expect(new Set(frames.map((f) => f.buffer)).size).toBe(10); // each frame owns its memory
  await new Promise((r) => child.once('close', r));
});

test('the frame reader cuts chunks across frame boundaries and stops reading while its window is full', async () => {
  const stream = new PassThrough();
  const reader = new FrameReader(4, 2).attach(stream, true);
  stream.write(Buffer.from([1, 2, 3]));
  stream.write(Buffer.from([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
  await new Promise((r) => setImmediate(r));
  expect(stream.isPaused()).toBe(true); // three whole frames wait, over the window of two
  expect(Array.from((await reader.next())!)).toEqual([1, 2, 3, 4]);
  expect(stream.isPaused()).toBe(true); // two still wait
  expect(Array.from((await reader.next())!)).toEqual([5, 6, 7, 8]);
  expect(stream.isPaused()).toBe(false);
  stream.end(Buffer.from([14, 15, 16, 17]));
  expect((await drain(reader)).map((f) => Array.from(f))).toEqual([
    [9, 10, 11, 12],
    [13, 14, 15, 16],
  ]);
});

test('the frame reader passes a stream error on to the consumer', async () => {
  const stream = new PassThrough();
  const reader = new FrameReader(4).attach(stream, true);
  stream.destroy(new Error('pipe broke'));
  await expect(reader.next()).rejects.toThrow('pipe broke');
});

test('a consumer that stops taking frames holds ffmpeg back: it writes only about its queues ahead', async () => {
  // 1500 frames of 230 kB (345 MB). Written to the socket by now: our window (4 MiB) and the socket's buffers;
  // ffmpeg's own queue (16 MiB) waits inside ffmpeg.
  const frames = decodeFrames(long, { area: null });
  await frames.next();
  const [pid] = ffmpegChildren();
  expect(pid).toBeDefined();
  await new Promise((r) => setTimeout(r, 1500));
  const written = Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
  expect(written).toBeLessThan(32 * 1024 * 1024);
  expect(ffmpegChildren()).toEqual([pid]);
  await frames.return();
  expect(ffmpegChildren()).toEqual([]);
});

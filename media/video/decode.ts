/**
 * Lazy decoding to raw RGB frames: ffmpeg writes `-pix_fmt rgb24` raw video to a socket (a pipe where
 * there is none) whose reads land straight in the frames handed out. The consumer's pace drives decoding:
 * once a bounded number of frames wait, nothing is read, ffmpeg's queue fills, and ffmpeg blocks; memory
 * stays at a few frames whatever the video's length. At a constant frame rate (or with `fps`), frame i is
 * at i / fps; otherwise times come from ffmpeg's `showinfo` filter (the frame's real pts), so variable
 * frame rates and seeks report true times. Stopping early (`return()`, a `break`, or the abort signal)
 * kills ffmpeg and waits for it to exit.
 */
import { VideoError } from './errors.js';
import { locateFfmpeg } from './locate.js';
import { lastErrorLine, probeVideo, checkVideoFile, outputFormats, type ToolOptions, type VideoInfo } from './probe.js';
import { socketChannel } from './channel.js';
import { FrameReader, queuedFrames, readyFrames } from './frames.js';
import { spawnTool, type ToolProcess } from './process.js';
import { fitArea } from './size.js';

/** A decoded frame: interleaved RGB pixels and where they came from. */
export interface DecodedFrame {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
  /** Seconds from the start of the video. */
  time: number;
  /** Position in the decoded stream (0, 1, 2, ...). */
  index: number;
  /** The video's path. */
  source: string;
}

/** What to decode. */
export interface DecodeOptions extends ToolOptions {
  /** Seconds to skip (default 0). */
  start?: number;
  /** Seconds to decode; 0 or undefined = to the end. */
  duration?: number;
  /** Frames per second to sample; 0 or undefined = every frame at the native rate. */
  fps?: number;
  /** Target pixel area (sides multiples of 16, aspect kept); null or undefined = native size. */
  area?: number | null;
  /** Refuse videos whose frames have a side longer than this (default 8192). */
  maxSide?: number;
  /** A probe already made for this path (saves running ffprobe again). */
  info?: VideoInfo;
}

/** The default limit on a frame's longest side. */
export const DEFAULT_MAX_SIDE = 8192;

function checkOption(path: string, name: string, value: number | undefined | null): number {
  if (value === undefined || value === null) return 0;
  if (!Number.isFinite(value) || value < 0) throw new VideoError(path, 'bad-option', `${name} must be a number >= 0, got ${value}`);
  return value;
}

/** The frame size decoding will produce for a probed video and an area (null = native). */
export function outputSize(info: Pick<VideoInfo, 'width' | 'height'>, area: number | null | undefined): { width: number; height: number } {
  return area ? fitArea(info.width, info.height, area) : { width: info.width, height: info.height };
}

/**
 * ffmpeg's arguments for a decode (exported for the benchmark's baseline). With `o.queue` > 0 the frames
 * go out through ffmpeg's fifo muxer, a queue of that many frames written by a thread of its own: ffmpeg's
 * main thread (demuxing, filters, the RGB conversion: the slowest stage) then no longer waits on every
 * write to a full socket (at 720p native, about a quarter of the decode time).
 * @example decodeArgs('a.mp4', { width: 336, height: 192 }, info, { start: 0, duration: 0, fps: 0 }, false)
 */
export function decodeArgs(
  path: string,
  size: { width: number; height: number },
  info: VideoInfo,
  o: { start: number; duration: number; fps: number; queue?: number },
  timestamps = true,
): string[] {
  const filters: string[] = [];
  if (o.fps) filters.push(`fps=${o.fps}`);
  if (size.width !== info.width || size.height !== info.height) {
    const down = size.width * size.height < info.width * info.height;
    filters.push(`scale=${size.width}:${size.height}:flags=${down ? 'area' : 'bicubic'}`);
  }
  if (timestamps) filters.push('showinfo=checksum=0');
  return [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
    ...(o.start ? ['-ss', String(o.start)] : []),
    ...(o.duration ? ['-t', String(o.duration)] : []),
    '-i', path,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...(filters.length ? ['-vf', filters.join(',')] : []),
    '-vsync', 'passthrough',
    ...(o.queue ? ['-f', 'fifo', '-fifo_format', 'rawvideo', '-queue_size', String(o.queue), '-c:v', 'rawvideo'] : ['-f', 'rawvideo']),
    '-pix_fmt', 'rgb24', 'pipe:1',
  ];
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+|NOPTS)\s+pts_time:(\S+)/;

/**
 * Decodes a video lazily into RGB frames.
 * @example
 * for await (const frame of decodeFrames('clip.mp4', { area: 65536, fps: 2 })) {
 *   console.log(frame.time, frame.width, frame.height); // 0 288 224, 0.5 288 224, ...
 * }
 */
export async function* decodeFrames(path: string, options: DecodeOptions = {}): AsyncGenerator<DecodedFrame, void, undefined> {
  const start = checkOption(path, 'start', options.start);
  const duration = checkOption(path, 'duration', options.duration);
  const fps = checkOption(path, 'fps', options.fps);
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  const tools = options.tools ?? locateFfmpeg();
  options.signal?.throwIfAborted();
  if (options.info) await checkVideoFile(path);
  const info = options.info ?? (await probeVideo(path, { signal: options.signal, tools }));
  if (Math.max(info.width, info.height) > maxSide) {
    throw new VideoError(path, 'too-large', `frames are ${info.width}x${info.height}, over the limit of ${maxSide} px per side (maxSide)`);
  }
  if (info.duration !== null && start > 0 && start >= info.duration) {
    throw new VideoError(path, 'bad-option', `start ${start} s is at or past the end of the video (${info.duration} s)`);
  }
  const size = outputSize(info, options.area);
  const frameBytes = size.width * size.height * 3;

  // showinfo costs a stderr line per frame; a constant frame rate (or the fps filter) makes times exact without it.
  const exactTimes = fps > 0 || (info.constantFrameRate && !!info.fps);
  const queue = (await outputFormats(tools.ffmpeg)).has('fifo') ? queuedFrames(frameBytes) : 0;
  // Without ffmpeg's queue, the frames waiting here are all the slack between ffmpeg and the consumer.
  const reader = new FrameReader(frameBytes, queue ? readyFrames(frameBytes) : queuedFrames(frameBytes));
  const channel = await socketChannel(reader.onread);
  let proc: ToolProcess;
  try {
    proc = spawnTool(tools.ffmpeg, decodeArgs(path, size, info, { start, duration, fps, queue }, !exactTimes), options.signal, channel ?? undefined);
  } catch (error) {
    channel?.ours.destroy();
    throw error;
  }
  reader.attach(proc.stdout, !channel);
  // Timestamps arrive on stderr (showinfo) a little before or after their frame arrives on stdout.
  const times: number[] = [];
  let stderrEnded = false;
  let wake: (() => void) | null = null;
  const errors: string[] = [];
  let pending = '';
  const onLine = (line: string) => {
    const m = SHOWINFO.exec(line);
    if (m) {
      times.push(m[3] === 'NOPTS' ? NaN : Number(m[3]));
      return;
    }
    if (/error|invalid|partial file|not found|corrupt|truncat|failed/i.test(line) && errors.length < 20) errors.push(line.trim());
  };
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (text: string) => {
    const lines = (pending + text).split(/\r?\n|\r/);
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
    wake?.();
  });
  proc.stderr.on('close', () => {
    if (pending) onLine(pending);
    stderrEnded = true;
    wake?.();
  });
  const timeOf = async (index: number): Promise<number> => {
    if (exactTimes) return start + index / (fps || info.fps!);
    while (times.length <= index && !stderrEnded) await new Promise<void>((r) => (wake = r));
    wake = null;
    const t = times[index];
    if (t !== undefined && Number.isFinite(t)) return start + t;
    return start + (fps ? index / fps : info.fps ? index / info.fps : 0);
  };
  const spawnFailed = new Promise<Error>((resolve) => proc.child.once('error', resolve));

  let index = 0;
  try {
    for (let data = await reader.next(); data; data = await reader.next()) {
      const time = exactTimes ? start + index / (fps || info.fps!) : await timeOf(index);
      yield { width: size.width, height: size.height, channels: 3, data, time, index: index++, source: path };
    }
    const { code } = await proc.exited;
    options.signal?.throwIfAborted();
    const failed = await Promise.race([spawnFailed, Promise.resolve(null)]);
    if (failed) throw new VideoError(path, 'no-ffmpeg', `cannot run ${tools.ffmpeg}: ${failed.message}`);
    const text = errors.join('\n');
    if (code !== 0) {
      if (/Decoder \(codec \w+\) not found|Unsupported codec/i.test(text)) throw new VideoError(path, 'unsupported-codec', `ffmpeg has no decoder for its video codec (${lastErrorLine(text)})`);
      throw new VideoError(path, 'decode-failed', `ffmpeg failed after ${index} frame(s) (exit code ${code}: ${lastErrorLine(text || 'no message')})`);
    }
    if (/partial file|moov atom not found/i.test(text)) {
      throw new VideoError(path, 'truncated', `the file is truncated: decoding stopped after ${index} frame(s) (${lastErrorLine(text)})`);
    }
  } catch (error) {
    // A stop closes the pipe under the reader ("Premature close"); report the abort, not its symptom.
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    throw error;
  } finally {
    await proc.stop();
  }
}

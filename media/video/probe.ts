/**
 * Probing a video: duration, frame rate, displayed size, codec, rotation and frame count. Uses ffprobe's
 * JSON when there is an ffprobe, else parses `ffmpeg -i` (the installer package ships ffmpeg only).
 * Every failure is a VideoError naming the file and the problem.
 */
import { open, stat } from 'node:fs/promises';
import { VideoError } from './errors.js';
import { locateFfmpeg, type FfmpegTools } from './locate.js';
import { runTool } from './process.js';

/** What a probe tells about a video's first video stream. */
export interface VideoInfo {
  path: string;
  /** Seconds, or null when the container does not say. */
  duration: number | null;
  /** Average frames per second, or null when unknown. */
  fps: number | null;
  /** Displayed size: rotation already applied (a 90° phone clip of 1920x1080 coded pixels is 1080x1920). */
  width: number;
  height: number;
  codec: string;
  /** Clockwise degrees the player rotates the coded picture by. */
  rotation: 0 | 90 | 180 | 270;
  /** Frames in the stream when the container records it, else null. */
  frames: number | null;
  /** True when the average and the nominal frame rates agree (frame i is at i / fps). */
  constantFrameRate: boolean;
}

/** Options shared by probing and decoding. */
export interface ToolOptions {
  signal?: AbortSignal;
  /** Tools to use; default: `locateFfmpeg()`. */
  tools?: FfmpegTools;
}

const decoderCache = new Map<string, Promise<Set<string>>>();

/** The video codecs an ffmpeg binary can decode, by codec name (cached per binary). */
export function videoDecoders(ffmpeg: string): Promise<Set<string>> {
  let found = decoderCache.get(ffmpeg);
  if (!found) {
    found = runTool(ffmpeg, ['-hide_banner', '-codecs']).then(({ stdout }) => {
      const names = new Set<string>();
      for (const line of stdout.split('\n')) {
        const m = /^\s*D.V[.A-Z]{3}\s+(\S+)/.exec(line);
        if (m) names.add(m[1]!);
      }
      return names;
    });
    decoderCache.set(ffmpeg, found);
  }
  return found;
}

const muxerCache = new Map<string, Promise<Set<string>>>();

/**
 * The output formats an ffmpeg binary can write, by name (cached per binary).
 * @example (await outputFormats('/usr/bin/ffmpeg')).has('fifo') // true
 */
export function outputFormats(ffmpeg: string): Promise<Set<string>> {
  let found = muxerCache.get(ffmpeg);
  if (!found) {
    found = runTool(ffmpeg, ['-hide_banner', '-muxers']).then(
      ({ stdout }) => new Set([...stdout.matchAll(/^\s*D?E\s+(\S+)/gm)].map((m) => m[1]!)),
      () => new Set<string>(),
    );
    muxerCache.set(ffmpeg, found);
  }
  return found;
}

/** Checks that a path is a non-empty file, with a VideoError otherwise. */
export async function checkVideoFile(path: string): Promise<{ size: number; mtimeMs: number }> {
  let size: number;
  let mtimeMs: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new VideoError(path, 'missing', 'is a directory, not a video file');
    size = s.size;
    mtimeMs = s.mtimeMs;
  } catch (error) {
    if (error instanceof VideoError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new VideoError(path, 'missing', code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`);
  }
  if (size === 0) throw new VideoError(path, 'empty', 'the file is empty (0 bytes)');
  return { size, mtimeMs };
}

/**
 * Probes of unchanged files (same path, size and modification time), so a graph that probes a video and
 * then decodes it, or decodes it twice, spawns ffprobe once.
 */
const probes = new Map<string, VideoInfo>();
const MAX_PROBES = 512;

/** Whether a file starts like text (so a failed probe can say "this is a text file"). */
async function looksLikeText(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    if (bytesRead === 0) return false;
    for (const b of buffer.subarray(0, bytesRead)) if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13)) return false;
    return true;
  } finally {
    await handle.close();
  }
}

/** The most telling error line of an ffmpeg/ffprobe stderr. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1]?.replace(/^\[[^\]]+\]\s*/, '') ?? 'no message';
}

async function unreadable(path: string, stderr: string): Promise<VideoError> {
  if (await looksLikeText(path).catch(() => false)) return new VideoError(path, 'not-a-video', 'is a text file, not a video');
  const truncated = /^.*(moov atom not found|partial file|Truncating packet|End of file).*$/im.exec(stderr);
  if (truncated) {
    return new VideoError(path, 'truncated', `the file is truncated or was never finished (${lastErrorLine(truncated[0])})`);
  }
  return new VideoError(path, 'not-a-video', `is not a readable video (${lastErrorLine(stderr)})`);
}

function ratio(text: string | undefined): number | null {
  if (!text) return null;
  const [n, d] = text.split('/').map(Number);
  const value = d === undefined ? n! : d ? n! / d : NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

function positive(text: unknown): number | null {
  const value = typeof text === 'number' ? text : Number.parseFloat(String(text));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Clockwise rotation from a display-matrix angle (counter-clockwise) or a `rotate` tag (clockwise). */
function normalizeRotation(clockwise: number): VideoInfo['rotation'] {
  const r = ((Math.round(clockwise / 90) * 90) % 360 + 360) % 360;
  return r as VideoInfo['rotation'];
}

interface RawProbe {
  codec: string | null;
  tag: string | null;
  codedWidth: number;
  codedHeight: number;
  rotation: VideoInfo['rotation'];
  duration: number | null;
  fps: number | null;
  frames: number | null;
  /** Known only from ffprobe; the ffmpeg banner does not say. */
  constantFrameRate?: boolean;
  otherStreams: string[];
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
  disposition?: { attached_pic?: number };
}

async function withFfprobe(path: string, ffprobe: string, signal?: AbortSignal): Promise<RawProbe> {
  const { code, stdout, stderr } = await runTool(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], signal);
  if (code !== 0) throw await unreadable(path, stderr);
  const parsed = JSON.parse(stdout || '{}') as { streams?: FfprobeStream[]; format?: { duration?: string } };
  const streams = parsed.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) throw new VideoError(path, 'no-video-stream', `has no video stream (streams: ${streams.map((s) => s.codec_type ?? '?').join(', ') || 'none'})`);
  const matrix = video.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const tag = video.tags?.rotate;
  // ffprobe's display-matrix angle is counter-clockwise; the legacy `rotate` tag is clockwise.
  const rotation = normalizeRotation(matrix !== undefined ? -matrix : tag ? Number(tag) : 0);
  const nb = Number.parseInt(video.nb_frames ?? '', 10);
  return {
    codec: video.codec_name ?? null,
    tag: video.codec_tag_string ?? null,
    codedWidth: video.width ?? 0,
    codedHeight: video.height ?? 0,
    rotation,
    duration: positive(video.duration) ?? positive(parsed.format?.duration),
    fps: ratio(video.avg_frame_rate) ?? ratio(video.r_frame_rate),
    constantFrameRate: sameRate(ratio(video.avg_frame_rate), ratio(video.r_frame_rate)),
    frames: Number.isFinite(nb) && nb > 0 ? nb : null,
    otherStreams: streams.filter((s) => s !== video).map((s) => s.codec_type ?? '?'),
  };
}

/** Parses the banner of `ffmpeg -i FILE` (used when no ffprobe exists). */
export function parseFfmpegBanner(stderr: string): Omit<RawProbe, 'otherStreams'> | null {
  const stream = /Stream #\d+:\d+[^:]*: Video: ([^\s,]+)(?: \([^)]*\))*(?: \((\w{4}) \/ 0x[0-9a-f]+\))?[^\n]*?, (\d+)x(\d+)[^\n]*/i.exec(stderr);
  if (!stream) return null;
  const line = stream[0];
  const fps = /, ([\d.]+) fps/.exec(line)?.[1] ?? /, ([\d.]+) tbr/.exec(line)?.[1];
  const d = /Duration: (\d+):(\d+):([\d.]+)/.exec(stderr);
  const after = stderr.slice(stream.index);
  const matrix = /rotation of (-?[\d.]+) degrees/.exec(after)?.[1];
  const tag = /^\s*rotate\s*:\s*(-?\d+)/m.exec(after)?.[1];
  return {
    codec: stream[1] === 'none' ? null : stream[1]!,
    tag: stream[2] ?? null,
    codedWidth: Number(stream[3]),
    codedHeight: Number(stream[4]),
    rotation: normalizeRotation(matrix !== undefined ? -Number(matrix) : tag ? Number(tag) : 0),
    duration: d ? positive(Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3])) : null,
    fps: fps ? positive(fps) : null,
    frames: null,
  };
}

async function withFfmpeg(path: string, ffmpeg: string, signal?: AbortSignal): Promise<RawProbe> {
  // `ffmpeg -i` with no output exits 1 by design; the banner on stderr is what we read.
  const { stderr } = await runTool(ffmpeg, ['-hide_banner', '-nostdin', '-i', path], signal);
  if (!/Input #0/.test(stderr)) throw await unreadable(path, stderr);
  const parsed = parseFfmpegBanner(stderr);
  if (!parsed) {
    const kinds = [...stderr.matchAll(/Stream #\d+:\d+[^:]*: (\w+):/g)].map((m) => m[1]!.toLowerCase());
    throw new VideoError(path, 'no-video-stream', `has no video stream (streams: ${kinds.join(', ') || 'none'})`);
  }
  return { ...parsed, otherStreams: [] };
}

/**
 * Probes a video file.
 * @example const info = await probeVideo('clip.mp4'); // { duration: 2, fps: 10, width: 320, height: 240, ... }
 */
export async function probeVideo(path: string, options: ToolOptions = {}): Promise<VideoInfo> {
  const file = await checkVideoFile(path);
  const tools = options.tools ?? locateFfmpeg();
  const key = `${tools.ffprobe ?? tools.ffmpeg}\u0000${path}\u0000${file.size}\u0000${file.mtimeMs}`;
  const known = probes.get(key);
  if (known) return { ...known };
  const info = await probeUncached(path, tools, options.signal);
  if (probes.size >= MAX_PROBES) probes.delete(probes.keys().next().value!);
  probes.set(key, info);
  return { ...info };
}

async function probeUncached(path: string, tools: FfmpegTools, signal?: AbortSignal): Promise<VideoInfo> {
  const raw = tools.ffprobe ? await withFfprobe(path, tools.ffprobe, signal) : await withFfmpeg(path, tools.ffmpeg, signal);
  const decoders = await videoDecoders(tools.ffmpeg);
  if (!raw.codec || !decoders.has(raw.codec)) {
    const tag = raw.tag && raw.tag !== '[0][0][0][0]' ? `, tag "${raw.tag}"` : '';
    throw new VideoError(path, 'unsupported-codec', `its video codec (${raw.codec ? `"${raw.codec}"` : 'unknown'}${tag}) cannot be decoded by ${tools.ffmpeg}`);
  }
  if (!raw.codedWidth || !raw.codedHeight) throw new VideoError(path, 'not-a-video', 'the video stream has no frame size');
  const turned = raw.rotation === 90 || raw.rotation === 270;
  return {
    path,
    duration: raw.duration,
    fps: raw.fps,
    width: turned ? raw.codedHeight : raw.codedWidth,
    height: turned ? raw.codedWidth : raw.codedHeight,
    codec: raw.codec,
    rotation: raw.rotation,
    frames: raw.frames,
    constantFrameRate: raw.constantFrameRate ?? false,
  };
}

/** Whether two frame rates are the same (to 0.1%); unknown rates are not. */
function sameRate(a: number | null, b: number | null): boolean {
  return a !== null && b !== null && Math.abs(a - b) <= 0.001 * Math.max(a, b);
}

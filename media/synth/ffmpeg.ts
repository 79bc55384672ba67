/**
 * Encoding raw RGB frames to H.264 mp4 by piping them into ffmpeg.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { locateFfmpeg } from '../video/locate.js';

/**
 * The ffmpeg binary, found as the video library finds it (`FFMPEG_PATH`, the system's, the installer's).
 * @example spawn(ffmpegBinary(), ['-version']);
 */
export function ffmpegBinary(): string {
  return locateFfmpeg().ffmpeg;
}

/** Encoder settings. */
export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** x264 constant rate factor (lower is better quality; default 18). */
  crf?: number;
  signal?: AbortSignal;
}

/**
 * Writes frames (RGB, `width*height*3` bytes each) to an mp4 (H.264, yuv420p). ffmpeg is killed when
 * `signal` aborts; its stderr is in the error when it fails.
 * @example await encodeMp4(frames(), 'clip.mp4', { width: 320, height: 240, fps: 8 });
 */
export async function encodeMp4(frames: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, path: string, o: EncodeOptions): Promise<void> {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0',
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(o.crf ?? 18), '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart', '-f', 'mp4', '-y', path,
  ];
  const child = spawn(ffmpegBinary(), args, { stdio: ['pipe', 'ignore', 'pipe'], signal: o.signal });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = once(child, 'close') as Promise<[number | null, string | null]>;
  exited.catch(() => undefined);
  let writeError: unknown;
  try {
    for await (const frame of frames) {
      if (frame.length !== o.width * o.height * 3) throw new Error(`a frame has ${frame.length} bytes, ${o.width}x${o.height} RGB needs ${o.width * o.height * 3}`);
      if (!child.stdin.write(frame)) await Promise.race([once(child.stdin, 'drain'), exited]);
    }
  } catch (error) {
    writeError = error;
    child.kill('SIGKILL');
  } finally {
    child.stdin.end();
  }
  let code: number | null = null;
  try {
    [code] = await exited;
  } catch (error) {
    throw new Error(`ffmpeg could not encode "${path}": ${(error as Error).message}`);
  }
  if (writeError) throw writeError;
  if (code !== 0) throw new Error(`ffmpeg failed (exit ${code}) encoding "${path}": ${stderr.trim() || 'no message'}`);
}

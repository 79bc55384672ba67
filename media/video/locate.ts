/**
 * Where ffmpeg and ffprobe are: `FFMPEG_PATH` / `FFPROBE_PATH`, else the system's on PATH, else the
 * binary shipped by `@ffmpeg-installer/ffmpeg` (which has no ffprobe: probing then parses `ffmpeg -i`).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/** The tools found, and where ffmpeg came from. `ffprobe` is null when none is available. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string | null;
  source: 'env' | 'system' | 'installer';
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function installerPath(): string | null {
  try {
    const found = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: string };
    return found.path && executable(found.path) ? found.path : null;
  } catch {
    return null;
  }
}

/**
 * Finds ffmpeg (and ffprobe when there is one). Throws when no ffmpeg exists at all.
 * @example const { ffmpeg, ffprobe } = locateFfmpeg(); // '/usr/bin/ffmpeg', '/usr/bin/ffprobe'
 */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegTools {
  let ffmpeg: string | null = null;
  let source: FfmpegTools['source'] = 'env';
  if (env.FFMPEG_PATH) {
    if (!executable(env.FFMPEG_PATH)) throw new Error(`FFMPEG_PATH="${env.FFMPEG_PATH}" is not an executable file`);
    ffmpeg = env.FFMPEG_PATH;
  } else if ((ffmpeg = onPath('ffmpeg', env))) source = 'system';
  else if ((ffmpeg = installerPath())) source = 'installer';
  if (!ffmpeg) throw new Error('ffmpeg not found: set FFMPEG_PATH, install ffmpeg on PATH, or install @ffmpeg-installer/ffmpeg');

  let ffprobe: string | null = null;
  if (env.FFPROBE_PATH) {
    if (!executable(env.FFPROBE_PATH)) throw new Error(`FFPROBE_PATH="${env.FFPROBE_PATH}" is not an executable file`);
    ffprobe = env.FFPROBE_PATH;
  } else {
    const beside = join(dirname(ffmpeg), 'ffprobe');
    ffprobe = executable(beside) ? beside : source === 'system' ? onPath('ffprobe', env) : null;
  }
  return { ffmpeg, ffprobe, source };
}

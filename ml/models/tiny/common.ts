/** Helpers shared by the tiny-model generators: writing JSON files into a model folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `files` (relative path -> JSON value) into `folder`, creating it.
 * @example await writeJsonFiles('/tmp/tiny', { 'config.json': { model_type: 'sam2' } });
 */
export async function writeJsonFiles(folder: string, files: Record<string, unknown>): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [name, value] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), JSON.stringify(value, null, 2) + '\n');
  }
}

/** ImageNet normalisation, as the real GroundingDINO and SAM preprocessors use it. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** The named colours of Cinegraph's synthetic clips (media/synth/palette.ts), which the tiny detector knows. */
export const TINY_COLORS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [220, 30, 30],
  green: [30, 170, 50],
  blue: [30, 70, 220],
  yellow: [245, 215, 20],
  orange: [250, 130, 10],
  purple: [140, 40, 190],
  white: [250, 250, 250],
  black: [15, 15, 15],
};

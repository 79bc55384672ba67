/**
 * Reading and writing image files: decode to RGB/RGBA, encode to PNG/JPEG/WebP, and numbered saves that
 * never overwrite an existing file.
 */
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { fromSharp, toChannels, toSharp, type RawImage } from './raw.js';

/**
 * The formats images are written in.
 * @example IMAGE_FORMATS.includes('png') // true
 */
export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

const EXTENSIONS: Record<ImageFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp' };

/** Encoder options. */
export interface EncodeOptions {
  /** JPEG/WebP quality 1..100 (default 90); ignored for PNG. */
  quality?: number;
}

/**
 * Decodes an encoded image (PNG, JPEG, WebP, GIF's first frame, TIFF, ...) to 8-bit RGB, or RGBA when it
 * has transparency. EXIF orientation is applied. `source` names the input in errors.
 * @example const img = await decodeImage(await readFile('a.png'), 'a.png');
 */
export async function decodeImage(input: Buffer | Uint8Array | string, source = 'image'): Promise<RawImage> {
  try {
    const pipeline = sharp(input, { failOn: 'error' });
    const meta = await pipeline.metadata();
    let p = pipeline.autoOrient().toColourspace('srgb');
    p = meta.hasAlpha ? p.ensureAlpha() : p.removeAlpha();
    const img = await fromSharp(p);
    // sharp keeps a single band for some grey inputs; IMAGE values are always RGB or RGBA.
    if (img.channels === 3 || img.channels === 4) return img;
    return toChannels(img, meta.hasAlpha ? 4 : 3);
  } catch (error) {
    const message = (error as Error).message;
    if (/unsupported image format/i.test(message)) throw new Error(`${source} is not an image format sharp can read (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG)`);
    throw new Error(`cannot decode ${source}: ${message}`);
  }
}

/**
 * Reads an image file as RGB or RGBA; a missing file, a folder or an unsupported format is an error naming
 * the path.
 * @example const img = await readImage('photos/cat.jpg');
 */
export async function readImage(path: string): Promise<RawImage> {
  const full = resolve(path);
  let info;
  try {
    info = await stat(full);
  } catch {
    throw new Error(`no image file at "${full}"`);
  }
  if (!info.isFile()) throw new Error(`"${full}" is not a file`);
  return decodeImage(full, `"${full}"`);
}

/**
 * Encodes pixels as PNG, JPEG or WebP. JPEG has no alpha: transparent pixels are flattened onto white.
 * @example const png = await encodeImage(img, 'png');
 */
export async function encodeImage(img: RawImage, format: ImageFormat, options: EncodeOptions = {}): Promise<Buffer> {
  const quality = options.quality ?? 90;
  const p = toSharp(img);
  switch (format) {
    case 'png':
      return p.png().toBuffer();
    case 'jpeg':
      return p.flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
    case 'webp':
      return p.webp({ quality }).toBuffer();
    default:
      throw new Error(`unknown image format "${String(format)}"; use one of ${IMAGE_FORMATS.join(', ')}`);
  }
}

/**
 * The format a file name implies (`.png`, `.jpg`/`.jpeg`, `.webp`).
 * @example formatOf('out/a.jpg') // 'jpeg'
 */
export function formatOf(path: string): ImageFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  throw new Error(`cannot tell the image format of "${path}" from its extension; use .png, .jpg or .webp`);
}

/**
 * Writes an image file (replacing any file there), creating its folder. The format defaults to the
 * extension's.
 * @example await writeImage(img, 'out/a.png');
 */
export async function writeImage(img: RawImage, path: string, format: ImageFormat = formatOf(path), options: EncodeOptions = {}): Promise<string> {
  const full = resolve(path);
  await mkdir(dirname(full), { recursive: true });
  const bytes = await encodeImage(img, format, options);
  const file = await open(full, 'w');
  try {
    await file.writeFile(bytes);
  } finally {
    await file.close();
  }
  return full;
}

/**
 * The next free number per (folder, name prefix), with the folder's modification time after our last save:
 * while nobody else has changed the folder, a save skips listing it (a stream of thousands of frames).
 */
const nextNumber = new Map<string, { next: number; mtimeMs: number }>();

/**
 * Saves `prefix_00001.png`, `prefix_00002.png`, ... in `dir`: the counter continues after the highest
 * existing number, and a file that exists is never overwritten (files are created exclusively, so parallel
 * saves take different numbers). `prefix` may name a subfolder (`shots/frame`) but may not leave `dir`.
 * Returns the absolute path written.
 * @example await saveNumbered(img, 'output', 'contact-sheet', 'png') // '/abs/output/contact-sheet_00001.png'
 */
export async function saveNumbered(img: RawImage, dir: string, prefix: string, format: ImageFormat = 'png', options: EncodeOptions = {}): Promise<string> {
  const root = resolve(dir);
  let clean = prefix.trim() || 'image';
  if (/[\\/]$/.test(clean)) clean += 'image'; // a bare folder: "shots/" -> shots/image_00001.png
  const target = resolve(root, clean);
  const rel = relative(root, target);
  if (isAbsolute(clean) || rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new Error(`filename prefix "${prefix}" leaves the output folder "${root}"`);
  }
  const folder = dirname(target);
  const base = basename(target);
  await mkdir(folder, { recursive: true });
  const ext = EXTENSIONS[format];
  const pattern = new RegExp(`^${escapeRegExp(base)}_(\\d+)\\.[a-z]+$`, 'i');
  const slot = `${folder}\u0000${base}`;
  const known = nextNumber.get(slot);
  let counter = known && known.mtimeMs === (await stat(folder)).mtimeMs ? known.next : 0;
  if (!counter) {
    // Continue after the highest number on disk; 'wx' below still refuses to overwrite.
    counter = 1;
    for (const name of await readdir(folder)) {
      const m = pattern.exec(name);
      if (m) counter = Math.max(counter, Number(m[1]) + 1);
    }
  }
  const bytes = await encodeImage(img, format, options);
  for (;;) {
    const path = join(folder, `${base}_${String(counter).padStart(5, '0')}${ext}`);
    let file;
    try {
      file = await open(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        counter++;
        continue;
      }
      throw error;
    }
    try {
      await file.writeFile(bytes);
    } finally {
      await file.close();
    }
    nextNumber.set(slot, { next: counter + 1, mtimeMs: (await stat(folder)).mtimeMs });
    return path;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

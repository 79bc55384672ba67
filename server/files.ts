/**
 * Files on disk for the API: safe names for uploads, streaming an upload under a size limit, and
 * resolving a requested path strictly inside the uploads or outputs folder (no `..`, no absolute paths,
 * no encoded separators, no symbolic link leading out).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join, sep } from 'node:path';
import { BadRequestError, NotFoundError } from '../engine/index.js';
import { ForbiddenError, PayloadTooLargeError } from './errors.js';

/**
 * A unique, safe file name keeping the readable part and the extension of the client's name.
 * @example safeUploadName('../My Clip (1).MP4') // 'lq3k2a-9f1c2e-My_Clip_1_.MP4'
 */
export function safeUploadName(original: string | undefined): string {
  const base = (original ?? '').split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  const stem = clean(dot > 0 ? base.slice(0, dot) : base).slice(0, 80) || 'upload';
  const ext = dot > 0 ? clean(base.slice(dot + 1)).slice(0, 16) : '';
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${stem}${ext ? `.${ext}` : ''}`;
}

/** Bytes of a refused body still read (and discarded) so the client sees the error response. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * Reads and discards the rest of a refused body, so the client receives the error response instead of a
 * connection reset; past DRAIN_LIMIT bytes the connection is cut.
 */
function discardRest(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.socket.destroy();
  });
  req.resume();
}

/**
 * Streams a request body into a new file, refusing more than `limit` bytes (the partial file is the
 * caller's to remove). Resolves with the byte count.
 * @example const bytes = await receiveBody(req, '/data/uploads/x.part', 64 << 20);
 */
export function receiveBody(req: IncomingMessage, file: string, limit: number): Promise<number> {
  const tooLarge = () => new PayloadTooLargeError(`the upload is larger than the limit of ${limit} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discardRest(req);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx' });
    let bytes = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      req.off('data', onData);
      discardRest(req);
      // The file may still be opening: settle once it is closed, so the caller's cleanup finds it.
      if (out.closed) reject(error);
      else {
        out.once('close', () => reject(error));
        out.destroy();
      }
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) return fail(tooLarge());
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    };
    req.on('data', onData);
    req.once('end', () => !failed && out.end());
    req.once('error', fail);
    req.once('close', () => !req.complete && fail(new BadRequestError('the upload was cut off by the client')));
    out.once('error', fail);
    out.once('finish', () => !failed && resolve(bytes));
  });
}

/** The folders `/api/files/<folder>/...` may read. */
export type FileRoot = 'uploads' | 'outputs';

/**
 * Resolves a URL path below `/api/files` (still percent-encoded, e.g. `/uploads/a%20b.png`) to a real
 * file inside one of the roots. Throws 403 for anything that tries to leave them, 404 when absent.
 * @example await resolveDataFile('/outputs/<runId>/sheet.png', { uploads, outputs })
 */
export async function resolveDataFile(urlPath: string, roots: Record<FileRoot, string>): Promise<string> {
  const raw = urlPath.replace(/^\//, '').split('/');
  const parts = raw.map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new BadRequestError(`the path segment "${segment}" is not valid percent-encoding`);
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[\\/\0]/.test(decoded) || /^[A-Za-z]:/.test(decoded)) {
      throw new ForbiddenError('the path must name a file inside uploads/ or outputs/ (no "..", no absolute or empty parts)');
    }
    return decoded;
  });
  const [rootName, ...rest] = parts;
  if ((rootName !== 'uploads' && rootName !== 'outputs') || rest.length === 0) {
    throw new NotFoundError('files are served from /api/files/uploads/<name> and /api/files/outputs/<runId>/<file>');
  }
  const root = roots[rootName];
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(root, ...rest));
  } catch {
    throw new NotFoundError(`no file ${parts.join('/')}`);
  }
  // A symbolic link inside the folder may point anywhere; only what really lies inside is served.
  if (!real.startsWith(realRoot + sep)) throw new ForbiddenError(`${parts.join('/')} leads outside the ${rootName} folder`);
  const info = await stat(real);
  if (!info.isFile()) throw new NotFoundError(`${parts.join('/')} is not a file`);
  return real;
}

/**
 * Files: upload (the raw request body, named by `?name=` or `X-Filename`) and download from the uploads
 * and outputs folders only.
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from 'express';
import { BadRequestError } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { UnsupportedMediaTypeError } from '../errors.js';
import { receiveBody, resolveDataFile, safeUploadName } from '../files.js';

/**
 * @example app.use(filesRouter(ctx));
 */
export function filesRouter(ctx: ServerContext): Router {
  const router = Router();

  router.post('/api/files', async (req, res) => {
    if (/^multipart\//i.test(req.headers['content-type'] ?? '')) {
      throw new UnsupportedMediaTypeError('send the file as the raw request body, named with ?name=<file name> or an X-Filename header (multipart is not accepted)');
    }
    const name = safeUploadName(clientName(req.query.name, req.headers['x-filename']));
    const target = join(ctx.dirs.uploads, name);
    const partial = `${target}.part`;
    try {
      const bytes = await receiveBody(req, partial, ctx.maxUploadBytes);
      if (bytes === 0) throw new BadRequestError('the upload is empty');
      await rename(partial, target);
      res.status(201).json({ name, path: target, url: `/api/files/uploads/${encodeURIComponent(name)}`, bytes });
    } finally {
      await rm(partial, { force: true });
    }
  });

  router.get(/^\/api\/files\/(.*)$/, async (req, res) => {
    // req.path keeps percent-encoding, so encoded separators and dots are judged after one decode only.
    const file = await resolveDataFile(req.path.slice('/api/files'.length), ctx.dirs);
    // Served bytes must never run as a page of this origin (an uploaded .html or .svg).
    res.setHeader('Content-Security-Policy', 'sandbox');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    await new Promise<void>((resolve, reject) =>
      res.sendFile(file, { dotfiles: 'allow' }, (error) => {
        // A client that went away mid-download is not a server error.
        if (error && (error as NodeJS.ErrnoException).code !== 'ECONNABORTED') reject(error);
        else resolve();
      }),
    );
  });

  return router;
}

function clientName(query: unknown, header: string | string[] | undefined): string | undefined {
  if (typeof query === 'string' && query) return query;
  if (typeof header === 'string' && header) {
    try {
      return decodeURIComponent(header);
    } catch {
      return header;
    }
  }
  return undefined;
}

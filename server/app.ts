/**
 * The Express app: access guard, API routes, the editor's static files, and one error handler.
 */
import express, { type Express } from 'express';
import type { ServerContext } from './context.js';
import { errorHandler, notFound } from './errors.js';
import { filesRouter } from './routes/files.js';
import { graphsRouter } from './routes/graphs.js';
import { runsRouter } from './routes/runs.js';
import { uiRouter } from './routes/ui.js';
import { accessGuard } from './security.js';

/**
 * Builds the app over a server context (see `startServer` for how one is made).
 * @example const app = createApp(ctx); http.createServer(app).listen(0, '127.0.0.1');
 */
export function createApp(ctx: ServerContext): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    const { running, pending } = ctx.queue.snapshot();
    res.json({ ok: true, running: running.length, pending: pending.length });
  });

  app.use(accessGuard(ctx.access));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  app.get('/api/nodes', (_req, res) => {
    res.json(ctx.registry.catalog());
  });
  app.use(runsRouter(ctx));
  app.use(graphsRouter(ctx));
  app.use(filesRouter(ctx));
  app.use('/api', notFound);

  app.use(uiRouter(ctx.dirs.ui));
  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}

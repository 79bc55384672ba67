/**
 * Saved graph templates: list, get, save (user folder), delete (user templates only).
 */
import express, { Router } from 'express';
import type { ServerContext } from '../context.js';
import { JSON_LIMIT } from './runs.js';

/**
 * @example app.use(graphsRouter(ctx));
 */
export function graphsRouter(ctx: ServerContext): Router {
  const router = Router();

  router.get('/api/graphs', async (_req, res) => {
    res.json({ graphs: await ctx.templates.list() });
  });

  router.get('/api/graphs/:name', async (req, res) => {
    const { doc, source } = await ctx.templates.get(req.params.name);
    // The body is the document itself, so a download runs unchanged with the CLI.
    res.setHeader('X-Cinegraph-Source', source);
    res.json(doc);
  });

  router.put('/api/graphs/:name', express.json({ limit: JSON_LIMIT }), async (req, res) => {
    const { name, created } = await ctx.templates.save(req.params.name, req.body);
    res.status(created ? 201 : 200).json({ name, source: 'user', created });
  });

  router.delete('/api/graphs/:name', async (req, res) => {
    res.json({ ...(await ctx.templates.delete(req.params.name)), deleted: true });
  });

  return router;
}

/**
 * Runs: submit, inspect, cancel, list the history, and see the queue.
 */
import express, { Router } from 'express';
import { BadRequestError, NotFoundError } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { ConflictError } from '../errors.js';
import { summaryOf } from '../history.js';
import { prepareRun } from '../prepare.js';

/** Largest JSON body of a submission. */
export const JSON_LIMIT = 16 * 1024 * 1024;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/**
 * @example app.use(runsRouter(ctx));
 */
export function runsRouter(ctx: ServerContext): Router {
  const router = Router();
  const json = express.json({ limit: JSON_LIMIT });

  router.post('/api/runs', json, (req, res) => {
    const doc = prepareRun(req.body, ctx.registry);
    const run = ctx.queue.submit(doc);
    res.status(202).location(`/api/runs/${run.id}`).json({ id: run.id, status: run.status });
  });

  router.get('/api/runs', (req, res) => {
    const limit = intParam(req.query.limit, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
    const offset = intParam(req.query.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const { runs, total } = ctx.history.list({ limit, offset });
    res.json({ runs, total, limit, offset });
  });

  router.get('/api/runs/:id', (req, res) => {
    const record = ctx.history.get(req.params.id);
    if (!record) throw new NotFoundError(`no run with id "${req.params.id}"`);
    res.json(record);
  });

  router.delete('/api/runs/:id', (req, res) => {
    const id = req.params.id;
    const outcome = ctx.queue.cancel(id);
    const record = ctx.history.get(id);
    if (!record) throw new NotFoundError(`no run with id "${id}"`);
    if (!outcome) throw new ConflictError(`run "${id}" already ended (${record.status}); only queued or running runs can be cancelled`);
    // A queued run is cancelled now; a running one stops soon and ends with a run-finished event.
    res.status(outcome === 'cancelled' ? 200 : 202).json({ ...summaryOf(record), cancel: outcome });
  });

  router.get('/api/queue', (_req, res) => {
    res.json(ctx.queue.snapshot());
  });

  return router;
}

function intParam(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new BadRequestError(`?${name} must be a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new BadRequestError(`?${name} must be between ${min} and ${max}`);
  return n;
}

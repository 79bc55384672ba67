/**
 * The run queue: FIFO, `concurrency` runs at once, each through the engine's `runGraph` with one
 * server-wide cache, so re-running an unchanged graph executes nothing. Every event of every run is
 * published on `events`; a run's `run-finished` is held back until its record is final, so a client that
 * reacts to it by fetching the run sees the outcome.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { runGraph, type CacheStore, type EventOf, type GraphDocument, type NodeRegistry, type RunEvent, type RunHandle, type RunResult } from '../engine/index.js';
import type { ServerLogger } from './context.js';
import { UnavailableError } from './errors.js';
import { summaryOf, type RunHistory, type RunRecord, type RunSummary } from './history.js';
import { listFiles, summarizeOutputs } from './run-outputs.js';

/** How the queue runs graphs. */
export interface RunQueueOptions {
  registry: NodeRegistry;
  history: RunHistory;
  /** Each run writes under `<outputsDir>/<runId>`. */
  outputsDir: string;
  /** Runs at once (>= 1). */
  concurrency: number;
  cache: CacheStore;
  logger: ServerLogger;
  /** Shared services handed to nodes (`ctx.services`). */
  services?: Record<string, unknown>;
}

interface Job {
  record: RunRecord;
  doc: GraphDocument;
  handle?: RunHandle;
  /** Why the server stopped the run (shutdown), replacing the engine's "cancelled" message. */
  stopMessage?: string;
}

/**
 * @example
 * const queue = new RunQueue({ registry, history, outputsDir, concurrency: 1, cache, logger });
 * queue.events.subscribe((e) => hub.broadcast(e));
 * const { id } = queue.submit(doc);
 */
export class RunQueue {
  /** Every run event, in order per run. */
  readonly events = new Subject<RunEvent>();
  private readonly pending: Job[] = [];
  private readonly running = new Map<string, { job: Job; done: Promise<void> }>();
  private closing = false;

  constructor(private readonly options: RunQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`concurrency must be an integer >= 1, got ${options.concurrency}`);
    }
  }

  /** Queues a validated graph; returns its record. */
  submit(doc: GraphDocument): RunSummary {
    if (this.closing) throw new UnavailableError('the server is shutting down and takes no new runs');
    const record: RunRecord = {
      id: randomUUID(),
      seq: this.options.history.nextSeq(),
      name: typeof doc.name === 'string' ? doc.name : null,
      status: 'queued',
      outputs: null,
      files: [],
      error: null,
      queuedAt: Date.now(),
      startedAt: null,
      endedAt: null,
      executed: null,
      cached: null,
      graph: doc,
    };
    this.options.history.save(record);
    const job: Job = { record, doc };
    this.pending.push(job);
    this.events.next({ type: 'run-queued', runId: record.id, time: record.queuedAt, position: this.pending.length });
    this.pump();
    return summaryOf(record);
  }

  /**
   * Cancels a queued run at once ('cancelled') or asks a running one to stop ('cancelling');
   * undefined when the run is neither.
   */
  cancel(id: string): 'cancelled' | 'cancelling' | undefined {
    const index = this.pending.findIndex((j) => j.record.id === id);
    if (index >= 0) {
      const [job] = this.pending.splice(index, 1);
      this.endUnstarted(job!, 'cancelled', 'the run was cancelled before it started');
      return 'cancelled';
    }
    const active = this.running.get(id);
    if (!active) return undefined;
    active.job.handle?.cancel();
    return 'cancelling';
  }

  /** The runs now running and those waiting, in start order. */
  snapshot(): { running: RunSummary[]; pending: RunSummary[] } {
    return {
      running: [...this.running.values()].map(({ job }) => summaryOf(job.record)),
      pending: this.pending.map((j) => summaryOf(j.record)),
    };
  }

  /** Takes no new runs, cancels waiting and running ones (recorded with `reason`), and waits for them to stop. */
  async close(reason = 'the server shut down'): Promise<void> {
    this.closing = true;
    for (const job of this.pending.splice(0)) this.endUnstarted(job, 'cancelled', reason);
    for (const { job } of this.running.values()) {
      job.stopMessage = reason;
      job.handle?.cancel();
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.events.complete();
  }

  private pump(): void {
    while (!this.closing && this.running.size < this.options.concurrency && this.pending.length) this.start(this.pending.shift()!);
  }

  private update(job: Job, changes: Partial<RunRecord>): void {
    job.record = { ...job.record, ...changes };
    this.options.history.save(job.record);
  }

  private start(job: Job): void {
    const { registry, cache, outputsDir, services, logger } = this.options;
    const id = job.record.id;
    this.update(job, { status: 'running', startedAt: Date.now() });
    let finished: EventOf<'run-finished'> | undefined;
    const tag = `run ${id.slice(0, 8)}${job.record.name ? ` (${job.record.name})` : ''}`;
    let result: Promise<RunResult>;
    try {
      job.handle = runGraph(job.doc, {
        registry,
        cache,
        runId: id,
        outputDir: join(outputsDir, id),
        services: services ?? {},
        logger: { info: (m) => logger.info(`${tag}: ${m}`), warn: (m) => logger.warn(`${tag}: ${m}`), debug: () => {} },
      });
      job.handle.events.subscribe({
        next: (event) => (event.type === 'run-finished' ? (finished = event) : this.events.next(event)),
        error: () => {}, // the result promise reports it
      });
      result = job.handle.result;
    } catch (error) {
      result = Promise.reject(error);
    }
    logger.info(`${tag} started`);
    const done = result
      .catch((error: unknown): RunResult => ({
        runId: id,
        status: 'failed',
        outputs: {},
        executed: 0,
        cached: 0,
        error: { message: error instanceof Error ? error.message : String(error) },
      }))
      .then((r) => this.finish(job, r, finished, tag))
      .catch((error: unknown) => logger.error(`${tag}: cannot record the end of the run: ${(error as Error).stack ?? error}`))
      .finally(() => {
        this.running.delete(id);
        this.pump();
      });
    this.running.set(id, { job, done });
  }

  private async finish(job: Job, result: RunResult, finished: EventOf<'run-finished'> | undefined, tag: string): Promise<void> {
    const id = job.record.id;
    const stopped = job.stopMessage !== undefined && result.status === 'cancelled';
    const endedAt = Date.now();
    this.update(job, {
      status: result.status,
      outputs: summarizeOutputs(job.doc, result.outputs, this.options.registry),
      files: await listFiles(join(this.options.outputsDir, id)),
      error: stopped ? { message: job.stopMessage! } : (result.error ?? null),
      endedAt,
      executed: result.executed,
      cached: result.cached,
    });
    this.options.logger.info(`${tag} ${result.status}${result.error ? `: ${result.error.message}` : ''} (${result.executed} executed, ${result.cached} cached)`);
    // A run stopped by the server's shutdown says so on the wire too, as its record does.
    if (finished && stopped) finished = { ...finished, error: { message: job.stopMessage! } };
    this.events.next(
      finished ?? {
        type: 'run-finished',
        runId: id,
        time: endedAt,
        status: result.status,
        ...(result.error ? { error: result.error } : {}),
        executed: result.executed,
        cached: result.cached,
        ms: endedAt - (job.record.startedAt ?? endedAt),
      },
    );
  }

  /** Ends a run that never started, with a `run-finished` event so clients drop it from their queue. */
  private endUnstarted(job: Job, status: 'cancelled' | 'failed', message: string): void {
    const now = Date.now();
    this.update(job, { status, error: { message }, endedAt: now, outputs: {}, executed: 0, cached: 0 });
    this.events.next({ type: 'run-finished', runId: job.record.id, time: now, status, error: { message }, executed: 0, cached: 0, ms: 0 });
  }
}

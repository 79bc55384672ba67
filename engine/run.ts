/**
 * `runGraph`: the library's way to run a graph — the events as an Observable, the outputs as a promise.
 */
import { randomUUID } from 'node:crypto';
import { Observable, Subject } from 'rxjs';
import { CinegraphError } from './errors.js';
import type { RunEvent } from './events.js';
import { executeValidated, type RunOptions, type RunOutputs, type RunResult } from './execute.js';
import type { GraphDocument } from './graph.js';
import { assertValid } from './validate.js';

/** A started run. */
export interface RunHandle {
  runId: string;
  /** Every event of the run, from `run-started` to `run-finished` (replayed to late subscribers). */
  events: Observable<RunEvent>;
  /** The outputs of the output nodes; rejects with a RunFailedError when the run fails or is cancelled. */
  outputs: Promise<RunOutputs>;
  /** The whole result, whatever the status (never rejects for a node failure). */
  result: Promise<RunResult>;
  /** Cancels the run: running nodes are aborted, child processes killed. */
  cancel(): void;
}

/** A run that did not succeed. */
export class RunFailedError extends CinegraphError {
  override readonly type = 'run_failed';
  constructor(readonly result: RunResult) {
    super(result.error?.message ?? `the run ${result.status}`);
  }
}

/**
 * Starts a graph run. Throws GraphValidationError at once (with every issue) when the graph cannot run.
 * @example
 * const run = runGraph(doc, { registry });
 * run.events.subscribe((e) => e.type === 'node-progress' && console.log(e.node, e.value, e.max));
 * const outputs = await run.outputs;
 */
export function runGraph(doc: GraphDocument, options: RunOptions): RunHandle {
  assertValid(doc, options.registry);
  const runId = options.runId ?? randomUUID();
  const controller = new AbortController();
  const external = options.signal;
  if (external) {
    if (external.aborted) controller.abort(external.reason);
    else external.addEventListener('abort', () => controller.abort(external.reason), { once: true });
  }
  // Late subscribers see the last 1000 events; the run starts on the next microtask, so a subscriber
  // attached right after runGraph() returns sees every event.
  const events = new ReplayTail<RunEvent>(1000);
  let resolveResult!: (r: RunResult) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<RunResult>((res, rej) => ((resolveResult = res), (rejectResult = rej)));
  queueMicrotask(() =>
    executeValidated(doc, { ...options, runId, signal: controller.signal }, resolveResult).subscribe({
      next: (e) => events.next(e),
      error: (e) => {
        events.error(e);
        rejectResult(e);
      },
      complete: () => events.complete(),
    }),
  );
  const outputs = result.then((r) => (r.status === 'succeeded' ? r.outputs : Promise.reject(new RunFailedError(r))));
  outputs.catch(() => undefined); // callers who only watch events must not see an unhandled rejection
  return { runId, events: events.asObservable(), outputs, result, cancel: () => controller.abort() };
}

/**
 * Like a ReplaySubject with a window, but O(1) per event: RxJS's ReplaySubject trims its buffer with
 * splice on every event, which dominated the cost of large graphs.
 */
class ReplayTail<X> {
  private readonly ring: X[] = [];
  private head = 0;
  private readonly subject = new Subject<X>();
  private ended: { error?: unknown } | undefined;

  constructor(private readonly size: number) {}

  next(value: X): void {
    if (this.ring.length < this.size) this.ring.push(value);
    else {
      this.ring[this.head] = value;
      this.head = (this.head + 1) % this.size;
    }
    this.subject.next(value);
  }

  error(error: unknown): void {
    this.ended = { error };
    this.subject.error(error);
  }

  complete(): void {
    this.ended = {};
    this.subject.complete();
  }

  asObservable(): Observable<X> {
    return new Observable<X>((subscriber) => {
      for (let i = 0; i < this.ring.length; i++) subscriber.next(this.ring[(this.head + i) % this.ring.length]!);
      if (this.ended) {
        if ('error' in this.ended && this.ended.error !== undefined) subscriber.error(this.ended.error);
        else subscriber.complete();
        return;
      }
      return this.subject.subscribe(subscriber);
    });
  }
}

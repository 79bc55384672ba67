/**
 * The executor. A run is a cold RxJS Observable of events: subscribing starts it, unsubscribing cancels it.
 * Inside, each node's result is one settled-once cell shared by every link that leaves it; a node starts as
 * soon as the cells it reads are settled, so independent branches run concurrently. Cells are promises, not
 * Subjects: a ReplaySubject + mergeMap per node cost 5-10 µs of the per-node budget (bench/engine), and
 * streams need pull-based back-pressure that Observables cannot give. Streams flow through bounded,
 * pull-based broadcasts; per-item nodes are mapped over them.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Observable, Subject } from 'rxjs';
import { RunContext, lazyScratch, type ContextHost } from './context.js';
import { LruCacheStore, type CacheStore } from './cache.js';
import { NodeExecutionError, RunCancelledError } from './errors.js';
import type { RunEvent, RunStatus } from './events.js';
import type { GraphDocument, Link } from './graph.js';
import { isLink } from './graph.js';
import { inputMode, outputType, type InputSpec, type Logger, type NodeContext, type NodeDefinition, type Preview } from './node.js';
import { planRun, type RunPlan } from './run-plan.js';
import type { NodeRegistry } from './registry.js';
import { Broadcast, fromArray, itemValues, mapConcurrent, projectItems, toAsyncIterable, zipByIndex, type Item } from './stream.js';
import { checkResult, sizeOfValues, summarizeInputs, summarizeItems, summarizeValues } from './outputs.js';
import { converter } from './types.js';
import { assertValid } from './validate.js';

/** Options of a run. */
export interface RunOptions {
  registry: NodeRegistry;
  /** Where results are cached across runs; default: a process-wide 1 GiB LRU. */
  cache?: CacheStore;
  runId?: string;
  /** Folder output nodes write into; default `./output`. */
  outputDir?: string;
  /** Shared services for nodes (model runtime, device locks). */
  services?: Record<string, unknown>;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** Item-error policy for nodes that do not set `onItemError`. */
  onItemError?: 'fail' | 'skip';
  logger?: Logger;
  /** Items a stream link may hold ahead of its consumer (default 4). */
  window?: number;
  /** A stream result larger than this is not cached (default 64 MiB). */
  maxStreamCacheBytes?: number;
  /** How long to wait for running nodes to stop after a cancel or failure (default 10 s). */
  stopGraceMs?: number;
}

/** The raw outputs of a run's output nodes: a record per single node, a list of records per stream node. */
export type RunOutputs = Record<string, Record<string, unknown> | Record<string, unknown>[]>;

/** What a finished run reports. */
export interface RunResult {
  runId: string;
  status: RunStatus;
  outputs: RunOutputs;
  executed: number;
  cached: number;
  error?: { node?: string; nodeType?: string; message: string };
}

type Values = Record<string, unknown>;
type NodeResult = { kind: 'single'; values: Values } | { kind: 'stream'; broadcast: Broadcast<Item<Values>> };

const SKIP = Symbol('skipped item');
const MAX_KEPT_PREVIEWS = 8;

/** A node's inputs: resolved values, and the stream iterators of its `each` inputs. */
type Gathered = { fixed: Values; each: Array<[string, AsyncIterator<Item<unknown>>]> };

/** One input of a node: a literal (or default), or a link with its type conversion. */
interface InputPlan {
  name: string;
  mode: 'each' | 'list' | 'stream';
  literal?: unknown;
  link?: Link;
  convert?: (value: unknown) => unknown;
}

const defaultCache = new LruCacheStore(1024 * 1024 * 1024);
const silentLogger: Logger = { info: () => {}, warn: () => {}, debug: () => {} };

/** The process-wide default cache used when a run gives none. */
export function defaultCacheStore(): CacheStore {
  return defaultCache;
}

/**
 * Runs a graph as a cold Observable of events; the last is `run-finished`. Validation errors are thrown
 * at subscription as GraphValidationError.
 * @example executeGraph(doc, { registry }).subscribe((e) => console.log(e.type));
 */
export function executeGraph(doc: GraphDocument, options: RunOptions, onResult?: (result: RunResult) => void): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    assertValid(doc, options.registry);
    return executeValidated(doc, options, onResult).subscribe(subscriber);
  });
}

/** executeGraph for a document the caller has already validated against the same registry. */
export function executeValidated(doc: GraphDocument, options: RunOptions, onResult?: (result: RunResult) => void): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    const execution = new Execution(doc, options);
    const sub = execution.events.subscribe(subscriber);
    execution.start().then(onResult, (error) => subscriber.error(error));
    return () => {
      execution.cancel();
      sub.unsubscribe();
    };
  });
}

/** One run of one graph. */
class Execution {
  readonly events = new Subject<RunEvent>();
  readonly runId: string;
  private readonly controller = new AbortController();
  private readonly cache: CacheStore;
  private readonly plan: RunPlan;
  /** Each needed node's result cell, settled once and shared by every link that leaves it. */
  private readonly cells = new Map<string, Promise<NodeResult>>();
  private readonly outputs: RunOutputs = {};
  private readonly active = new Set<Promise<unknown>>();
  private readonly broadcasts: Array<Broadcast<unknown>> = [];
  private readonly inputPlans = new Map<string, InputPlan[]>();
  /** The last previews of each node this run, stored with its cache entry. */
  private readonly previews = new Map<string, Preview[]>();
  private readonly startedAt = Date.now();
  private failure: NodeExecutionError | undefined;
  private cancelled = false;
  private executed = 0;
  private cachedCount = 0;
  private readonly scratch: ReturnType<typeof lazyScratch>;
  private readonly host: ContextHost;
  /** Results of nodes that have produced one; filled before any dependant starts. */
  private readonly resolved = new Map<string, NodeResult>();

  constructor(
    private readonly doc: GraphDocument,
    private readonly options: RunOptions,
  ) {
    this.runId = options.runId ?? randomUUID();
    this.scratch = lazyScratch(this.runId);
    const self = this;
    this.host = {
      runId: this.runId,
      signal: this.controller.signal,
      outputDir: resolve(options.outputDir ?? 'output'),
      services: options.services ?? {},
      logger: options.logger ?? silentLogger,
      emit: (event) => {
        if (event.type === 'node-preview') this.keepPreview(event.node, event.image);
        this.emit(event);
      },
      nodeType: (id) => this.doc.nodes[id]!.type,
      scratchRoot: () => self.scratch.get(),
    };
    this.cache = options.cache ?? defaultCache;
    this.plan = planRun(doc, options.registry, this.cache);
    // Every running node may listen to the run's signal; that is by design, not a leak.
    setMaxListeners(0, this.controller.signal);
    this.controller.signal.addEventListener('abort', () => {
      for (const b of this.broadcasts) b.abort(new StoppedError());
    });
  }

  private broadcast(id: string, source: AsyncIterable<Item<Values>>): Broadcast<Item<Values>> {
    const window = this.plan.unbounded.has(id) ? Number.POSITIVE_INFINITY : this.options.window;
    const b = new Broadcast(source, this.plan.consumers.get(id) ?? 0, window);
    this.broadcasts.push(b as Broadcast<unknown>);
    if (this.controller.signal.aborted) b.abort(new StoppedError());
    return b;
  }

  private keepPreview(id: string, image: Preview): void {
    const list = this.previews.get(id) ?? this.previews.set(id, []).get(id)!;
    list.push(image);
    if (list.length > MAX_KEPT_PREVIEWS) list.shift();
  }

  private inputLinks(id: string): Array<[string, Link]> {
    return this.plan.links.get(id)!;
  }

  private emit(event: RunEvent): void {
    this.events.next(event);
  }

  private nodeEvent(id: string) {
    return { runId: this.runId, time: Date.now(), node: id, nodeType: this.doc.nodes[id]!.type };
  }

  cancel(): void {
    if (this.controller.signal.aborted) return;
    this.cancelled = true;
    this.controller.abort(new RunCancelledError());
  }

  /** Runs to the end; resolves with the result (never rejects for node failures). */
  async start(): Promise<RunResult> {
    const external = this.options.signal;
    const onAbort = () => this.cancel();
    if (external?.aborted) this.cancel();
    external?.addEventListener('abort', onAbort, { once: true });
    this.emit({ type: 'run-started', runId: this.runId, time: Date.now(), nodes: this.plan.needed.size, cached: this.plan.hits.size });
    try {
      const outputsDone: Array<Promise<void>> = [];
      for (const id of this.plan.order) {
        if (!this.plan.needed.has(id)) continue;
        const upstream = this.plan.hits.has(id) ? [] : [...new Set(this.inputLinks(id).map(([, l]) => l.from))];
        const ready =
          upstream.length === 0 ? Promise.resolve() : upstream.length === 1 ? this.cells.get(upstream[0]!)! : Promise.all(upstream.map((u) => this.cells.get(u)!));
        const cell = this.track(ready.then(() => this.produce(id)).then((r) => (this.resolved.set(id, r), r)));
        cell.catch(() => undefined); // a failure is reported once, by the node that failed
        this.cells.set(id, cell);
        if (this.plan.defs.get(id)!.output) outputsDone.push(this.collectOutput(id, cell));
      }
      const aborted = new Promise<void>((resolve) => this.controller.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([Promise.all(outputsDone), aborted]);
      await this.settleActive();
    } finally {
      external?.removeEventListener('abort', onAbort);
      const scratch = this.scratch.path();
      if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    }
    return this.finish();
  }

  private async settleActive(): Promise<void> {
    const grace = this.options.stopGraceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)));
    // Nodes may start more work while settling (a stream pulled late); loop until quiet.
    while (this.active.size) {
      const done = await Promise.race([Promise.allSettled([...this.active]).then(() => true), timeout.then(() => false)]);
      if (!done) {
        this.options.logger?.warn(`${this.active.size} node task(s) did not stop within ${grace} ms`);
        break;
      }
    }
    clearTimeout(timer);
  }

  private finish(): RunResult {
    const status: RunStatus = this.failure ? 'failed' : this.cancelled ? 'cancelled' : 'succeeded';
    const error = this.failure
      ? { node: this.failure.node, nodeType: this.failure.nodeType, message: this.failure.message }
      : this.cancelled
        ? { message: 'the run was cancelled' }
        : undefined;
    this.emit({
      type: 'run-finished',
      runId: this.runId,
      time: Date.now(),
      status,
      ...(error ? { error } : {}),
      executed: this.executed,
      cached: this.cachedCount,
      ms: Date.now() - this.startedAt,
    });
    this.events.complete();
    return { runId: this.runId, status, outputs: this.outputs, executed: this.executed, cached: this.cachedCount, ...(error ? { error } : {}) };
  }

  /** Keeps a promise in the active set until it settles. */
  private track<X>(promise: Promise<X>): Promise<X> {
    this.active.add(promise);
    const remove = () => this.active.delete(promise);
    promise.then(remove, remove);
    return promise;
  }

  private fail(error: NodeExecutionError): void {
    if (this.failure || this.cancelled) return;
    this.failure = error;
    this.controller.abort(error);
  }

  /** Records an output node's result: its values, or every item of its stream. */
  private async collectOutput(id: string, cell: Promise<NodeResult>): Promise<void> {
    let result: NodeResult;
    try {
      result = await cell;
    } catch {
      return; // the failure is reported by the node that failed
    }
    if (result.kind === 'single') {
      this.outputs[id] = result.values;
      return;
    }
    const items: Values[] = [];
    this.outputs[id] = items;
    const iterator = result.broadcast.consumer();
    try {
      for await (const item of iterator) items.push(item.value);
    } catch {
      // reported by the node that failed
    }
  }

  /** Produces a node's result: from the cache, by running it once, or as a stream. */
  private async produce(id: string): Promise<NodeResult> {
    const hit = this.plan.hits.get(id);
    const def = this.plan.defs.get(id)!;
    if (hit) {
      this.cachedCount++;
      const summary = hit.kind === 'single' ? summarizeValues(def, hit.values) : summarizeItems(def, hit.items);
      this.emit({ ...this.nodeEvent(id), type: 'node-cached', outputs: summary, ...(hit.kind === 'stream' ? { items: hit.items.length } : {}) });
      for (const image of hit.previews ?? []) this.emit({ ...this.nodeEvent(id), type: 'node-preview', image });
      if (hit.kind === 'single') return { kind: 'single', values: hit.values };
      const indexed = hit.items.map((value, index) => ({ index, value }));
      return { kind: 'stream', broadcast: this.broadcast(id, fromArray(indexed)) };
    }
    if (this.plan.streaming.get(id)) {
      return { kind: 'stream', broadcast: this.broadcast(id, this.streamSource(id)) };
    }
    return { kind: 'single', values: await this.runSingle(id) };
  }

  private context(id: string, item?: number): NodeContext {
    return new RunContext(this.host, id, item);
  }


  /** How each input of a node gets its value; computed once per run, used on every call. */
  private inputPlan(id: string): InputPlan[] {
    let plan = this.inputPlans.get(id);
    if (plan) return plan;
    const def = this.plan.defs.get(id)!;
    const given = this.doc.nodes[id]!.inputs ?? {};
    plan = (Object.entries(def.inputs) as Array<[string, InputSpec]>).map(([name, spec]) => {
      const value = given[name];
      const mode = inputMode(spec);
      if (!isLink(value)) return { name, mode, literal: value ?? spec.default };
      const fromType = outputType(this.plan.defs.get(value.from)!.outputs[value.output]).id;
      return { name, mode, link: value, convert: converter(fromType, spec.type.id) };
    });
    this.inputPlans.set(id, plan);
    return plan;
  }

  /**
   * Gathers a node's inputs. Single upstream values, literals and defaults are resolved; stream links are
   * claimed here (one consumer slot per link) and returned separately for the `each` inputs. Lists are
   * collected concurrently, so two lists fed by one stream do not wait on each other's window.
   */
  private gatherInputs(id: string, claimed: Array<AsyncIterator<unknown>>): Gathered | Promise<Gathered> {
    const fixed: Values = {};
    const each: Array<[string, AsyncIterator<Item<unknown>>]> = [];
    let lists: Array<Promise<void>> | undefined;
    for (const input of this.inputPlan(id)) {
      const { name, mode, link, convert } = input;
      if (!link) {
        const literal = input.literal;
        if (mode === 'each') fixed[name] = literal;
        else {
          const items = literal === undefined ? [] : Array.isArray(literal) ? literal : [literal];
          fixed[name] = mode === 'list' ? items : fromArray(items);
        }
        continue;
      }
      const upstream = this.resolved.get(link.from)!; // settled before this node started
      if (upstream.kind === 'single') {
        const raw = upstream.values[link.output];
        const v = convert ? convert(raw) : raw;
        fixed[name] = mode === 'each' ? v : mode === 'list' ? [v] : fromArray([v]);
        continue;
      }
      const iterator = upstream.broadcast.consumer();
      claimed.push(iterator);
      const projected = projectItems(iterator, link.output, convert);
      if (mode === 'each') each.push([name, projected]);
      else if (mode === 'stream') fixed[name] = itemValues(projected);
      else {
        (lists ??= []).push(
          (async () => {
            const items: unknown[] = [];
            for (let r = await projected.next(); !r.done; r = await projected.next()) items.push(r.value.value);
            fixed[name] = items;
          })(),
        );
      }
    }
    return lists ? Promise.all(lists).then(() => ({ fixed, each })) : { fixed, each };
  }

  /** Runs a single (non-mapped) node once. Awaits only what is really asynchronous: big graphs of quick nodes pay per tick. */
  private async runSingle(id: string): Promise<Values> {
    const def = this.plan.defs.get(id)!;
    const claimed: Array<AsyncIterator<unknown>> = [];
    let inputs: Values | undefined;
    try {
      const gathered = this.gatherInputs(id, claimed);
      inputs = (gathered instanceof Promise ? await gathered : gathered).fixed;
      this.throwIfStopped();
      this.emit({ ...this.nodeEvent(id), type: 'node-started' });
      this.throwIfStopped(); // a listener of node-started may have cancelled the run
      const started = Date.now();
      this.executed++;
      const pending = this.invokeRun(id, def, inputs);
      const values = pending instanceof Promise ? await pending : pending;
      if (this.cache.active) this.cache.set(this.plan.keys.get(id)!, { kind: 'single', values, bytes: sizeOfValues(def, values), previews: this.previews.get(id) });
      this.emit({ ...this.nodeEvent(id), type: 'node-output', outputs: summarizeValues(def, values), ms: Date.now() - started });
      return values;
    } catch (error) {
      throw this.nodeFailure(id, error, inputs);
    } finally {
      if (claimed.length) await Promise.allSettled(claimed.map((c) => c.return?.()));
    }
  }

  /** Calls `run` with a frozen snapshot of its inputs and checks the result (synchronously when `run` is). */
  private invokeRun(id: string, def: NodeDefinition, inputs: Values, item?: number): Values | Promise<Values> {
    // Snapshot the inputs: `run` is async and must not see later changes, nor change what others see.
    const snapshot = Object.freeze({ ...inputs });
    const result = def.run!(snapshot as never, this.context(id, item));
    return result instanceof Promise ? result.then((r) => checkResult(def, r)) : checkResult(def, result);
  }

  /** The source generator of a streaming node: a stream node's items, or a node mapped over its stream inputs. */
  private streamSource(id: string): AsyncIterable<Item<Values>> {
    const self = this;
    const def = this.plan.defs.get(id)!;
    return {
      [Symbol.asyncIterator]: () => {
        let finish!: () => void;
        void this.track(new Promise<void>((r) => (finish = r)));
        return (async function* () {
          const claimed: Array<AsyncIterator<unknown>> = [];
          const recorded: Values[] = [];
          let recordBytes = 0;
          let recording = self.cache.active;
          let count = 0;
          let lastItems = 0;
          let fixed: Values | undefined;
          const started = Date.now();
          let completed = false;
          try {
            const gathered = await self.gatherInputs(id, claimed);
            fixed = gathered.fixed;
            self.throwIfStopped();
            self.emit({ ...self.nodeEvent(id), type: 'node-started' });
            self.executed++;
            for await (const item of self.items(id, def, gathered.fixed, gathered.each)) {
              count++;
              if (recording) {
                recordBytes += sizeOfValues(def, item.value);
                if (recordBytes > (self.options.maxStreamCacheBytes ?? 64 * 1024 * 1024)) {
                  recording = false;
                  recorded.length = 0;
                } else recorded.push(item.value);
              }
              const now = Date.now();
              if (now - lastItems >= 100) {
                lastItems = now;
                self.emit({ ...self.nodeEvent(id), type: 'node-items', count });
              }
              // A producer made of promises alone never lets timers or I/O run (a cancel could not get in).
              if ((count & 255) === 0) await new Promise<void>((r) => setImmediate(r));
              yield item;
            }
            completed = true;
            if (recording) self.cache.set(self.plan.keys.get(id)!, { kind: 'stream', items: recorded, bytes: recordBytes, previews: self.previews.get(id) });
            self.emit({ ...self.nodeEvent(id), type: 'node-output', outputs: summarizeItems(def, recording ? recorded : []), items: count, ms: Date.now() - started });
          } catch (error) {
            throw self.nodeFailure(id, error, fixed);
          } finally {
            if (!completed && !self.controller.signal.aborted) {
              self.emit({ ...self.nodeEvent(id), type: 'node-output', outputs: [], items: count, ms: Date.now() - started });
            }
            await Promise.allSettled(claimed.map((c) => c.return?.()));
            finish();
          }
        })()[Symbol.asyncIterator]();
      },
    };
  }

  /** The items of a streaming node. */
  private items(id: string, def: NodeDefinition, fixed: Values, each: Array<[string, AsyncIterator<Item<unknown>>]>): AsyncIterable<Item<Values>> {
    if (each.length > 0) return this.mappedItems(id, def, fixed, each);
    // A stream node fed only by single values: a plain iterator over its stream, not one more generator
    // layer (each layer costs promises per item, and decoders stream thousands of items).
    const source = toAsyncIterable(def.stream!(Object.freeze({ ...fixed }) as never, this.context(id)))[Symbol.asyncIterator]();
    let index = 0;
    const iterator: AsyncIterableIterator<Item<Values>> = {
      [Symbol.asyncIterator]: () => iterator,
      next: () =>
        source.next().then((r): IteratorResult<Item<Values>> => {
          if (r.done) return { done: true, value: undefined };
          this.throwIfStopped();
          return { done: false, value: { index: index++, value: checkResult(def, r.value) } };
        }),
      return: async () => {
        await source.return?.();
        return { done: true, value: undefined };
      },
    };
    return iterator;
  }

  /** The items of a node mapped over its stream inputs. */
  private async *mappedItems(id: string, def: NodeDefinition, fixed: Values, each: Array<[string, AsyncIterator<Item<unknown>>]>): AsyncGenerator<Item<Values>> {
    const policy = this.doc.nodes[id]!.onItemError ?? this.options.onItemError ?? 'fail';
    const zipped = zipByIndex(each.map(([, it]) => it));
    const inputsOf = (item: Item<unknown[]>): Values => {
      const inputs = { ...fixed };
      each.forEach(([name], k) => (inputs[name] = item.value[k]));
      return inputs;
    };
    if (typeof def.stream === 'function') {
      // A stream node mapped over a stream: each item opens a sub-stream; the results are concatenated.
      let index = 0;
      for await (const item of zipped) {
        try {
          for await (const value of toAsyncIterable(def.stream(Object.freeze(inputsOf(item)) as never, this.context(id, item.index)))) {
            this.throwIfStopped();
            yield { index: index++, value: checkResult(def, value) };
          }
        } catch (error) {
          if (policy !== 'skip' || this.controller.signal.aborted) throw withItem(error, item.index);
          this.skipped(id, item.index, error);
        }
      }
      return;
    }
    const concurrency = this.doc.nodes[id]!.concurrency ?? def.concurrency ?? 1;
    const mapped = mapConcurrent(
      zipped,
      async (item): Promise<Item<Values> | typeof SKIP> => {
        this.throwIfStopped();
        try {
          return { index: item.index, value: await this.invokeRun(id, def, inputsOf(item), item.index) };
        } catch (error) {
          if (policy !== 'skip' || this.controller.signal.aborted) throw withItem(error, item.index);
          this.skipped(id, item.index, error);
          return SKIP;
        }
      },
      concurrency,
    );
    for await (const result of mapped) if (result !== SKIP) yield result;
  }

  private skipped(id: string, item: number, error: unknown): void {
    this.emit({ ...this.nodeEvent(id), type: 'node-item-skipped', item, message: messageOf(error) });
  }

  private throwIfStopped(): void {
    if (this.controller.signal.aborted) throw new StoppedError();
  }

  /** Turns any error into the node's failure (reported once) or passes an upstream failure through. */
  private nodeFailure(id: string, error: unknown, inputs: Values | undefined): unknown {
    if (error instanceof NodeExecutionError || error instanceof StoppedError) return error;
    if (this.controller.signal.aborted) return new StoppedError();
    const def = this.plan.defs.get(id)!;
    const item = (error as { item?: number })?.item;
    const summary = inputs ? summarizeInputs(def, inputs) : {};
    const failure = new NodeExecutionError(id, def.type, messageOf(error), summary, item, { cause: error });
    this.emit({
      ...this.nodeEvent(id),
      type: 'node-error',
      message: messageOf(error),
      detail: { inputs: summary, ...(item === undefined ? {} : { item }), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) },
    });
    this.fail(failure);
    return failure;
  }

}

/** Thrown inside nodes that notice the run stopped; never reported as a node failure. */
class StoppedError extends Error {
  constructor() {
    super('stopped');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withItem(error: unknown, item: number): unknown {
  if (error && typeof error === 'object' && !(error instanceof NodeExecutionError)) {
    try {
      (error as { item?: number }).item ??= item;
    } catch {
      // frozen error objects keep their shape
    }
  }
  return error;
}

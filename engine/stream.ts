/**
 * Pull-based stream plumbing with bounded memory. A producer is advanced only when a consumer asks for an
 * item and every consumer's window has room, so a fast decoder never runs ahead of a slow node by more than
 * the window.
 */

/** An item of a stream: its position in the source and its value. */
export interface Item<T> {
  index: number;
  value: T;
}

/**
 * Multicasts one async source to a fixed number of consumers, each with a bounded window.
 * A consumer that stops early (`return()`) releases its slot; when all have, the source is closed
 * (its `finally` blocks run, so child processes are killed).
 * @example
 * const b = new Broadcast(source, 2);
 * const [left, right] = [b.consumer(), b.consumer()];
 */
export class Broadcast<T> {
  private readonly queues: Array<T[] | null> = [];
  private readonly waiters: Array<(() => void) | null> = [];
  private pulling = false;
  private done = false;
  private closing = false;
  private failure: { error: unknown } | undefined;
  private iterator: AsyncIterator<T> | undefined;
  private claimed = 0;

  constructor(
    private readonly source: AsyncIterable<T>,
    readonly consumers: number,
    readonly window = 4,
  ) {
    for (let i = 0; i < consumers; i++) {
      this.queues.push([]);
      this.waiters.push(null);
    }
    if (consumers === 0) this.done = true;
    else if (window === Number.POSITIVE_INFINITY) queueMicrotask(() => this.pump());
  }

  /** Claims the next consumer slot. Claiming more slots than declared is a programming error. */
  consumer(): AsyncIterableIterator<T> {
    if (this.claimed >= this.consumers) throw new Error(`Broadcast: all ${this.consumers} consumer slots are taken`);
    const slot = this.claimed++;
    const self = this;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => self.next(slot),
      return: async () => {
        self.release(slot);
        return { done: true, value: undefined };
      },
    };
  }

  private async next(slot: number): Promise<IteratorResult<T>> {
    for (;;) {
      const queue = this.queues[slot];
      if (!queue) return { done: true, value: undefined };
      if (queue.length) {
        const value = queue.shift()!;
        this.pump();
        return { done: false, value };
      }
      if (this.failure) throw this.failure.error;
      if (this.done) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.waiters[slot] = resolve;
        this.pump();
      });
    }
  }

  private release(slot: number): void {
    if (!this.queues[slot]) return;
    this.queues[slot] = null;
    this.wake(slot);
    if (this.queues.every((q) => q === null)) this.close();
    else this.pump();
  }

  /** Ends every consumer with `error` and closes the source (a cancelled or failed run). */
  abort(error: unknown): void {
    this.failure ??= { error };
    for (let i = 0; i < this.queues.length; i++) this.queues[i] &&= [];
    this.wakeAll();
    this.close();
  }

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    this.done = true;
    // A generator cannot be returned mid-step; when a pull is under way, its completion returns it.
    if (!this.pulling) void this.iterator?.return?.().catch(() => undefined);
  }

  private wake(slot: number): void {
    const waiter = this.waiters[slot];
    this.waiters[slot] = null;
    waiter?.();
  }

  private wakeAll(): void {
    for (let i = 0; i < this.waiters.length; i++) this.wake(i);
  }

  private pump(): void {
    if (this.pulling || this.done || this.closing || this.failure) return;
    const open = this.queues.filter((q): q is T[] => q !== null);
    const someoneWaits = this.waiters.some((w) => w !== null);
    // A bounded broadcast pulls on demand; an unbounded one (window Infinity) drains its source eagerly,
    // because a consumer that is not reading yet must still find every item later.
    if ((!someoneWaits && this.window !== Number.POSITIVE_INFINITY) || open.some((q) => q.length >= this.window)) return;
    this.pulling = true;
    this.iterator ??= this.source[Symbol.asyncIterator]();
    this.iterator.next().then(
      (result) => {
        this.pulling = false;
        if (this.closing) {
          if (!result.done) void this.iterator?.return?.().catch(() => undefined);
        } else if (result.done) this.done = true;
        else for (const q of this.queues) q?.push(result.value);
        this.wakeAll();
        if (this.window === Number.POSITIVE_INFINITY) this.pump();
      },
      (error) => {
        this.pulling = false;
        this.failure = { error };
        this.wakeAll();
      },
    );
  }
}

/** A settled result slot for ordered concurrent mapping. */
type Settled<B> = { ok: true; value: B } | { ok: false; error: unknown };

/**
 * Maps an async iterable with up to `concurrency` calls in flight, in source order, pulling the source only
 * when a slot is free (no unbounded buffer).
 * @example for await (const y of mapConcurrent(frames, caption, 4)) ...
 */
export async function* mapConcurrent<A, B>(
  source: AsyncIterable<A>,
  fn: (value: A) => Promise<B>,
  concurrency: number,
): AsyncGenerator<B> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Array<Promise<Settled<B>>> = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < concurrency) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        inFlight.push(fn(next.value).then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error })));
      }
      const head = inFlight.shift();
      if (!head) return;
      const settled = await head;
      if (!settled.ok) throw settled.error;
      yield settled.value;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
    await Promise.allSettled(inFlight);
  }
}

/**
 * Joins indexed streams item by item: an index missing from any side (a skipped item) is dropped from all.
 * Every side must be in ascending index order.
 * @example zipByIndex([a, b]) // yields [indexOf(a_i), [a_i, b_i]]
 */
export async function* zipByIndex<T>(sources: AsyncIterator<Item<T>>[]): AsyncGenerator<Item<T[]>> {
  const heads: Array<Item<T> | undefined> = new Array(sources.length);
  try {
    for (;;) {
      for (let i = 0; i < sources.length; i++) {
        if (heads[i]) continue;
        const next = await sources[i]!.next();
        if (next.done) return;
        heads[i] = next.value;
      }
      const max = Math.max(...heads.map((h) => h!.index));
      if (heads.every((h) => h!.index === max)) {
        yield { index: max, value: heads.map((h) => h!.value) };
        heads.fill(undefined);
      } else {
        for (let i = 0; i < heads.length; i++) if (heads[i]!.index < max) heads[i] = undefined;
      }
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.return?.()));
  }
}

/**
 * Adapts an async iterable or an RxJS Observable (anything with `subscribe`) into an async iterable.
 * An Observable is buffered (it cannot be paused); prefer async generators for large streams.
 */
export function toAsyncIterable<T>(source: AsyncIterable<T> | { subscribe: Function }): AsyncIterable<T> {
  if (Symbol.asyncIterator in source) return source as AsyncIterable<T>;
  const observable = source as { subscribe(o: { next(v: T): void; error(e: unknown): void; complete(): void }): { unsubscribe(): void } };
  return {
    async *[Symbol.asyncIterator]() {
      const buffer: T[] = [];
      let finished = false;
      let failure: { error: unknown } | undefined;
      let wake: (() => void) | undefined;
      const subscription = observable.subscribe({
        next: (v) => {
          buffer.push(v);
          wake?.();
        },
        error: (error) => {
          failure = { error };
          wake?.();
        },
        complete: () => {
          finished = true;
          wake?.();
        },
      });
      try {
        for (;;) {
          if (buffer.length) yield buffer.shift()!;
          else if (failure) throw failure.error;
          else if (finished) return;
          else await new Promise<void>((r) => (wake = r));
        }
      } finally {
        subscription.unsubscribe();
      }
    },
  };
}

/** Yields the items of an array as a stream. */
export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/**
 * Projects a stream of output records onto one output, converted for the input it feeds. A plain iterator,
 * not an async generator: each generator layer costs a few promises per item on every stream link.
 * @example projectItems(records, 'frame') // yields { index, value: record.frame }
 */
export function projectItems(iterator: AsyncIterator<Item<Record<string, unknown>>>, output: string, convert?: (value: unknown) => unknown): AsyncIterator<Item<unknown>> {
  return {
    next: () =>
      iterator.next().then((r): IteratorResult<Item<unknown>> => {
        if (r.done) return { done: true, value: undefined };
        const raw = r.value.value[output];
        return { done: false, value: { index: r.value.index, value: convert ? convert(raw) : raw } };
      }),
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}

/**
 * The values of an indexed stream, as a plain AsyncIterable (what a `stream: true` input receives).
 * @example for await (const frame of itemValues(items)) ...
 */
export function itemValues<T>(iterator: AsyncIterator<Item<T>>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await iterator.next();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value.value };
      },
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
}

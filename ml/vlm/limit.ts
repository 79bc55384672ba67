/**
 * A concurrency limit shared by every backend that talks to the same endpoint in this process, so two
 * nodes (or two items of one node) never put more requests in flight than the endpoint was given.
 */

/** A counting semaphore whose capacity may change while it is in use. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private capacity: number) {}

  /** Sets the capacity (at least 1); waiters are admitted if it grew. */
  resize(capacity: number): void {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.drain();
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Runs `fn` once a slot is free; an abort while waiting rejects without running it.
   * @example await limit.run(() => fetch(url), signal);
   */
  async run<R>(fn: () => Promise<R>, signal?: AbortSignal): Promise<R> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.active--;
      this.drain();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.capacity) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const admit = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(admit);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(admit);
    });
  }

  private drain(): void {
    while (this.active < this.capacity && this.waiting.length > 0) this.waiting.shift()!();
  }
}

const limits = new Map<string, Semaphore>();

/**
 * The process-wide limit of one endpoint (keyed by its URL). The latest capacity asked for wins, so
 * changing a node's `concurrency` widget takes effect on the next run.
 *
 * @example const limit = endpointLimit('http://127.0.0.1:8000/v1/chat/completions', 4);
 */
export function endpointLimit(url: string, capacity: number): Semaphore {
  let limit = limits.get(url);
  if (!limit) limits.set(url, (limit = new Semaphore(capacity)));
  limit.resize(capacity);
  return limit;
}

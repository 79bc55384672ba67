/**
 * The device lock: GPU work runs one job at a time per device, CPU work up to a limit, so that nodes
 * running in parallel do not oversubscribe a device. Re-entrant: code already holding a device's lock
 * (a node wrapping several session runs) does not wait for itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import { resolveDevice, type ConcreteDevice, type Device } from './devices.js';

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(public limit: number) {}

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes to the next waiter
    else this.active--;
  }

  get busy(): number {
    return this.active;
  }
}

const DEFAULT_LIMITS: Readonly<Record<ConcreteDevice, number>> = Object.freeze({
  cpu: Math.max(1, os.availableParallelism()),
  cuda: 1,
  webgpu: 1,
});

const semaphores = new Map<ConcreteDevice, Semaphore>();
const held = new AsyncLocalStorage<ReadonlySet<ConcreteDevice>>();

function semaphore(d: ConcreteDevice): Semaphore {
  let s = semaphores.get(d);
  if (!s) {
    s = new Semaphore(DEFAULT_LIMITS[d]);
    semaphores.set(d, s);
  }
  return s;
}

/**
 * Sets how many jobs may hold a device at once (defaults: cuda 1, webgpu 1, cpu = the number of cores).
 * @example setDeviceConcurrency('cpu', 1)
 */
export function setDeviceConcurrency(device: ConcreteDevice, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`device concurrency for ${device} must be a positive integer, got ${limit}`);
  semaphore(device).limit = limit;
}

/** How many jobs may hold a device at once. @example deviceConcurrency('cuda') // 1 */
export function deviceConcurrency(device: ConcreteDevice): number {
  return semaphore(device).limit;
}

/**
 * Runs `fn` holding the device's lock. Waits while the device is at its limit.
 * @example const out = await withDevice('cuda', () => session.run(feeds));
 */
export async function withDevice<T>(device: Device, fn: () => Promise<T> | T): Promise<T> {
  const d = resolveDevice(device);
  const mine = held.getStore();
  if (mine?.has(d)) return fn();
  const s = semaphore(d);
  await s.acquire();
  try {
    return await held.run(new Set([...(mine ?? []), d]), fn);
  } finally {
    s.release();
  }
}

/** How many jobs hold the device now (for tests and diagnostics). @example deviceBusy('cpu') // 0 */
export function deviceBusy(device: ConcreteDevice): number {
  return semaphores.get(device)?.busy ?? 0;
}

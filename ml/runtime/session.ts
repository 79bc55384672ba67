/**
 * createSession: an ORT session on a device (falling back to cpu, with one log line, when the device's
 * provider cannot load), cached and shared, whose runs check their inputs first and hold the device lock.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { EXECUTION_PROVIDERS, cudaInstalled, resolveDevice, type ConcreteDevice, type Device } from './devices.js';
import { checkInputs, type TensorInfo } from './check.js';
import { SessionCache, type CacheEntry } from './cache.js';
import { withDevice, setDeviceConcurrency } from './lock.js';

/** Where the runtime reports (compatible with a node's ctx.log). */
export interface RuntimeLog {
  warn(message: string): void;
  info?(message: string): void;
}

/** Options of createSession. */
export interface SessionOptions {
  /** The device; default: CINEGRAPH_DEVICE, else 'auto'. */
  device?: Device | string;
  /** Where the fallback line goes (default: console.warn). */
  log?: RuntimeLog;
  /** Share one session per (model, device) and keep it cached after release (default true). */
  cache?: boolean;
  /** Threads inside one op (default: min(cores, 4)). */
  intraOpThreads?: number;
  /** ORT graph optimisation (default 'all'). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** A name for messages (default: the file name, or 'model bytes'). */
  name?: string;
}

/** Input values of a run, by input name. */
export type Feeds = Record<string, ort.Tensor>;

/**
 * A loaded model whose runs are checked. Release it when done (the session stays cached for reuse).
 * @example
 * const s = await createSession('/models/sam.onnx', { device: 'cpu' });
 * const { image_embeddings } = await s.run({ pixel_values });
 * await s.release();
 */
export interface CheckedSession {
  readonly name: string;
  /** The device it runs on (cpu when the requested provider failed). */
  readonly device: ConcreteDevice;
  /** The device that was asked for, after CINEGRAPH_DEVICE and 'auto'. */
  readonly requestedDevice: ConcreteDevice;
  /** The execution providers of the loaded session. */
  readonly providers: readonly string[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The underlying ORT session (for code that must call it directly, such as benchmarks). */
  readonly raw: ort.InferenceSession;
  /** Checks inputs (names, dtypes, shapes), then runs holding the device lock. */
  run(feeds: Feeds, options?: { outputs?: readonly string[] }): Promise<Record<string, ort.Tensor>>;
  /** Gives the session back; further runs fail. Idempotent. */
  release(): Promise<void>;
}

const CORES = Math.max(1, os.availableParallelism());
const DEFAULT_THREADS = Math.min(CORES, 4);

/**
 * The intra-op threads every CPU session gets, this runtime's and transformers.js' alike: the cores, at
 * most 4. (ONNX Runtime's own default is its count of physical cores, which on some VMs is one.)
 * @example cpuThreads() // 2 on a 2-core machine
 */
export function cpuThreads(): number {
  return DEFAULT_THREADS;
}
// CPU jobs at once: enough to fill the cores with DEFAULT_THREADS each (on 2 cores: one job of 2 threads).
setDeviceConcurrency('cpu', Math.max(1, Math.floor(CORES / DEFAULT_THREADS)));

const cache = new SessionCache();
const failedProviders = new Map<ConcreteDevice, string>();

/**
 * The shared session cache (budget in bytes: CINEGRAPH_SESSION_BUDGET_MB, else a quarter of memory).
 * @example sessionCache().budget = 2 * 2 ** 30
 */
export function sessionCache(): SessionCache {
  return cache;
}

interface ModelSource { key: string; name: string; bytes: number; load: string | Uint8Array }

async function identify(model: string | Uint8Array, name?: string): Promise<ModelSource> {
  if (typeof model !== 'string') {
    const hash = createHash('sha256').update(model).digest('hex').slice(0, 32);
    return { key: `bytes:${hash}`, name: name ?? 'model bytes', bytes: model.byteLength, load: model };
  }
  const file = path.resolve(model);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new Error(`model file not found: ${file}`);
  }
  const real = await fs.realpath(file);
  let bytes = stat.size;
  // External weights usually sit next to the model as <file>_data or <file>.data.
  for (const side of [`${real}_data`, `${real}.data`]) bytes += (await fs.stat(side).catch(() => undefined))?.size ?? 0;
  return { key: `file:${real}:${stat.size}:${stat.mtimeMs}`, name: name ?? path.basename(file), bytes, load: real };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}

function create(src: ModelSource, providers: readonly string[], options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  const o = { ...options, executionProviders: [...providers] };
  return typeof src.load === 'string' ? ort.InferenceSession.create(src.load, o) : ort.InferenceSession.create(src.load, o);
}

async function load(src: ModelSource, device: ConcreteDevice, opts: SessionOptions): Promise<Omit<CacheEntry, 'refs' | 'key'>> {
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.intraOpThreads ?? DEFAULT_THREADS,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
  };
  const log = opts.log ?? { warn: (m: string) => console.warn(m) };
  if (device !== 'cpu') {
    // Without its library ORT would fail anyway, after printing its own native error: say why up front.
    if (device === 'cuda' && !failedProviders.has(device) && !cudaInstalled()) {
      failedProviders.set(device, 'libonnxruntime_providers_cuda.so is not installed next to onnxruntime-node; see the README to install it');
    }
    const earlier = failedProviders.get(device);
    if (earlier === undefined) {
      try {
        const session = await create(src, EXECUTION_PROVIDERS[device], { ...base, logSeverityLevel: 4 });
        return { session, device, providers: EXECUTION_PROVIDERS[device], bytes: src.bytes };
      } catch (e) {
        failedProviders.set(device, firstLine(e));
      }
    }
    log.warn(`ml/runtime: the ${device} execution provider could not load (${failedProviders.get(device)}); running '${src.name}' on cpu instead`);
  }
  try {
    const session = await create(src, EXECUTION_PROVIDERS.cpu, base);
    return { session, device: 'cpu', providers: EXECUTION_PROVIDERS.cpu, bytes: src.bytes };
  } catch (e) {
    throw new Error(`model '${src.name}' failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function infos(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, shape: [...m.shape] } : { name: m.name, dtype: 'non-tensor', shape: [] }));
}

/**
 * Loads a model (a file path or ONNX bytes) for a device. Sessions are shared per (model, device,
 * options) and stay cached after release until the memory budget needs their room.
 * @example const s = await createSession(bytes, { device: 'cuda', log: ctx.log }); // cpu + one warning without CUDA
 */
export async function createSession(model: string | Uint8Array, options: SessionOptions = {}): Promise<CheckedSession> {
  const requested = resolveDevice(options.device);
  const src = await identify(model, options.name);
  const optKey = `${options.intraOpThreads ?? DEFAULT_THREADS}:${options.graphOptimizationLevel ?? 'all'}`;
  const key = `${requested}|${optKey}|${src.key}`;
  const shared = options.cache !== false;
  const entry = shared
    ? await cache.acquire(key, () => load(src, requested, options))
    : { ...(await load(src, requested, options)), key, refs: 1 };
  const inputs = infos(entry.session.inputMetadata);
  const outputs = infos(entry.session.outputMetadata);
  let released = false;
  const session: CheckedSession = {
    name: src.name,
    device: entry.device,
    requestedDevice: requested,
    providers: entry.providers,
    inputs,
    outputs,
    raw: entry.session,
    async run(feeds, runOptions = {}) {
      if (released) throw new Error(`model '${src.name}': the session was released`);
      checkInputs(src.name, inputs, feeds);
      const wanted = runOptions.outputs;
      if (wanted) {
        const missing = wanted.filter((n) => !outputs.some((o) => o.name === n));
        if (missing.length) throw new Error(`model '${src.name}': no output named ${missing.join(', ')}; outputs: ${outputs.map((o) => o.name).join(', ')}`);
      }
      const result = await withDevice(entry.device, () => (wanted ? entry.session.run(feeds, [...wanted]) : entry.session.run(feeds)));
      return result as Record<string, ort.Tensor>;
    },
    async release() {
      if (released) return;
      released = true;
      if (shared) await cache.unref(entry);
      else await entry.session.release();
    },
  };
  return session;
}

/**
 * Releases every idle cached session (for shutdown and tests).
 * @example await releaseAllSessions()
 */
export async function releaseAllSessions(): Promise<void> {
  await cache.clear();
}

/**
 * Forgets remembered provider failures, so the next session on that device tries its provider again.
 * @example resetProviderFailures()
 */
export function resetProviderFailures(): void {
  failedProviders.clear();
}

export { ort };

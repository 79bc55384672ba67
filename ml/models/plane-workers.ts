/**
 * Runs the pre-processing kernels (planes.ts) on two worker threads, each for half of the output rows,
 * written straight into one shared buffer; the main thread copies that into a reused plain buffer (ONNX
 * Runtime takes no shared memory). A frame's pixel work takes about half the wall time on two cores,
 * and leaves the main thread free, so that on a stream of frames the next frame's pre-processing
 * overlaps the current frame's ONNX run (which holds the main thread for its whole duration). Small
 * images, and a checkout without the compiled worker script (tests running the TypeScript sources), run
 * the kernels inline.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { releaseShared, takePixels, takeShared } from './plane-pool.js';
import { fillRows, type PlaneJob } from './planes.js';

export type { PlaneJob } from './planes.js';

/** A message to a plane worker: rows [r0, r1) of a job, into `shared`. */
export interface PlaneRequest {
  id: number;
  job: PlaneJob;
  shared: SharedArrayBuffer;
  r0: number;
  r1: number;
}

/** Below this many output pixels the messages cost more than the second thread saves. */
const MIN_PIXELS = 256 * 256;

/** Jobs in flight per worker. */
const busy = new WeakMap<Worker, { jobs: number }>();

interface Pool {
  workers: Worker[];
  pending: Map<number, { resolve: () => void; reject: (error: Error) => void }>;
}

let script: URL | undefined = new URL('./plane-worker.js', import.meta.url);
let threads = 2;
let pool: Pool | undefined;
let broken = false;
let nextId = 0;

/**
 * Points the pool at a worker script and sets its size (tests run the TypeScript sources, where the
 * compiled script is dist's); `threads: 0` runs everything inline. Closes running workers.
 * @example await configurePlaneWorkers({ script: new URL('../../dist/ml/models/plane-worker.js', import.meta.url) });
 */
export async function configurePlaneWorkers(options: { script?: URL; threads?: number }): Promise<void> {
  await closePlaneWorkers();
  if (options.script) script = options.script;
  if (options.threads !== undefined) threads = options.threads;
  broken = false;
}

/**
 * Stops the plane workers (they are unref'd, so a process exits without this; tests call it).
 * @example await closePlaneWorkers();
 */
export async function closePlaneWorkers(): Promise<void> {
  const current = pool;
  pool = undefined;
  if (!current) return;
  for (const p of current.pending.values()) p.reject(new Error('plane workers closed'));
  await Promise.all(current.workers.map((w) => w.terminate()));
}

/** Whether jobs go to worker threads (false: inline, e.g. without the compiled worker script). */
export function planeWorkersAvailable(): boolean {
  return !broken && threads > 0 && script !== undefined && existsSync(fileURLToPath(script));
}

function startPool(): Pool {
  const pending: Pool['pending'] = new Map();
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(script!);
    worker.on('message', (m: { id: number; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (--busy.get(worker)!.jobs === 0) worker.unref();
      if (m.error !== undefined) p?.reject(new Error(`image pre-processing (plane worker): ${m.error}`));
      else p?.resolve();
    });
    const fail = (error: Error) => {
      broken = true; // later jobs run inline
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => pool?.workers.includes(worker) && fail(new Error(`image pre-processing: a plane worker exited (code ${code})`)));
    // Referenced only while it has work (a 'message' listener refs it, so this comes after): an idle pool
    // never keeps a process alive, a busy one keeps it alive until its answers arrive.
    worker.unref();
    busy.set(worker, { jobs: 0 });
    return worker;
  });
  return { workers, pending };
}

function runInline(job: PlaneJob): Float32Array {
  const out = takePixels(3 * job.paddedWidth * job.paddedHeight);
  fillRows(job, out, 0, job.paddedHeight);
  return out;
}

/** Sends rows [r0, r1) of a job to a worker; resolves when they are in `shared`. */
function post(p: Pool, worker: Worker, job: PlaneJob, shared: SharedArrayBuffer, r0: number, r1: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const id = nextId++;
    p.pending.set(id, { resolve, reject });
    if (busy.get(worker)!.jobs++ === 0) worker.ref();
    worker.postMessage({ id, job, shared, r0, r1 } satisfies PlaneRequest);
  });
}

/**
 * The job's planes: float32, 3 x paddedHeight x paddedWidth, zero outside the image; the same values
 * however they are computed. With idle workers, each does half the rows; when a worker is already busy
 * (frames of a stream in flight), the least busy one does the whole image. Small images, and no workers,
 * run inline. The buffer may be a reused one: hand it back with `releasePixels` once the model has read it.
 * @example const data = await fillPlanes({ rgb, width: 288, height: 224, resize: true, toWidth: 1024, toHeight: 1024, paddedWidth: 1024, paddedHeight: 1024, table, order: [0, 1, 2] });
 */
export async function fillPlanes(job: PlaneJob): Promise<Float32Array> {
  if (job.toWidth * job.toHeight < MIN_PIXELS || !planeWorkersAvailable()) return runInline(job);
  const p = (pool ??= startPool());
  const load = p.workers.map((w) => busy.get(w)!.jobs);
  const length = 3 * job.paddedWidth * job.paddedHeight;
  const shared = takeShared(4 * length);
  try {
    if (load.some((n) => n > 0) || p.workers.length === 1) {
      await post(p, p.workers[load.indexOf(Math.min(...load))]!, job, shared, 0, job.paddedHeight);
    } else {
      const bounds = p.workers.map((_, i) => Math.round((i * job.paddedHeight) / p.workers.length)).concat(job.paddedHeight);
      await Promise.all(p.workers.map((worker, i) => post(p, worker, job, shared, bounds[i]!, bounds[i + 1]!)));
    }
    const out = takePixels(length);
    out.set(new Float32Array(shared, 0, length));
    return out;
  } catch (error) {
    if (!broken) throw error;
    return runInline(job); // the workers could not start (or died)
  } finally {
    releaseShared(shared);
  }
}

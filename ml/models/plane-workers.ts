/**
 * Runs the pre-processing kernels (planes.ts) on two worker threads, each for half of the output rows,
 * and assembles the planes: a frame's pixel work takes half the wall time on two cores, and leaves the
 * main thread free, so that on a stream of frames the next frame's pre-processing overlaps the current
 * frame's ONNX run (which holds the main thread for its whole duration). Small images, and a checkout
 * without the compiled worker script (tests running the TypeScript sources), run the kernels inline.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bytesToPlanes, resizeRows, type ChannelOrder } from './planes.js';

/** One image's plane work: `rgb` (HWC bytes) to 3 planes of `paddedWidth` x `paddedHeight` (zero padding). */
export interface PlaneJob {
  rgb: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** Resize (libvips' bilinear) to `toWidth` x `toHeight` on the way; false: `rgb` already has that size. */
  resize: boolean;
  toWidth: number;
  toHeight: number;
  paddedWidth: number;
  paddedHeight: number;
  table: Float32Array;
  order: ChannelOrder;
}

/** A message to a plane worker: rows [r0, r1) of a job. */
export interface PlaneRequest {
  id: number;
  job: PlaneJob;
  r0: number;
  r1: number;
}

/** Below this many output pixels the messages cost more than the second thread saves. */
const MIN_PIXELS = 256 * 256;

/** Jobs in flight per worker. */
const busy = new WeakMap<Worker, { jobs: number }>();

interface Pool {
  workers: Worker[];
  pending: Map<number, { resolve: (out: Float32Array) => void; reject: (error: Error) => void }>;
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
    worker.on('message', (m: { id: number; out?: Float32Array; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (--busy.get(worker)!.jobs === 0) worker.unref();
      if (m.error !== undefined) p?.reject(new Error(`image pre-processing (plane worker): ${m.error}`));
      else p?.resolve(m.out!);
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

function runInline(job: PlaneJob, out: Float32Array): Float32Array {
  const target = { out, offset: 0, stride: job.paddedWidth, plane: job.paddedWidth * job.paddedHeight, firstRow: 0 };
  if (job.resize) resizeRows(job.rgb, job.width, job.height, job.toWidth, job.toHeight, job.table, job.order, target, 0, job.toHeight);
  else bytesToPlanes(job.rgb, job.width, job.table, job.order, target, 0, job.toHeight);
  return out;
}

/** Sends rows [r0, r1) of a job to a worker; resolves with the rows' planes (3 x rows x paddedWidth). */
function post(p: Pool, worker: Worker, job: PlaneJob, r0: number, r1: number): Promise<Float32Array> {
  return new Promise<Float32Array>((resolve, reject) => {
    const id = nextId++;
    p.pending.set(id, { resolve, reject });
    if (busy.get(worker)!.jobs++ === 0) worker.ref();
    worker.postMessage({ id, job, r0, r1 } satisfies PlaneRequest);
  });
}

/**
 * The job's planes: float32, 3 x paddedHeight x paddedWidth, zero outside the image; the same values
 * however they are computed. With idle workers, each does half the rows (the main thread copies the
 * halves together); when a worker is already busy (frames of a stream in flight), the least busy one
 * does the whole image and its buffer is used as it arrives. Small images, and no workers, run inline.
 * @example const data = await fillPlanes({ rgb, width: 288, height: 224, resize: true, toWidth: 1024, toHeight: 1024, paddedWidth: 1024, paddedHeight: 1024, table, order: [0, 1, 2] });
 */
export async function fillPlanes(job: PlaneJob): Promise<Float32Array> {
  if (job.toWidth * job.toHeight < MIN_PIXELS || !planeWorkersAvailable()) return runInline(job, new Float32Array(3 * job.paddedWidth * job.paddedHeight));
  const p = (pool ??= startPool());
  const load = p.workers.map((w) => busy.get(w)!.jobs);
  try {
    if (load.some((n) => n > 0) || p.workers.length === 1) {
      // A whole image to the least busy worker: its rows are the full padded height (zero padding included).
      const worker = p.workers[load.indexOf(Math.min(...load))]!;
      const out = await post(p, worker, job, 0, job.paddedHeight);
      return out;
    }
    const bounds = p.workers.map((_, i) => Math.round((i * job.toHeight) / p.workers.length)).concat(job.toHeight);
    const parts = await Promise.all(p.workers.map((worker, i) => post(p, worker, job, bounds[i]!, bounds[i + 1]!)));
    const out = new Float32Array(3 * job.paddedWidth * job.paddedHeight);
    const plane = job.paddedWidth * job.paddedHeight;
    parts.forEach((part, i) => {
      const size = (bounds[i + 1]! - bounds[i]!) * job.paddedWidth;
      for (let c = 0; c < 3; c++) out.set(part.subarray(c * size, (c + 1) * size), c * plane + bounds[i]! * job.paddedWidth);
    });
    return out;
  } catch (error) {
    if (!broken) throw error;
    return runInline(job, new Float32Array(3 * job.paddedWidth * job.paddedHeight)); // the workers could not start (or died)
  }
}

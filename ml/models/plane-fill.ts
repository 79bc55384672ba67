/**
 * A frame's model input planes: resized (or, already sized, only normalised) by the WebAssembly kernel
 * where it is built (planes-wasm.ts),
 * lent straight from the module's memory when the caller will hand them back, else copied into a reused
 * buffer (plane-pool.ts); by the JavaScript kernel where the module is missing. The same bits either way.
 * It runs inline: on a 2-core machine the model's own threads hold both cores, so a worker thread only
 * adds its wake-up latency and its garbage collections (measured: a 1028x800 frame took 10-20 ms on two
 * plane workers, 3.5 ms inline in WebAssembly).
 */
import { takePixels } from './plane-pool.js';
import { wasmPlanes, wasmResizeInto } from './planes-wasm.js';
import { fillRows, type PlaneJob } from './planes.js';

export type { PlaneJob } from './planes.js';

/**
 * The job's planes: float32, 3 x paddedHeight x paddedWidth, zero outside the image. With `lend`, the
 * WebAssembly kernel's own memory, no copy: the caller must hand it back with `releasePixels` once the
 * model has read it (forgotten, it returns only when collected). Without, a buffer of the pool's, which
 * may also be handed back.
 * @example const data = fillPlanes({ rgb, width: 288, height: 224, resize: true, toWidth: 1024, toHeight: 796, paddedWidth: 1024, paddedHeight: 1024, table, order: [0, 1, 2] });
 */
export function fillPlanes(job: PlaneJob, lend = false): Float32Array {
  const lent = lend ? wasmPlanes(job) : undefined;
  if (lent) return lent;
  const out = takePixels(3 * job.paddedWidth * job.paddedHeight);
  if (!wasmResizeInto(job, out)) fillRows(job, out, 0, job.paddedHeight);
  return out;
}

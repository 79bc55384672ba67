/**
 * A frame's model input planes: the job (planes.ts) into a reused buffer (plane-pool.ts), resized by the
 * WebAssembly SIMD kernel where it is built (planes-wasm.ts), else by the JavaScript one, with the same
 * bits either way. It runs inline: on a 2-core machine the model's own threads hold both cores, so a
 * worker thread only adds its wake-up latency and its garbage collections (measured: a 1028x800 frame took
 * 10-20 ms on two plane workers, 3.5 ms inline in WebAssembly).
 */
import { takePixels } from './plane-pool.js';
import { wasmResizeInto } from './planes-wasm.js';
import { fillRows, type PlaneJob } from './planes.js';

export type { PlaneJob } from './planes.js';

/**
 * The job's planes: float32, 3 x paddedHeight x paddedWidth, zero outside the image. The buffer may be a
 * reused one: hand it back with `releasePixels` once the model has read it.
 * @example const data = fillPlanes({ rgb, width: 288, height: 224, resize: true, toWidth: 1024, toHeight: 796, paddedWidth: 1024, paddedHeight: 1024, table, order: [0, 1, 2] });
 */
export function fillPlanes(job: PlaneJob): Float32Array {
  const out = takePixels(3 * job.paddedWidth * job.paddedHeight);
  if (!job.resize || !wasmResizeInto(job, out)) fillRows(job, out, 0, job.paddedHeight);
  return out;
}

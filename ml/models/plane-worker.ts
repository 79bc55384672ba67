/**
 * A plane worker (plane-workers.ts): runs the kernels of planes.ts for a range of output rows and sends
 * the rows' planes back (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import { bytesToPlanes, resizeRows } from './planes.js';
import type { PlaneRequest } from './plane-workers.js';

parentPort!.on('message', (request: PlaneRequest) => {
  try {
    const { job, r0, r1 } = request;
    const rows = r1 - r0;
    const out = new Float32Array(3 * rows * job.paddedWidth);
    const target = { out, offset: 0, stride: job.paddedWidth, plane: rows * job.paddedWidth, firstRow: r0 };
    // Rows past the image (the padding of a whole padded image) stay zero.
    const end = Math.min(r1, job.toHeight);
    if (job.resize) resizeRows(job.rgb, job.width, job.height, job.toWidth, job.toHeight, job.table, job.order, target, r0, end);
    else bytesToPlanes(job.rgb, job.width, job.table, job.order, target, r0, end);
    parentPort!.postMessage({ id: request.id, out }, [out.buffer]);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});

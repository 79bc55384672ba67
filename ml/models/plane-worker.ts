/**
 * A plane worker (plane-workers.ts): fills a range of rows of a job's planes, straight into the shared
 * buffer the request names, and answers when done.
 */
import { parentPort } from 'node:worker_threads';
import { fillRows } from './planes.js';
import type { PlaneRequest } from './plane-workers.js';

parentPort!.on('message', (request: PlaneRequest) => {
  try {
    const { job, shared, r0, r1 } = request;
    fillRows(job, new Float32Array(shared, 0, 3 * job.paddedWidth * job.paddedHeight), r0, r1);
    parentPort!.postMessage({ id: request.id });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});

/**
 * sharp's thread count. Its default on glibc Linux is one thread per image (to limit memory
 * fragmentation); on this kind of 2-core machine that left a core idle under every resize: a 288x224 ->
 * 1024x796 lanczos3 resize (SmolVLM's pre-processing) took 29 ms on one thread, 16 ms on two, with the
 * same bytes. raw.ts (which every module of media/ that calls sharp imports) and ml/models/preprocess.ts
 * raise it to the cores (at most 4) when they load.
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';

let set = false;

/**
 * Raises sharp's per-image threads to the machine's cores (at most 4; never lowers a larger setting).
 * Idempotent; returns the count in use.
 * @example sharpThreads() // 2 on a 2-core machine
 */
export function sharpThreads(): number {
  if (!set) {
    set = true;
    const cores = Math.min(4, availableParallelism());
    if (sharp.concurrency() < cores) sharp.concurrency(cores);
  }
  return sharp.concurrency();
}

/**
 * Reused buffers for pre-processed pixels. A frame's model input is 12 to 17 MB of float32, and on this
 * kind of machine (a VM) touching that much fresh memory for every frame costs page faults and garbage
 * collections that together take as long as the pixel work itself. Buffers handed back with
 * `releasePixels` are reused for the next frame of the same size; a buffer never handed back is simply
 * collected, so forgetting to release is only slower, never wrong.
 * Planes made by the WebAssembly kernel live in its memory (planes-wasm.ts); `releasePixels` hands
 * those back there.
 */
import { releaseWasmPlanes } from './planes-wasm.js';

/** At most this many idle buffers of each size, and this many bytes idle in all. */
const PER_SIZE = 3;
const MAX_IDLE_BYTES = 160 * 1024 * 1024;

const idle = new Map<number, Float32Array[]>();
let idleBytes = 0;

/**
 * A float32 buffer of `length` values, reused when one is idle (its old contents remain: write every value).
 * @example const out = takePixels(3 * 1024 * 1024);
 */
export function takePixels(length: number): Float32Array {
  const list = idle.get(length);
  const reused = list?.pop();
  if (reused) {
    idleBytes -= reused.byteLength;
    return reused;
  }
  return new Float32Array(length);
}

/**
 * Hands a buffer from `takePixels` (e.g. a model input's `pixel_values.data`, once the model has run) back
 * for reuse. Anything else, or a buffer over the idle limits, is left to the garbage collector.
 * @example const out = await model(inputs); releasePixels(inputs.pixel_values.data);
 */
export function releasePixels(data: unknown): void {
  if (releaseWasmPlanes(data)) return;
  if (!(data instanceof Float32Array) || data.byteOffset !== 0 || data.length !== data.buffer.byteLength / 4 || data.buffer instanceof SharedArrayBuffer) return;
  const list = idle.get(data.length) ?? [];
  if (list.includes(data) || list.length >= PER_SIZE || idleBytes + data.byteLength > MAX_IDLE_BYTES) return;
  list.push(data);
  idle.set(data.length, list);
  idleBytes += data.byteLength;
}

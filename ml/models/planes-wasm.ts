/**
 * The WebAssembly build of the resize kernel (wasm/resize-planes.ts, compiled by `npm run build:wasm`):
 * `resizeRows` of planes.ts four output values at a time (i16 dot products over expanded input rows),
 * the same bits several times faster. Its output can be lent as it lies in the module's memory
 * (`wasmPlanes`, the model's input with no copy) or copied out (`wasmResizeInto`). The memory grows to
 * the largest frames seen and does not shrink. Without the module (wasm-load.ts), or without WebAssembly
 * SIMD, both return nothing, `resizeKernel()` says why, and the JavaScript kernel runs.
 */
import { clearPadding, resizeSampling, type PlaneJob } from './planes.js';
import { align16, kernelSwitch, WASM_PAGE, type KernelMemory } from './wasm-load.js';

interface Exports extends KernelMemory {
  resizePlanes(rgb: number, width: number, height: number, emb: number, cols: number, fracs: number, toWidth: number, rowYi: number, rowY: number, rows: number, ring: number, out: number, stride: number, plane: number, o0: number, o1: number, o2: number): void;
  bytesPlanes(rgb: number, width: number, height: number, out: number, stride: number, plane: number, o0: number, o1: number, o2: number): void;
}

const kernelModule = kernelSwitch<Exports>('resize-planes.wasm');

/**
 * Which resize kernel pre-processing uses: 'wasm-simd', or 'js' with the reason the module is not used.
 * @example resizeKernel() // { kernel: 'wasm-simd' }
 */
export function resizeKernel(): { kernel: 'wasm-simd' | 'js'; reason?: string } {
  return kernelModule.describe();
}

/**
 * Turns the WebAssembly kernel off (false) or back on (true): tests compare both kernels.
 * @example useWasmResize(false); // the JavaScript kernel from now on
 */
export function useWasmResize(on: boolean): void {
  kernelModule.use(on);
}

/** Above this many bytes of planes regions, and none in use, the regions start over. */
const MAX_REGION_BYTES = 256 * 1024 * 1024;

/**
 * A region of WebAssembly memory that holds one job's planes, handed out as a view (the model input
 * itself: no copy). A view is in use until `releaseWasmPlanes` or until it is garbage collected.
 */
interface Region {
  offset: number;
  values: number;
  busy: boolean;
  /** Bumped at each hand-out, so that a stale view's release or finalisation cannot free a later one. */
  lease: number;
}
interface Lease {
  region: Region;
  lease: number;
}

// Memory: the table at 0, the regions after it, and above them the scratch of the job being resized.
// Growing the memory detaches every view of it, so it grows only while no region is in use, and with
// room to spare so that frames in flight rarely need it to.
const TABLE_BYTES = 3 * 1024;
let regions: Region[] = [];
let top = TABLE_BYTES;
const leases = new WeakMap<Float32Array, Lease>();
const finalizer = new FinalizationRegistry<Lease>((held) => endLease(held));

function endLease({ region, lease }: Lease): void {
  if (region.lease === lease) region.busy = false;
}

/**
 * Room for a job's scratch (`scratch` bytes) and its `values` output floats: in a free region (or a new one)
 * when the view is lent, else above the scratch, for one copy out. Undefined when that would need the
 * memory grown while regions are in use.
 */
function place(wasm: Exports, scratch: number, values: number, lend: boolean): { region?: Region; scratchAt: number; output: number } | undefined {
  const inUse = regions.some((r) => r.busy);
  if (!inUse && top > MAX_REGION_BYTES) (regions = []), (top = TABLE_BYTES);
  const free = lend ? regions.find((r) => !r.busy && r.values === values) : undefined;
  const scratchAt = free || !lend ? top : align16(top + 4 * values);
  const end = scratchAt + align16(scratch) + (lend ? 0 : 4 * values);
  const size = wasm.memory.buffer.byteLength;
  if (end > size) {
    if (inUse) return undefined;
    wasm.memory.grow(Math.ceil((end + Math.max(32 << 20, 12 * values) - size) / WASM_PAGE));
  }
  if (!lend) return { scratchAt, output: scratchAt + align16(scratch) };
  const region = free ?? { offset: top, values, busy: false, lease: 0 };
  if (!free) regions.push(region), (top = scratchAt);
  return { region, scratchAt, output: region.offset };
}

/** The table at 0, plane c's entries (from source channel order[c]) at c * 1024 bytes: the kernels add plane offsets to indices. */
function writeTable(buffer: ArrayBuffer, table: Float32Array, order: PlaneJob['order']): void {
  const f32 = new Float32Array(buffer, 0, 3 * 256);
  for (let c = 0; c < 3; c++) f32.set(table.subarray(order[c]! * 256, order[c]! * 256 + 256), c * 256);
}

/** A job whose image is already sized (no resize): through the table only. */
function tableOnly(wasm: Exports, job: PlaneJob, lend: boolean): { view: Float32Array; region?: Region } | undefined {
  const { rgb, width, height, table, order, paddedWidth: pw, paddedHeight: ph } = job;
  const values = 3 * pw * ph;
  const placed = place(wasm, rgb.length, values, lend);
  if (!placed) return undefined;
  const { region, scratchAt: at, output } = placed;
  const buffer = wasm.memory.buffer;
  writeTable(buffer, table, order);
  new Uint8Array(buffer).set(rgb, at);
  wasm.bytesPlanes(at, width, height, output, pw, pw * ph, order[0], order[1], order[2]);
  const view = new Float32Array(buffer, output, values);
  clearPadding(job, view, 0, ph);
  return { view, region };
}

/** The job through the kernel: a view of its output in the module's memory (a region's when `lend`). */
function resize(job: PlaneJob, lend: boolean): { view: Float32Array; region?: Region } | undefined {
  const wasm = kernelModule.load();
  if (!wasm) return undefined;
  const { rgb, width, height, toWidth, toHeight, table, order, paddedWidth: pw, paddedHeight: ph } = job;
  if (!job.resize) return tableOnly(wasm, job, lend);
  const { cols: inputCols, fracs: inputFracs, rowYi: yis, rowY: ys } = resizeSampling(width, height, toWidth, toHeight);
  const w4 = (toWidth + 3) & ~3;
  // Scratch offsets from its start.
  const emb = align16(rgb.length);
  const cols = align16(emb + 3 * (width + 3) * (height + 3));
  const fracs = cols + 4 * w4;
  const rowYi = fracs + 4 * w4;
  const rowY = rowYi + 4 * toHeight;
  const ring = align16(rowY + 4 * toHeight);
  const values = 3 * pw * ph;
  const placed = place(wasm, ring + 2 * 3 * 4 * w4, values, lend);
  if (!placed) return undefined;
  const { region, scratchAt: at, output } = placed;
  const buffer = wasm.memory.buffer;
  const i32 = new Int32Array(buffer);
  writeTable(buffer, table, order);
  new Uint8Array(buffer).set(rgb, at);
  i32.set(inputCols, (at + cols) >> 2);
  i32.set(inputFracs, (at + fracs) >> 2);
  // Columns past the image (up to a multiple of 4) read its last column; their values are never stored.
  for (let x = toWidth; x < w4; x++) (i32[((at + cols) >> 2) + x] = inputCols[toWidth - 1]!), (i32[((at + fracs) >> 2) + x] = 0);
  i32.set(yis, (at + rowYi) >> 2);
  i32.set(ys, (at + rowY) >> 2);
  wasm.resizePlanes(at, width, height, at + emb, at + cols, at + fracs, toWidth, at + rowYi, at + rowY, toHeight, at + ring, output, pw, pw * ph, order[0], order[1], order[2]);
  const view = new Float32Array(buffer, output, values);
  // Every time: whoever had the memory last may have written over the padding.
  clearPadding(job, view, 0, ph);
  return { view, region };
}

/**
 * A job's resized planes (3 x paddedHeight x paddedWidth float32, zero padding) through the WebAssembly
 * kernel, lent as a view into the module's memory, the model's input with no copy: hand it back with
 * `releasePixels` once the model has read it (forgotten, its memory returns when the view is collected).
 * Undefined when the module is not available, or when memory would have to grow while other views are
 * lent (growing detaches them).
 * @example const planes = wasmPlanes(job); // undefined: fillRows(job, buffer, 0, job.paddedHeight) instead
 */
export function wasmPlanes(job: PlaneJob): Float32Array | undefined {
  const done = resize(job, true);
  if (!done) return undefined;
  const { view, region } = done;
  region!.busy = true;
  const lease = { region: region!, lease: ++region!.lease };
  leases.set(view, lease);
  finalizer.register(view, lease, view);
  return view;
}

/**
 * Hands back a view from `wasmPlanes`, whose region then holds the next frame's planes. True when it was
 * one (false for any other array: `releasePixels` then pools it as its own).
 * @example const out = await model(inputs); releaseWasmPlanes(inputs.pixel_values.data);
 */
export function releaseWasmPlanes(data: unknown): boolean {
  const lease = data instanceof Float32Array ? leases.get(data) : undefined;
  if (!lease) return false;
  leases.delete(data as Float32Array);
  finalizer.unregister(data as Float32Array);
  endLease(lease);
  return true;
}

/**
 * A job's resized planes through the WebAssembly kernel copied into `out` (3 planes of paddedWidth x
 * paddedHeight), the padding zero. False when the module is not available (or its memory is lent out).
 * @example if (!wasmResizeInto(job, out)) fillRows(job, out, 0, job.paddedHeight); // the JavaScript kernel
 */
export function wasmResizeInto(job: PlaneJob, out: Float32Array): boolean {
  const done = resize(job, false);
  if (!done) return false;
  out.set(done.view);
  return true;
}

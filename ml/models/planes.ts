/**
 * The pixel kernels of the pre-processing fast path (preprocess.ts): 8-bit RGB (HWC) to normalised f32
 * planes (CHW) through a per-channel table of the 256 values a byte can become, with or without libvips'
 * bilinear resize on the way. Pure functions over typed arrays, each for a range of output rows. The
 * resize also has a WebAssembly SIMD build (wasm/resize-planes.ts, planes-wasm.ts) with the same bits;
 * this one is its reference and the fallback where the module is missing.
 *
 * `resizeRows` is libvips' bilinear affine resize of 8-bit RGB, as sharp runs it for transformers.js
 * (`RawImage.resize` with resample 2: `sharp(raw).affine([w / W, 0, 0, h / H], { interpolator: 'bilinear' })`),
 * reproduced pixel for pixel. What libvips (8.18, resample/affine.c and interpolate.c) does, and this
 * mirrors:
 *  - the input is embedded with a one-pixel border on the top and left and a two-pixel border on the
 *    right and bottom, all background (black), and the transform displaced by that pixel (idx = idy = -1);
 *  - output row y samples input row iy = id * y + 1 (id = (1 / (a d)) a); along a row the input column
 *    starts at 1 and grows by ia = (1 / (a d)) d per pixel, accumulated in doubles pixel after pixel;
 *  - the interpolator is fixed-point: X = (int)(fraction of ix * 4096), likewise Y, weights
 *    c4 = (Y X) >> 12, c2 = ((4096 - Y) X) >> 12, c3 = Y - c4, c1 = 4096 - Y - c2, and each channel is
 *    (c1 p1 + c2 p2 + c3 p3 + c4 p4 + 2048) >> 12 over the 2x2 neighbourhood at ((int) ix, (int) iy).
 * The tests compare it with sharp, byte for byte, over up- and down-scales of many sizes.
 */

/** Where the planes go: `out` holds 3 planes of `plane` values, rows `stride` apart, from `offset`. */
export interface PlaneTarget {
  out: Float32Array;
  /** Index in `out` of row `firstRow`'s first value in plane 0 (so that a part of the image can be written alone). */
  offset: number;
  stride: number;
  plane: number;
  /** The first output row `out` holds (0 for a whole image). */
  firstRow: number;
}

/** The table entries of output plane c: `table[order[c] * 256 + byte]` (order [2, 1, 0] flips RGB to BGR). */
export type ChannelOrder = readonly [number, number, number];

/**
 * Rows [r0, r1) of an already sized RGB image through the table: the transformers.js passes (u8 -> f32,
 * rescale, normalise, HWC -> CHW) in one.
 * @example bytesToPlanes(rgb, 1024, table, [0, 1, 2], { out, offset: 0, stride: 1024, plane: 1024 * 1024, firstRow: 0 }, 0, 1024);
 */
export function bytesToPlanes(rgb: ArrayLike<number>, width: number, table: Float32Array, order: ChannelOrder, t: PlaneTarget, r0: number, r1: number): void {
  const { out, stride, plane } = t;
  for (let c = 0; c < 3; c++) {
    const s = order[c]!;
    const base = s * 256;
    for (let y = r0; y < r1; y++) {
      let o = t.offset + c * plane + (y - t.firstRow) * stride;
      for (let i = y * width * 3 + s, end = i + width * 3; i < end; i += 3) out[o++] = table[base + rgb[i]!]!;
    }
  }
}

/** Where libvips' bilinear resize samples: per output column and row, the embedded input index and 12-bit fraction. */
export interface ResizeSampling {
  /** The embedded input's width (the image's + 3 border pixels) and row length in bytes. */
  ew: number;
  n: number;
  /** Per output column: the embedded input column and the fraction X (0..4095). */
  cols: Int32Array;
  fracs: Int32Array;
  /** Per output row: the embedded input row and the fraction Y (0..4095). */
  rowYi: Int32Array;
  rowY: Int32Array;
}

/**
 * libvips' sampling positions for a `width` x `height` -> `toWidth` x `toHeight` bilinear resize, with its
 * doubles: the column position accumulated pixel after pixel, the row position computed per row.
 * @example resizeSampling(288, 224, 1028, 800).cols[0] // 1: output column 0 reads embedded column 1
 */
export function resizeSampling(width: number, height: number, toWidth: number, toHeight: number): ResizeSampling {
  const a = toWidth / width;
  const d = toHeight / height;
  const tmp = 1.0 / (a * d);
  const ia = tmp * d;
  const id = tmp * a;
  const ew = width + 3;
  const cols = new Int32Array(toWidth);
  const fracs = new Int32Array(toWidth);
  let ix = 1; // (ia * ox + ib * oy) - idx with ox = 0, idx = -1
  for (let x = 0; x < toWidth; x++) {
    const i = Math.trunc(ix);
    cols[x] = i;
    fracs[x] = Math.trunc((ix - i) * 4096);
    ix += ia;
  }
  const rowYi = new Int32Array(toHeight);
  const rowY = new Int32Array(toHeight);
  for (let y = 0; y < toHeight; y++) {
    const iy = -0 * 0 + id * y + 1; // (ic * ox + id * oy) - idy, summed as libvips sums it
    const yi = Math.trunc(iy);
    rowYi[y] = yi;
    rowY[y] = Math.trunc((iy - yi) * 4096);
  }
  return { ew, n: ew * 3, cols, fracs, rowYi, rowY };
}

/**
 * Output rows [r0, r1) of libvips' bilinear resize of RGB `width` x `height` to `toWidth` x `toHeight`,
 * through the table into planes (see the module comment for the arithmetic).
 * @example resizeRows(rgb, 288, 224, 1333, 1036, table, [0, 1, 2], target, 0, 1036);
 */
export function resizeRows(
  rgb: ArrayLike<number>,
  width: number,
  height: number,
  toWidth: number,
  toHeight: number,
  table: Float32Array,
  order: ChannelOrder,
  t: PlaneTarget,
  r0: number,
  r1: number,
): void {
  const { n, cols: inputCols, fracs: frac, rowYi, rowY } = resizeSampling(width, height, toWidth, toHeight);
  // The embedded input: 1 px of black above and left, 2 px below and right.
  const embedded = new Uint8Array(n * (height + 3));
  for (let y = 0; y < height; y++) {
    for (let i = y * width * 3, o = (y + 1) * n + 3, end = i + width * 3; i < end; ) embedded[o++] = rgb[i++]!;
  }
  const cols = inputCols.map((c) => c * 3);
  const [o0, o1, o2] = order;
  const b0 = o0 * 256, b1 = o1 * 256, b2 = o2 * 256;
  const { out, stride, plane } = t;
  // c1 p1 + c2 p2 + c3 p3 + c4 p4 with c1 = Yd - c2 and c3 = Y - c4 is (Yd p1 + Y p3) + c2 (p2 - p1) + c4 (p4 - p3):
  // per output row, the first term and both differences once per input column (the same integers, so
  // the same sums), then two products per channel and output pixel.
  const sum = new Int32Array(n);
  const upper = new Int32Array(n);
  const lower = new Int32Array(n);
  for (let y = r0; y < r1; y++) {
    const yi = rowYi[y]!;
    const Y = rowY[y]!;
    const Yd = 4096 - Y;
    const top = yi * n;
    const bottom = top + n;
    for (let i = 0; i < n - 3; i++) {
      const p1 = embedded[top + i]!, p3 = embedded[bottom + i]!;
      sum[i] = Yd * p1 + Y * p3 + 2048;
      upper[i] = embedded[top + i + 3]! - p1;
      lower[i] = embedded[bottom + i + 3]! - p3;
    }
    let q0 = t.offset + (y - t.firstRow) * stride;
    let q1 = q0 + plane;
    let q2 = q1 + plane;
    for (let x = 0; x < toWidth; x++) {
      const X = frac[x]!;
      const c4 = (Y * X) >> 12;
      const c2 = (Yd * X) >> 12;
      const i = cols[x]!;
      out[q0++] = table[b0 + ((sum[i + o0]! + c2 * upper[i + o0]! + c4 * lower[i + o0]!) >> 12)]!;
      out[q1++] = table[b1 + ((sum[i + o1]! + c2 * upper[i + o1]! + c4 * lower[i + o1]!) >> 12)]!;
      out[q2++] = table[b2 + ((sum[i + o2]! + c2 * upper[i + o2]! + c4 * lower[i + o2]!) >> 12)]!;
    }
  }
}

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

/**
 * Rows [r0, r1) of a job's padded planes, written in place into `out` (3 planes of paddedWidth x
 * paddedHeight), the padding included: zero right of the image and below it, whatever `out` held before.
 * @example fillRows(job, out, 0, job.paddedHeight);
 */
export function fillRows(job: PlaneJob, out: Float32Array, r0: number, r1: number): void {
  const { paddedWidth: pw, paddedHeight: ph, toWidth, toHeight } = job;
  const target = { out, offset: 0, stride: pw, plane: pw * ph, firstRow: 0 };
  const end = Math.min(r1, toHeight);
  if (r0 < end) {
    if (job.resize) resizeRows(job.rgb, job.width, job.height, toWidth, toHeight, job.table, job.order, target, r0, end);
    else bytesToPlanes(job.rgb, job.width, job.table, job.order, target, r0, end);
  }
  clearPadding(job, out, r0, r1);
}

/**
 * Zeroes the padding of rows [r0, r1) of a job's planes in `out`: right of the image, and whole rows below it.
 * @example clearPadding(job, out, 0, job.paddedHeight);
 */
export function clearPadding(job: PlaneJob, out: Float32Array, r0: number, r1: number): void {
  const { paddedWidth: pw, paddedHeight: ph, toWidth, toHeight } = job;
  const end = Math.min(r1, toHeight);
  for (let c = 0; c < 3; c++) {
    const plane = c * pw * ph;
    if (toWidth < pw) for (let y = r0; y < end; y++) out.fill(0, plane + y * pw + toWidth, plane + (y + 1) * pw);
    if (Math.max(r0, toHeight) < r1) out.fill(0, plane + Math.max(r0, toHeight) * pw, plane + r1 * pw);
  }
}

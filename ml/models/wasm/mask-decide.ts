/**
 * AssemblyScript source of the WebAssembly mask kernel (built by `npm run build:wasm` into
 * dist/ml/models/mask-decide.wasm; loaded by ../mask-wasm.ts). It is `decideMask` of ../mask-upscale.ts:
 * each frame pixel's side of the threshold from the two resizes of `post_process_masks` composed, four
 * pixels at a time in f32, with the pixels too close to call listed for the exact (ORT-arithmetic) pass.
 *
 * Memory is laid out by the caller; every pointer is a byte offset:
 *  - `src`: the low-resolution logits, `n` = `lh` x `lw` f32, readable up to a multiple of 4 past each row;
 *  - `rowAt`, `rowW`: per frame row, four taps: the byte offset of a logits row and its f32 weight;
 *  - `colAt`, `colW`: per frame column, four taps, tap-major (tap k of column x at k * w4 + x): the byte
 *    offset of a column inside `line` and its weight; columns past the frame (up to w4) have weight 0;
 *  - `line`: scratch for one frame row's vertical pass (lw f32, rounded up to 4);
 *  - `out`, `union`: oh x ow bytes, 255 where set (`union` is OR-ed into, never cleared here);
 *  - `unsure`: room for oh x ow i32 pixel indices; the count is stored at `unsureCount`.
 * A pixel is unsure when its value lies within `relative` x max|logit| + `absolute` of the threshold.
 * Returns the number of set pixels (the unsure ones not counted).
 */

export function decideMask(
  src: usize,
  n: i32,
  lw: i32,
  rowAt: usize,
  rowW: usize,
  oh: i32,
  ow: i32,
  colAt: usize,
  colW: usize,
  w4: i32,
  line: usize,
  threshold: f32,
  relative: f32,
  absolute: f32,
  out: usize,
  union: usize,
  unsure: usize,
  unsureCount: usize,
): i32 {
  const margin = relative * largest(src, n) + absolute;
  const t = f32x4.splat(threshold);
  const above = f32x4.splat(margin);
  const below = f32x4.splat(-margin);
  const lanes = i32x4(0, 1, 2, 3);
  const tapBytes = (<usize>w4) << 2;
  let area = i32x4.splat(0);
  let unsureN = 0;
  for (let y = 0; y < oh; y++) {
    // Vertical: the frame row's four weighted logits rows into `line`.
    const ry = rowAt + ((<usize>y) << 4);
    const wy = rowW + ((<usize>y) << 4);
    const r0 = src + <usize>load<i32>(ry), r1 = src + <usize>load<i32>(ry, 4), r2 = src + <usize>load<i32>(ry, 8), r3 = src + <usize>load<i32>(ry, 12);
    const w0 = f32x4.splat(load<f32>(wy)), w1 = f32x4.splat(load<f32>(wy, 4)), w2 = f32x4.splat(load<f32>(wy, 8)), w3 = f32x4.splat(load<f32>(wy, 12));
    for (let c: usize = 0; c < <usize>lw << 2; c += 16) {
      let v = f32x4.mul(w0, v128.load(r0 + c));
      v = f32x4.add(v, f32x4.mul(w1, v128.load(r1 + c)));
      v = f32x4.add(v, f32x4.mul(w2, v128.load(r2 + c)));
      v = f32x4.add(v, f32x4.mul(w3, v128.load(r3 + c)));
      v128.store(line + c, v);
    }
    // Horizontal: four taps gathered from `line` per pixel, then the threshold.
    const rowOut = <usize>(y * ow);
    for (let x = 0; x < ow; x += 4) {
      const xo = (<usize>x) << 2;
      let v = f32x4.splat(0);
      for (let k: usize = 0; k < 4; k++) {
        const at = v128.load(colAt + k * tapBytes + xo);
        let g = v128.load32_zero(line + <usize>i32x4.extract_lane(at, 0));
        g = v128.load32_lane(line + <usize>i32x4.extract_lane(at, 1), g, 1);
        g = v128.load32_lane(line + <usize>i32x4.extract_lane(at, 2), g, 2);
        g = v128.load32_lane(line + <usize>i32x4.extract_lane(at, 3), g, 3);
        v = f32x4.add(v, f32x4.mul(v128.load(colW + k * tapBytes + xo), g));
      }
      const d = f32x4.sub(v, t);
      const valid = i32x4.lt_s(i32x4.add(lanes, i32x4.splat(x)), i32x4.splat(ow));
      const set = v128.and(f32x4.gt(d, above), valid);
      // NaN is neither above nor below: unsure, as a value within the margin.
      const doubt = v128.andnot(valid, v128.or(set, f32x4.lt(d, below)));
      area = i32x4.sub(area, set);
      // The four lanes' 0 / -1 as bytes 0 / 255.
      const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(set, set), set);
      const p = out + rowOut + <usize>x;
      const u = union + rowOut + <usize>x;
      if (x + 4 <= ow) {
        v128.store32_lane(p, bytes, 0);
        v128.store32_lane(u, v128.or(v128.load32_zero(u), bytes), 0);
      } else {
        const n = ow - x;
        tailByte(p, u, <u8>i8x16.extract_lane_u(bytes, 0));
        if (n > 1) tailByte(p + 1, u + 1, <u8>i8x16.extract_lane_u(bytes, 1));
        if (n > 2) tailByte(p + 2, u + 2, <u8>i8x16.extract_lane_u(bytes, 2));
      }
      if (v128.any_true(doubt)) {
        const i = y * ow + x;
        if (i32x4.extract_lane(doubt, 0) != 0) store<i32>(unsure + ((<usize>(unsureN++)) << 2), i);
        if (i32x4.extract_lane(doubt, 1) != 0) store<i32>(unsure + ((<usize>(unsureN++)) << 2), i + 1);
        if (i32x4.extract_lane(doubt, 2) != 0) store<i32>(unsure + ((<usize>(unsureN++)) << 2), i + 2);
        if (i32x4.extract_lane(doubt, 3) != 0) store<i32>(unsure + ((<usize>(unsureN++)) << 2), i + 3);
      }
    }
  }
  store<i32>(unsureCount, unsureN);
  return i32x4.extract_lane(area, 0) + i32x4.extract_lane(area, 1) + i32x4.extract_lane(area, 2) + i32x4.extract_lane(area, 3);
}

/** One pixel of a row's last, partial group: its byte, and OR-ed into the union. */
function tailByte(p: usize, u: usize, b: u8): void {
  store<u8>(p, b);
  store<u8>(u, load<u8>(u) | b);
}

/** The largest |value| of `n` f32 at `src` (NaN ignored, as JavaScript's `a > largest` does). */
function largest(src: usize, n: i32): f32 {
  let m = f32x4.splat(0);
  const end = src + ((<usize>n) << 2);
  let p = src;
  // pmax(m, a) is a when m < a, else m: a NaN lane leaves m as it was.
  for (; p + 16 <= end; p += 16) m = f32x4.pmax(m, f32x4.abs(v128.load(p)));
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; p < end; p += 4) {
    const a = abs(load<f32>(p));
    if (a > r) r = a;
  }
  return r;
}

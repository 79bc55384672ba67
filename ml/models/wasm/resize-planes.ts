/**
 * AssemblyScript source of the WebAssembly pre-processing kernel (built by `npm run build:wasm` into
 * dist/ml/models/resize-planes.wasm; loaded by ../planes-wasm.ts). It is `resizeRows` of ../planes.ts —
 * libvips' fixed-point bilinear resize of 8-bit RGB fused with the byte -> f32 table — with the three
 * channels of a pixel in one SIMD vector: the same integers, so the same bits, about three times faster
 * than the JavaScript loop.
 *
 * Memory is laid out by the caller (planes-wasm.ts); every pointer is a byte offset:
 *  - `emb`: the input embedded in its border (1 px of black above and left, 2 px below and right), rows `n` bytes apart;
 *  - `cols`, `fracs`: per output column, the byte offset of its input column in `cache` (column * 48) and
 *    its 12-bit fraction X;
 *  - `rowYi`, `rowY`: per output row, its embedded input row and 12-bit fraction Y;
 *  - `cache`: scratch, 48 bytes per input column: [S0 S1 S2 _] [U0 U1 U2 _] [L0 L1 L2 _] (i32), where for
 *    output plane c (source channel `o_c`) S = (4096 - Y) p1 + Y p3 + 2048, U = p2 - p1, L = p4 - p3;
 *  - `table`: 3 x 256 f32, plane c's values at c * 256 (already in output order);
 *  - `out`: 3 planes of `plane` f32, rows `stride` values apart.
 * Each value is table[c][(S + c2 U + c4 L) >> 12] with c2 = ((4096 - Y) X) >> 12 and c4 = (Y X) >> 12,
 * which is libvips' c1 p1 + c2 p2 + c3 p3 + c4 p4 (c1 = 4096 - Y - c2, c3 = Y - c4) rearranged.
 */

/** Rows `rows` of the output (rowYi / rowY hold them in order), written from `out`. */
export function resizeRows(
  emb: usize,
  n: i32,
  ew: i32,
  cols: usize,
  fracs: usize,
  toWidth: i32,
  rowYi: usize,
  rowY: usize,
  rows: i32,
  cache: usize,
  o0: i32,
  o1: i32,
  o2: i32,
  table: usize,
  out: usize,
  stride: i32,
  plane: i32,
): void {
  const plane4: usize = (<usize>plane) << 2;
  const plane8: usize = plane4 << 1;
  const last = ew - 1;
  for (let r = 0; r < rows; r++) {
    const yi = load<i32>(rowYi + ((<usize>r) << 2));
    const Y = load<i32>(rowY + ((<usize>r) << 2));
    const Yd = 4096 - Y;
    const top = emb + <usize>(yi * n);
    const bottom = top + <usize>n;
    for (let j = 0; j < last; j++) {
      const k = <usize>(j * 3);
      const dst = cache + <usize>(j * 48);
      let p1 = <i32>load<u8>(top + k + o0);
      let p3 = <i32>load<u8>(bottom + k + o0);
      store<i32>(dst, Yd * p1 + Y * p3 + 2048);
      store<i32>(dst, <i32>load<u8>(top + k + 3 + o0) - p1, 16);
      store<i32>(dst, <i32>load<u8>(bottom + k + 3 + o0) - p3, 32);
      p1 = <i32>load<u8>(top + k + o1);
      p3 = <i32>load<u8>(bottom + k + o1);
      store<i32>(dst, Yd * p1 + Y * p3 + 2048, 4);
      store<i32>(dst, <i32>load<u8>(top + k + 3 + o1) - p1, 20);
      store<i32>(dst, <i32>load<u8>(bottom + k + 3 + o1) - p3, 36);
      p1 = <i32>load<u8>(top + k + o2);
      p3 = <i32>load<u8>(bottom + k + o2);
      store<i32>(dst, Yd * p1 + Y * p3 + 2048, 8);
      store<i32>(dst, <i32>load<u8>(top + k + 3 + o2) - p1, 24);
      store<i32>(dst, <i32>load<u8>(bottom + k + 3 + o2) - p3, 40);
    }
    let q = out + ((<usize>(r * stride)) << 2);
    for (let x = 0; x < toWidth; x++) {
      const xo = (<usize>x) << 2;
      const X = load<i32>(fracs + xo);
      const i = cache + <usize>load<i32>(cols + xo);
      const c4 = (Y * X) >> 12;
      const c2 = (Yd * X) >> 12;
      const v = i32x4.shr_s(i32x4.add(i32x4.add(v128.load(i), i32x4.mul(v128.load(i, 16), i32x4.splat(c2))), i32x4.mul(v128.load(i, 32), i32x4.splat(c4))), 12);
      store<f32>(q, load<f32>(table + ((<usize>i32x4.extract_lane(v, 0)) << 2)));
      store<f32>(q + plane4, load<f32>(table + 1024 + ((<usize>i32x4.extract_lane(v, 1)) << 2)));
      store<f32>(q + plane8, load<f32>(table + 2048 + ((<usize>i32x4.extract_lane(v, 2)) << 2)));
      q += 4;
    }
  }
}

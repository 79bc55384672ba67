/**
 * AssemblyScript source of the WebAssembly pre-processing kernel (built by `npm run build:wasm` into
 * dist/ml/models/resize-planes.wasm; loaded by ../planes-wasm.ts). It is `resizeRows` of ../planes.ts —
 * libvips' fixed-point bilinear resize of 8-bit RGB fused with the byte -> f32 table — four output values
 * of one plane at a time: the same integers, so the same bits, several times faster than the JavaScript loop.
 *
 * Memory is laid out by the caller (planes-wasm.ts); every pointer is a byte offset:
 *  - at 0, the table: 3 x 256 f32, plane c's values at c * 1024 (already in output order);
 *  - `rgb`: the input, HWC bytes;
 *  - `emb`: scratch for the input as 3 byte planes (plane c = source channel `o_c`), each embedded in its
 *    border (1 px of black above and left, 2 px below and right), rows `width + 3` bytes apart;
 *  - `cols`, `fracs`: per output column (a multiple of 4 of them), its embedded input column and 12-bit
 *    fraction X;
 *  - `rowYi`, `rowY`: per output row, its embedded input row and 12-bit fraction Y;
 *  - `ring`: scratch for two expanded input rows (see below), 2 x 3 x 4 bytes per output column;
 *  - `out`: 3 planes of `plane` f32, rows `stride` values apart; only the `toWidth` x `rows` image is written.
 *
 * An input row is expanded once, for every output column x, into the i16 pair (p[col x], p[col x + 1]).
 * An output value is then two i16 dot products, (c1, c2) . top pair + (c3, c4) . bottom pair, plus 2048,
 * shifted by 12: libvips' c1 p1 + c2 p2 + c3 p3 + c4 p4 with its weights c2 = ((4096 - Y) X) >> 12,
 * c4 = (Y X) >> 12, c1 = 4096 - Y - c2, c3 = Y - c4.
 */

/** Output rows [0, rows) of the resize, written from `out` (rowYi / rowY hold them in order). */
export function resizePlanes(
  rgb: usize,
  width: i32,
  height: i32,
  emb: usize,
  cols: usize,
  fracs: usize,
  toWidth: i32,
  rowYi: usize,
  rowY: usize,
  rows: i32,
  ring: usize,
  out: usize,
  stride: i32,
  plane: i32,
  o0: i32,
  o1: i32,
  o2: i32,
): void {
  const ew = width + 3;
  const eplane = <usize>(ew * (height + 3));
  embed(rgb, width, height, emb, ew, eplane, o0, o1, o2);
  const w4 = (toWidth + 3) & ~3;
  const channelBytes = (<usize>w4) << 2;
  const slotBytes = channelBytes * 3;
  const plane4 = (<usize>plane) << 2;
  // Input row k lives in slot k & 1, so the two rows an output row reads are never in the same slot.
  let held0 = -1;
  let held1 = -1;
  for (let r = 0; r < rows; r++) {
    const yi = load<i32>(rowYi + ((<usize>r) << 2));
    const Y = load<i32>(rowY + ((<usize>r) << 2));
    for (let k = yi; k <= yi + 1; k++) {
      if ((k & 1) == 0 ? held0 == k : held1 == k) continue;
      expandRow(emb + <usize>(k * ew), eplane, cols, w4, ring + ((<usize>(k & 1)) * slotBytes), channelBytes);
      if ((k & 1) == 0) held0 = k;
      else held1 = k;
    }
    const top = ring + ((<usize>(yi & 1)) * slotBytes);
    const bottom = ring + ((<usize>((yi + 1) & 1)) * slotBytes);
    const vY = i32x4.splat(Y);
    const vYd = i32x4.splat(4096 - Y);
    const half = i32x4.splat(2048);
    const rowOut = out + ((<usize>(r * stride)) << 2);
    for (let x = 0; x < toWidth; x += 4) {
      const xo = (<usize>x) << 2;
      const X = v128.load(fracs + xo);
      const c2 = i32x4.shr_s(i32x4.mul(vYd, X), 12);
      const c4 = i32x4.shr_s(i32x4.mul(vY, X), 12);
      const upper = v128.or(i32x4.sub(vYd, c2), i32x4.shl(c2, 16)); // (c1, c2) as i16 pairs
      const lower = v128.or(i32x4.sub(vY, c4), i32x4.shl(c4, 16)); // (c3, c4)
      const full = x + 4 <= toWidth;
      for (let c = 0; c < 3; c++) {
        const co = (<usize>c) * channelBytes + xo;
        const sum = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(top + co), upper), i32x4.dot_i16x8_s(v128.load(bottom + co), lower)), half);
        // Byte offsets of the four values' table entries: (sum >> 12) * 4 + c * 1024.
        const at = i32x4.add(i32x4.shl(i32x4.shr_s(sum, 12), 2), i32x4.splat(c << 10));
        let v = v128.load32_zero(<usize>i32x4.extract_lane(at, 0));
        v = v128.load32_lane(<usize>i32x4.extract_lane(at, 1), v, 1);
        v = v128.load32_lane(<usize>i32x4.extract_lane(at, 2), v, 2);
        v = v128.load32_lane(<usize>i32x4.extract_lane(at, 3), v, 3);
        const dst = rowOut + (<usize>c) * plane4 + xo;
        if (full) v128.store(dst, v);
        else storeTail(dst, v, toWidth - x);
      }
    }
  }
}

/** The input's channels into bordered byte planes (plane c from source channel o_c), borders black. */
function embed(rgb: usize, width: i32, height: i32, emb: usize, ew: i32, eplane: usize, o0: i32, o1: i32, o2: i32): void {
  memory.fill(emb, 0, eplane * 3);
  for (let y = 0; y < height; y++) {
    let s = rgb + <usize>(y * width * 3);
    const d = emb + <usize>((y + 1) * ew + 1);
    for (let x: usize = 0; x < <usize>width; x++) {
      store<u8>(d + x, load<u8>(s + o0));
      store<u8>(d + eplane + x, load<u8>(s + o1));
      store<u8>(d + (eplane << 1) + x, load<u8>(s + o2));
      s += 3;
    }
  }
}

/** One embedded input row (`row` points at its plane-0 bytes) as i16 pairs (p[col], p[col + 1]) per output column and plane. */
function expandRow(row: usize, eplane: usize, cols: usize, w4: i32, slot: usize, channelBytes: usize): void {
  const zero = i32x4.splat(0);
  for (let x = 0; x < w4; x += 4) {
    const xo = (<usize>x) << 2;
    const a = <usize>load<i32>(cols + xo);
    const b = <usize>load<i32>(cols + xo, 4);
    const c = <usize>load<i32>(cols + xo, 8);
    const d = <usize>load<i32>(cols + xo, 12);
    for (let ch: usize = 0; ch < 3; ch++) {
      const p = row + ch * eplane;
      // Two adjacent bytes per column, then each byte widened to an i16 lane.
      let v = v128.load16_lane(p + a, zero, 0);
      v = v128.load16_lane(p + b, v, 1);
      v = v128.load16_lane(p + c, v, 2);
      v = v128.load16_lane(p + d, v, 3);
      v128.store(slot + ch * channelBytes + xo, i8x16.shuffle(v, zero, 0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16));
    }
  }
}

/** The first `n` (1 to 3) lanes of `v` at `dst`: the last values of a row whose width is not a multiple of 4. */
function storeTail(dst: usize, v: v128, n: i32): void {
  store<f32>(dst, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
}

/**
 * An already sized RGB image (HWC bytes at `rgb`, `width` x `height`) through the table into 3 planes at
 * `out` (rows `stride` values apart, planes `plane` values apart): `bytesToPlanes` of ../planes.ts, plane c
 * from source channel o_c.
 */
export function bytesPlanes(rgb: usize, width: i32, height: i32, out: usize, stride: i32, plane: i32, o0: i32, o1: i32, o2: i32): void {
  const plane4 = (<usize>plane) << 2;
  for (let y = 0; y < height; y++) {
    let s = rgb + <usize>(y * width * 3);
    let d = out + ((<usize>(y * stride)) << 2);
    for (let x = 0; x < width; x++) {
      store<f32>(d, load<f32>((<usize>load<u8>(s + <usize>o0)) << 2));
      store<f32>(d + plane4, load<f32>(1024 + ((<usize>load<u8>(s + <usize>o1)) << 2)));
      store<f32>(d + (plane4 << 1), load<f32>(2048 + ((<usize>load<u8>(s + <usize>o2)) << 2)));
      s += 3;
      d += 4;
    }
  }
}

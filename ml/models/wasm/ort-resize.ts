/**
 * AssemblyScript source of the WebAssembly build of ../ort-resize.ts' `resizePlanes` (ONNX Runtime's
 * bilinear Resize of f32 planes), built by `npm run build:wasm` into dist/ml/models/ort-resize.wasm and
 * loaded by ../ort-resize-wasm.ts. WebAssembly's f32 multiply and add are IEEE single operations, so the
 * four products summed in mix's order give the bits the `Math.fround` emulation gives.
 *
 * Memory is laid out by the caller; every pointer is a byte offset:
 *  - `src`: `channels` planes, `srcPlane` bytes apart;
 *  - per output row: `rowA`, `rowB` (i32: byte offsets of the two input rows read, from a plane's start)
 *    and `rowD1`, `rowD2` (f32: their ORT weights d1, d2);
 *  - per output column, a multiple of 4 of them: `colA`, `colB` (i32: byte offsets of the two input
 *    columns) and `colD1`, `colD2`; `colRun` per group of four columns: 1 when both of its column lists
 *    are four consecutive columns (then read with one load each), else 0;
 *  - `out`: `channels` planes `outPlane` bytes apart, rows `outRow` bytes apart; `cols` values a row.
 */
export function resizeRect(
  src: usize,
  srcPlane: usize,
  channels: i32,
  rowA: usize,
  rowB: usize,
  rowD1: usize,
  rowD2: usize,
  rows: i32,
  colA: usize,
  colB: usize,
  colD1: usize,
  colD2: usize,
  colRun: usize,
  cols: i32,
  out: usize,
  outPlane: usize,
  outRow: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const ro = (<usize>r) << 2;
    const ya = src + <usize>load<i32>(rowA + ro);
    const yb = src + <usize>load<i32>(rowB + ro);
    const dy1 = f32x4.splat(load<f32>(rowD1 + ro));
    const dy2 = f32x4.splat(load<f32>(rowD2 + ro));
    const rowOut = out + (<usize>r) * outRow;
    for (let x = 0; x < cols; x += 4) {
      const xo = (<usize>x) << 2;
      const dx1 = v128.load(colD1 + xo);
      const dx2 = v128.load(colD2 + xo);
      const w11 = f32x4.mul(dx2, dy2);
      const w21 = f32x4.mul(dx1, dy2);
      const w12 = f32x4.mul(dx2, dy1);
      const w22 = f32x4.mul(dx1, dy1);
      const ia = v128.load(colA + xo);
      const ib = v128.load(colB + xo);
      const run = load<i32>(colRun + (xo >> 2)) != 0;
      for (let c = 0; c < channels; c++) {
        const plane = (<usize>c) * srcPlane;
        let x11: v128, x21: v128, x12: v128, x22: v128;
        if (run) {
          const a = <usize>i32x4.extract_lane(ia, 0) + plane;
          const b = <usize>i32x4.extract_lane(ib, 0) + plane;
          x11 = v128.load(ya + a);
          x21 = v128.load(ya + b);
          x12 = v128.load(yb + a);
          x22 = v128.load(yb + b);
        } else {
          x11 = gather(ya + plane, ia);
          x21 = gather(ya + plane, ib);
          x12 = gather(yb + plane, ia);
          x22 = gather(yb + plane, ib);
        }
        const v = f32x4.add(f32x4.add(f32x4.add(f32x4.mul(w11, x11), f32x4.mul(w21, x21)), f32x4.mul(w12, x12)), f32x4.mul(w22, x22));
        const dst = rowOut + (<usize>c) * outPlane + xo;
        const n = cols - x;
        if (n >= 4) v128.store(dst, v);
        else {
          store<f32>(dst, f32x4.extract_lane(v, 0));
          if (n > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
          if (n > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
        }
      }
    }
  }
}

/** Four f32 at `base` + each lane's byte offset. */
// @ts-ignore: decorator
@inline
function gather(base: usize, at: v128): v128 {
  let v = v128.load32_zero(base + <usize>i32x4.extract_lane(at, 0));
  v = v128.load32_lane(base + <usize>i32x4.extract_lane(at, 1), v, 1);
  v = v128.load32_lane(base + <usize>i32x4.extract_lane(at, 2), v, 2);
  return v128.load32_lane(base + <usize>i32x4.extract_lane(at, 3), v, 3);
}

/** `rows` rows of `rowBytes` from each of `channels` planes (strides in bytes) into another layout. */
export function copyRect(src: usize, srcPlane: usize, srcRow: usize, dst: usize, dstPlane: usize, dstRow: usize, channels: i32, rows: i32, rowBytes: usize): void {
  for (let c = 0; c < channels; c++) {
    for (let r = 0; r < rows; r++) memory.copy(dst + (<usize>c) * dstPlane + (<usize>r) * dstRow, src + (<usize>c) * srcPlane + (<usize>r) * srcRow, rowBytes);
  }
}

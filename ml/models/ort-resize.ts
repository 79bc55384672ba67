/**
 * ONNX Runtime's bilinear Resize (the `interpolate_4d` op transformers.js runs for SAM's mask
 * post-processing and Idefics3's tiling): `SetupUpsampleBilinear` and its NCHW kernel, half-pixel
 * coordinates, f32 weights, the four products summed in its order, emulated with `Math.fround`. The tests
 * compare it with ORT bit for bit (mask-upscale and fast-preprocess tests).
 */

/** One axis of ORT's linear Resize: for each output index, the two input indices and their weights. */
export interface Axis {
  i1: Int32Array;
  i2: Int32Array;
  d1: Float32Array;
  d2: Float32Array;
}

const f = Math.fround;

/**
 * ORT's `SetupUpsampleBilinear` along one axis (half_pixel coordinates, scale = out / in as f32).
 * @example resizeAxis(256, 1024).i1[5] // 0: output 5 reads input 0 and 1
 */
export function resizeAxis(inSize: number, outSize: number): Axis {
  const scale = f(outSize / inSize);
  const a: Axis = { i1: new Int32Array(outSize), i2: new Int32Array(outSize), d1: new Float32Array(outSize), d2: new Float32Array(outSize) };
  for (let x = 0; x < outSize; x++) {
    let v = scale === 1 ? x : f(f(f(x + 0.5) / scale) - 0.5);
    v = Math.max(0, Math.min(v, inSize - 1));
    const i1 = Math.min(Math.trunc(v), inSize - 1);
    const i2 = Math.min(i1 + 1, inSize - 1);
    a.i1[x] = i1;
    a.i2[x] = i2;
    if (i1 === i2) {
      a.d1[x] = 0.5;
      a.d2[x] = 0.5;
    } else {
      a.d1[x] = Math.abs(v - i1);
      a.d2[x] = Math.abs(v - i2);
    }
  }
  return a;
}

/**
 * ORT's bilinear value from four neighbours: dx2*dy2*X11 + dx1*dy2*X21 + dx2*dy1*X12 + dx1*dy1*X22, in f32.
 * @example mix(0, 1, 0, 1, 0.25, 0.75, 0.5, 0.5) // 0.25
 */
export function mix(x11: number, x21: number, x12: number, x22: number, dx1: number, dx2: number, dy1: number, dy2: number): number {
  return f(f(f(f(f(dx2 * dy2) * x11) + f(f(dx1 * dy2) * x21)) + f(f(dx2 * dy1) * x12)) + f(f(dx1 * dy1) * x22));
}

/**
 * Resizes `channels` planes of `height` x `width` f32 values to `toHeight` x `toWidth` as ORT's bilinear
 * Resize does, into `out` from `offset` (a new array by default).
 * @example resizePlanes(pixels, 3, 796, 1024, 1024, 1024) // float32 3 x 1024 x 1024
 */
export function resizePlanes(src: Float32Array, channels: number, height: number, width: number, toHeight: number, toWidth: number, out: Float32Array = new Float32Array(channels * toHeight * toWidth), offset = 0): Float32Array {
  const ry = resizeAxis(height, toHeight);
  const rx = resizeAxis(width, toWidth);
  const inPlane = height * width;
  const outPlane = toHeight * toWidth;
  // The four weights of a pixel (mix's products of the axis weights) are the same for every channel:
  // computed once per pixel, then the channels' sums in mix's order.
  for (let y = 0; y < toHeight; y++) {
    const y1 = ry.i1[y]! * width, y2 = ry.i2[y]! * width, dy1 = ry.d1[y]!, dy2 = ry.d2[y]!;
    let o = offset + y * toWidth;
    for (let x = 0; x < toWidth; x++, o++) {
      const dx1 = rx.d1[x]!, dx2 = rx.d2[x]!;
      const w11 = f(dx2 * dy2), w21 = f(dx1 * dy2), w12 = f(dx2 * dy1), w22 = f(dx1 * dy1);
      const a = y1 + rx.i1[x]!, b = y1 + rx.i2[x]!, c = y2 + rx.i1[x]!, d = y2 + rx.i2[x]!;
      for (let ch = 0, i = 0; ch < channels; ch++, i += inPlane) {
        out[o + ch * outPlane] = f(f(f(f(w11 * src[a + i]!) + f(w21 * src[b + i]!)) + f(w12 * src[c + i]!)) + f(w22 * src[d + i]!));
      }
    }
  }
  return out;
}

/** Pixels <-> the VAE's float tensors: 8-bit interleaved RGB to float32 [1, 3, H, W] in [-1, 1] and back. */

/** The image shape this module reads and writes (structurally the engine's IMAGE value). */
export interface VaeImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

/**
 * RGB(A) pixels to a float32 CHW array in [-1, 1] (v / 127.5 - 1); alpha is dropped, grey is repeated.
 * @example const chw = imageToTensor(img); // length 3 * img.height * img.width
 */
export function imageToTensor(img: VaeImage): Float32Array {
  const { width, height, channels, data } = img;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const src = channels >= 3 ? c : 0;
      out[c * plane + i] = data[i * channels + src]! / 127.5 - 1;
    }
  }
  return out;
}

/**
 * A float32 CHW array in [-1, 1] to 8-bit RGB, rounded and clamped.
 * @example const img = tensorToImage(decoded, 64, 64);
 */
export function tensorToImage(chw: Float32Array, width: number, height: number): VaeImage {
  const plane = width * height;
  if (chw.length !== 3 * plane) throw new Error(`VAE output has ${chw.length} values; 3x${height}x${width} needs ${3 * plane}`);
  const data = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.round((chw[c * plane + i]! + 1) * 127.5);
      data[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, channels: 3, data };
}

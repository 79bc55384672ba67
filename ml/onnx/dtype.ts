/**
 * Element types of the builder's tensors: their ONNX codes, typed arrays and sizes, and the float16 and
 * bfloat16 conversions used for weight storage.
 */

/** An element type, named as onnxruntime-node names it. */
export type DType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string';

/** The typed array that holds values of a dtype in the builder (float16/bfloat16 are held as raw 16-bit words). */
export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Readonly<Record<DType, number>> = Object.freeze({
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13, bfloat16: 16,
});

const BY_CODE = new Map<number, DType>(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k as DType]));

/**
 * The dtype of an ONNX DataType code.
 * @example dtypeFromOnnx(1) // 'float32'
 */
export function dtypeFromOnnx(code: number): DType {
  const d = BY_CODE.get(code);
  if (!d) throw new Error(`unsupported ONNX data type code ${code}`);
  return d;
}

/** Bytes per element (bool is one byte; string has no fixed size and gives 0). */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2,
  int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1, string: 0,
});

/** True for the floating-point dtypes. */
export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float16' || d === 'bfloat16' || d === 'float64';
}

/**
 * Accepts a dtype name or an ONNX code (as the `to` attribute of Cast carries it) and returns the name.
 * @example toDType(7) // 'int64'
 */
export function toDType(v: DType | number): DType {
  return typeof v === 'number' ? dtypeFromOnnx(v) : v;
}

/**
 * The little-endian bytes of a typed array (a view, no copy).
 * @example bytesOf(new Float32Array([1])).length // 4
 */
export function bytesOf(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * float32 -> IEEE float16 bits, rounding to nearest even.
 * @example toFloat16(new Float32Array([1]))[0] // 0x3c00
 */
export function toFloat16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    f32[0] = src[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) { out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); continue; }
    const e = exp - 127 + 15;
    if (e >= 0x1f) { out[i] = sign | 0x7c00; continue; }
    if (e <= 0) {
      if (e < -10) { out[i] = sign; continue; }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rem > mid || (rem === mid && (half & 1))) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
    out[i] = sign | half; // a carry into the exponent is the correct rounding (up to infinity)
  }
  return out;
}

/**
 * IEEE float16 bits -> float32.
 * @example fromFloat16(new Uint16Array([0x3c00]))[0] // 1
 */
export function fromFloat16(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 0x1f ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/**
 * float32 -> bfloat16 bits (the upper half of the float32, rounded to nearest even).
 * @example toBFloat16(new Float32Array([1]))[0] // 0x3f80
 */
export function toBFloat16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    f32[0] = src[i];
    const x = u32[0];
    if ((x & 0x7fffffff) > 0x7f800000) { out[i] = (x >>> 16) | 0x40; continue; } // keep NaN a NaN
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

/**
 * bfloat16 bits -> float32.
 * @example fromBFloat16(new Uint16Array([0x3f80]))[0] // 1
 */
export function fromBFloat16(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const w = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) w[i] = src[i] << 16;
  return out;
}

/**
 * A typed array for `n` values of a dtype, filled from JS numbers (float16/bfloat16 are converted).
 * @example typedArrayFrom('int64', [1, -1]) // BigInt64Array [1n, -1n]
 */
export function typedArrayFrom(dtype: DType, values: ArrayLike<number> | ArrayLike<bigint>): TypedArray {
  const nums = Array.from(values as ArrayLike<number | bigint>);
  switch (dtype) {
    case 'float32': return Float32Array.from(nums, Number);
    case 'float64': return Float64Array.from(nums, Number);
    case 'float16': return toFloat16(Float32Array.from(nums, Number));
    case 'bfloat16': return toBFloat16(Float32Array.from(nums, Number));
    case 'int8': return Int8Array.from(nums, Number);
    case 'uint8': case 'bool': return Uint8Array.from(nums, (v) => (dtype === 'bool' ? (v ? 1 : 0) : Number(v)));
    case 'int16': return Int16Array.from(nums, Number);
    case 'uint16': return Uint16Array.from(nums, Number);
    case 'int32': return Int32Array.from(nums, Number);
    case 'uint32': return Uint32Array.from(nums, Number);
    case 'int64': return BigInt64Array.from(nums, (v) => BigInt(v));
    case 'uint64': return BigUint64Array.from(nums, (v) => BigInt(v));
    default: throw new Error(`cannot build a typed array of dtype ${dtype}`);
  }
}

/** The JS numbers of a typed array (int64 converted with Number). */
export function toNumbers(a: TypedArray): number[] {
  return Array.from(a as ArrayLike<number | bigint>, Number);
}

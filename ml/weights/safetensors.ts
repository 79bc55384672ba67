/**
 * safetensors: an 8-byte little-endian header length, a JSON header ({name: {dtype, shape, data_offsets}},
 * plus an optional "__metadata__" map of strings), then the tensors' little-endian bytes. Reads and writes
 * F32, F16 and BF16; values come back as float32.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromBFloat16, fromFloat16, toBFloat16, toFloat16 } from '../onnx/index.js';

/** The stored element types this module reads and writes. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const MAX_HEADER = 100 * 2 ** 20;
const LITTLE = os.endianness() === 'LE';

/** One tensor: values as float32, its shape, and the dtype it is (or is to be) stored as. */
export interface StoredTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly dtype?: SafetensorsDtype;
}

/** The contents of a safetensors file. */
export interface SafetensorsFile {
  readonly tensors: Map<string, StoredTensor & { dtype: SafetensorsDtype }>;
  readonly metadata: Record<string, string>;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function copyBytes(bytes: Uint8Array, start: number, end: number): ArrayBuffer {
  const buf = new ArrayBuffer(end - start);
  new Uint8Array(buf).set(bytes.subarray(start, end));
  return buf;
}

function decode(dtype: SafetensorsDtype, bytes: Uint8Array, start: number, end: number): Float32Array {
  const buf = copyBytes(bytes, start, end);
  if (!LITTLE) {
    const view = new DataView(buf);
    const n = (end - start) / BYTES[dtype];
    if (dtype === 'F32') return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
    const bits = Uint16Array.from({ length: n }, (_, i) => view.getUint16(i * 2, true));
    return dtype === 'F16' ? fromFloat16(bits) : fromBFloat16(bits);
  }
  if (dtype === 'F32') return new Float32Array(buf);
  return dtype === 'F16' ? fromFloat16(new Uint16Array(buf)) : fromBFloat16(new Uint16Array(buf));
}

function encode(dtype: SafetensorsDtype, data: Float32Array): Uint8Array {
  const typed = dtype === 'F32' ? data : dtype === 'F16' ? toFloat16(data) : toBFloat16(data);
  const out = new Uint8Array(typed.byteLength);
  if (LITTLE) {
    out.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  if (typed instanceof Float32Array) typed.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else (typed as Uint16Array).forEach((v, i) => view.setUint16(i * 2, v, true));
  return out;
}

/**
 * Parses safetensors bytes. `source` names the file in messages.
 * @example const { tensors } = parseSafetensors(bytes); tensors.get('txt_in.weight')?.shape
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors bytes'): SafetensorsFile {
  if (bytes.length < 8) throw new Error(`${source}: ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > bytes.length) {
    throw new Error(`${source}: header length ${headerLen} does not fit the ${bytes.length}-byte file`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${source}: the header is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, StoredTensor & { dtype: SafetensorsDtype }>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = { ...(raw as Record<string, string>) }; continue; }
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: number[] };
    const dtype = info.dtype as SafetensorsDtype;
    if (!(dtype in BYTES)) throw new Error(`${source}: tensor '${name}' has dtype ${String(info.dtype)}; supported: F32, F16, BF16`);
    const shape = info.shape;
    const offs = info.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${source}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !(offs[0] <= offs[1]) || offs[1] > dataLen) {
      throw new Error(`${source}: tensor '${name}' has data_offsets ${JSON.stringify(offs)} outside the ${dataLen} data bytes`);
    }
    const need = numel(shape) * BYTES[dtype];
    if (offs[1] - offs[0] !== need) throw new Error(`${source}: tensor '${name}' ${dtype}[${shape.join(',')}] needs ${need} bytes, its offsets span ${offs[1] - offs[0]}`);
    tensors.set(name, { dtype, shape: [...shape], data: decode(dtype, bytes, dataStart + offs[0], dataStart + offs[1]) });
  }
  return { tensors, metadata };
}

/**
 * Reads a safetensors file.
 * @example const { tensors, metadata } = await readSafetensors('/models/dit.safetensors');
 */
export async function readSafetensors(file: string): Promise<SafetensorsFile> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new Error(`cannot read safetensors file ${file}: ${(e as Error).message}`);
  }
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

/** Tensors to write: by name, in a Map (kept order) or a record. */
export type TensorSet = Map<string, StoredTensor> | Record<string, StoredTensor>;

/**
 * Encodes tensors as safetensors bytes; each is stored as its `dtype` (default `dtype`, default F32).
 * @example const bytes = encodeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } }, { dtype: 'BF16' });
 */
export function encodeSafetensors(tensors: TensorSet, options: { dtype?: SafetensorsDtype; metadata?: Record<string, string> } = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new Error('safetensors: a tensor cannot be named __metadata__');
    if (t.data.length !== numel(t.shape)) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(',')}]`);
    const dtype = t.dtype ?? options.dtype ?? 'F32';
    if (!(dtype in BYTES)) throw new Error(`safetensors: tensor '${name}': unsupported dtype ${String(dtype)}`);
    const blob = encode(dtype, t.data);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + blob.length] };
    blobs.push(blob);
    offset += blob.length;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((Buffer.byteLength(json) + 8) % 8)) % 8;
  json += ' '.repeat(pad);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const b of blobs) { out.set(b, at); at += b.length; }
  return out;
}

/**
 * Writes a safetensors file atomically (a temporary file renamed into place).
 * @example await writeSafetensors('/tmp/w.safetensors', tensors, { dtype: 'F16', metadata: { step: '100' } });
 */
export async function writeSafetensors(file: string, tensors: TensorSet, options: { dtype?: SafetensorsDtype; metadata?: Record<string, string> } = {}): Promise<void> {
  const bytes = encodeSafetensors(tensors, options);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new Error(`cannot write safetensors file ${file}: ${(e as Error).message}`);
  }
}

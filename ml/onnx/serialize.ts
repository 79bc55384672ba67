/**
 * Writes a built graph as an ONNX ModelProto (onnx-proto's protobufjs classes), with weights inline or as
 * external data in a side file (`model.onnx_data`) for models over protobuf's 2 GB limit or when asked.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';
import { ONNX_DTYPE, typedArrayFrom, bytesOf } from './dtype.js';
import { isUnknown, type Shape } from './shape.js';
import { GraphCore, type Initializer } from './builder-core.js';
import { getOp } from './ops/table.js';
import type { AttrType, AttrValue, TensorAttr, TypedAttr } from './ops/types.js';
import type { Tensor } from './tensor.js';

const { onnx } = onnxProto;

/** The IR version written: 8 (ONNX 1.10+), which every runtime supporting opset 17 reads. */
export const IR_VERSION = 8;
/** Protobuf cannot encode a message over 2 GB; above this many weight bytes the builder writes external data. */
export const INLINE_LIMIT = 2 ** 31 - 2 ** 26;

const ATTR_CODE: Record<AttrType, number> = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 };

/** Options of `save`. */
export interface SaveOptions {
  /** Force weights into a side file (true), keep them inline (false), or decide by size (undefined, the default). */
  externalData?: boolean;
  /** Initializers smaller than this many bytes stay inline even with external data (default 1024). */
  sizeThreshold?: number;
  /** File name of the side file, relative to the model (default `<model file>_data`, e.g. model.onnx_data). */
  location?: string;
}

/** Where each external initializer lies in the side file. */
interface ExternalSlot { init: Initializer; offset: number; length: number }

function valueInfo(t: Tensor): O.IValueInfoProto {
  return {
    name: t.name,
    type: { tensorType: { elemType: ONNX_DTYPE[t.dtype], shape: { dim: dims(t.shape) } } },
  };
}

function dims(shape: Shape): O.TensorShapeProto.IDimension[] {
  return shape.map((d) => (typeof d === 'number' ? { dimValue: d } : isUnknown(d) ? {} : { dimParam: d }));
}

function tensorAttr(t: TensorAttr, name = ''): O.ITensorProto {
  return { name, dims: t.dims.map(Number), dataType: ONNX_DTYPE[t.dtype], rawData: bytesOf(t.data) };
}

function guessType(v: AttrValue): AttrType {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'int';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return 'strings';
    return (v as number[]).every((x) => Number.isInteger(x)) ? 'ints' : 'floats';
  }
  return 'tensor';
}

function attribute(name: string, raw: AttrValue, declared?: AttrType): O.IAttributeProto {
  const typed = typeof raw === 'object' && raw !== null && 'attrType' in raw ? (raw as TypedAttr) : undefined;
  const v = typed ? typed.value : raw;
  const kind = typed?.attrType ?? declared ?? guessType(v);
  const a: O.IAttributeProto = { name, type: ATTR_CODE[kind] };
  switch (kind) {
    case 'int': a.i = typeof v === 'string' ? ONNX_DTYPE[v as keyof typeof ONNX_DTYPE] ?? Number.NaN : Number(v); break;
    case 'float': a.f = Number(v); break;
    case 'string': a.s = new TextEncoder().encode(String(v)); break;
    case 'ints': a.ints = (v as number[]).map(Number); break;
    case 'floats': a.floats = (v as number[]).map(Number); break;
    case 'strings': a.strings = (v as string[]).map((s) => new TextEncoder().encode(s)); break;
    case 'tensor': a.t = tensorAttr(v as TensorAttr); break;
  }
  if (kind === 'int' && !Number.isFinite(a.i as number)) throw new Error(`attribute ${name}: ${String(v)} is not an int or a dtype name`);
  return a;
}

function initializerProto(init: Initializer, slot?: ExternalSlot, location?: string): O.ITensorProto {
  const base: O.ITensorProto = { name: init.name, dims: [...init.dims], dataType: ONNX_DTYPE[init.dtype] };
  if (slot && location) {
    base.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    base.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(slot.offset) },
      { key: 'length', value: String(slot.length) },
    ];
  } else base.rawData = GraphCore.bytes(init);
  return base;
}

/** Builds the ModelProto; initializers listed in `external` point into the side file `location`. */
export function modelProto(g: GraphCore, external: Map<string, ExternalSlot> = new Map(), location?: string): O.ModelProto {
  if (g.outputs.length === 0) throw new Error(`graph '${g.name}': declare at least one output with g.output()`);
  const nodes: O.INodeProto[] = g.nodes.map((n) => {
    const declared = getOp(n.opType, n.domain)?.attrTypes ?? {};
    const attribute_ = Object.entries(n.attrs)
      .filter((e): e is [string, AttrValue] => e[1] !== undefined)
      .map(([k, v]) => attribute(k, v, declared[k]));
    return {
      name: n.name, opType: n.opType, domain: n.domain, input: n.inputs.map((t) => t?.name ?? ''),
      output: n.outputs.map((t) => t.name), attribute: attribute_,
    };
  });
  const domains = new Set(g.nodes.map((n) => n.domain).filter((d) => d !== ''));
  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'cinegraph',
    producerVersion: '0.1',
    opsetImport: [{ domain: '', version: g.opset }, ...[...domains].map((domain) => ({ domain, version: 1 }))],
    metadataProps: Object.entries(g.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
      initializer: g.initializers.map((i) => initializerProto(i, external.get(i.name), location)),
      node: nodes,
    },
  });
}

/** The model as bytes, weights inline. Fails above protobuf's 2 GB limit (use save, which writes external data). */
export function toBytes(g: GraphCore): Uint8Array {
  const bytes = g.weightBytes();
  if (bytes > INLINE_LIMIT) {
    throw new Error(`graph '${g.name}': ${bytes} bytes of weights exceed protobuf's 2 GB limit; use save(), which writes them as external data`);
  }
  return onnx.ModelProto.encode(modelProto(g)).finish();
}

function align(offset: number, length: number): number {
  const a = length >= 1 << 20 ? 4096 : 64;
  return Math.ceil(offset / a) * a;
}

/**
 * Writes `file` (and `<file>_data` when weights go external). Files are written under temporary names and
 * renamed, so a reader never sees half a model.
 */
export async function save(g: GraphCore, file: string, options: SaveOptions = {}): Promise<{ model: string; data?: string }> {
  const external = options.externalData ?? g.weightBytes() > INLINE_LIMIT;
  await fs.mkdir(path.dirname(file), { recursive: true });
  if (!external) {
    await atomicWrite(file, toBytes(g));
    return { model: file };
  }
  const location = options.location ?? `${path.basename(file)}_data`;
  const dataFile = path.join(path.dirname(file), location);
  const threshold = options.sizeThreshold ?? 1024;
  const slots = new Map<string, ExternalSlot>();
  const tmpData = `${dataFile}.tmp-${process.pid}`;
  const fh = await fs.open(tmpData, 'w');
  try {
    let offset = 0;
    for (const init of g.initializers) {
      const bytes = GraphCore.bytes(init);
      if (bytes.length < threshold) continue;
      offset = align(offset, bytes.length);
      await fh.write(bytes, 0, bytes.length, offset);
      slots.set(init.name, { init, offset, length: bytes.length });
      offset += bytes.length;
    }
  } finally {
    await fh.close();
  }
  await fs.rename(tmpData, dataFile);
  await atomicWrite(file, onnx.ModelProto.encode(modelProto(g, slots, location)).finish());
  return { model: file, data: dataFile };
}

async function atomicWrite(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, file);
}

/** A tensor attribute value (for ConstantOfShape and Constant). @example g.op('ConstantOfShape', [s], { value: tensorValue('float32', [0]) }) */
export function tensorValue(dtype: TensorAttr['dtype'], values: readonly number[], dims: readonly number[] = [values.length]): TensorAttr {
  return { dtype, dims, data: typedArrayFrom(dtype, values) };
}

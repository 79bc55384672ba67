/**
 * The builder's core: graph inputs, weights, constants, nodes (with shape inference from the op table) and
 * outputs. Typed helpers live in builder.ts; serialisation in serialize.ts.
 */
import {
  bytesOf, fromBFloat16, fromFloat16, isFloat, toBFloat16, toFloat16, typedArrayFrom, DTYPE_BYTES,
  type DType, type TypedArray,
} from './dtype.js';
import { formatShape, numelOf, ShapeError, type Dim, type Shape } from './shape.js';
import { Tensor } from './tensor.js';
import { getOp } from './ops/table.js';
import type { AttrValue, Attrs, InferContext, ValueType, TypedAttr } from './ops/types.js';

/** Options of a new graph. */
export interface GraphBuilderOptions {
  /** The graph's name (also the model's doc name). */
  name: string;
  /** ONNX opset of the default domain; at least 17 (the default). */
  opset?: number;
  /** How float32 weights are stored: as is, or as float16/bfloat16 with a Cast back to float32 in the graph. */
  weightStorage?: WeightStorage;
  /** Free-form key/value metadata written into the model. */
  metadata?: Record<string, string>;
}

/** Storage of float weights in the file. */
export type WeightStorage = 'float32' | 'float16' | 'bfloat16';

/** One node of the graph. */
export interface NodeRecord {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
}

/** An initializer: a named weight or an anonymous constant. `data` is absent for a weight declared without values. */
export interface Initializer {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  data: TypedArray | undefined;
  readonly kind: 'weight' | 'constant';
  /** The dtype the graph computes with (differs from `dtype` for float16/bfloat16 storage). */
  readonly computeDtype: DType;
}

/** Options of one node. */
export interface OpOptions {
  /** The node's name (unique); generated when absent. */
  name?: string;
  /** Names of the output values; generated when absent. */
  outputNames?: string[];
  /** Op domain ('' is ONNX's default domain). */
  domain?: string;
  /** Output types for an op without a shape rule in the table. */
  outputTypes?: ValueType[];
}

/** Data accepted for weights and constants. */
export type TensorData = TypedArray | readonly number[] | number;

const MAX_TRACKED = 1024;

function tracked(dtype: DType, data: TypedArray | undefined): Dim[] | undefined {
  if (!data || data.length > MAX_TRACKED) return undefined;
  if (dtype === 'float16') return Array.from(fromFloat16(data as Uint16Array));
  if (dtype === 'bfloat16') return Array.from(fromBFloat16(data as Uint16Array));
  return Array.from(data as ArrayLike<number | bigint>, Number);
}

function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  return 'uint64';
}

function unwrap(v: AttrValue | undefined): AttrValue | undefined {
  return v !== null && typeof v === 'object' && 'attrType' in v ? (v as TypedAttr).value : v;
}

/**
 * The graph under construction. Use {@link GraphBuilder} (which adds typed helpers) rather than this class.
 * @example const g = new GraphBuilder({ name: 'm' }); g.output(g.relu(g.input('x', 'float32', [2])), 'y');
 */
export class GraphCore {
  readonly name: string;
  readonly opset: number;
  readonly weightStorage: WeightStorage;
  readonly metadata: Record<string, string>;
  readonly inputs: Tensor[] = [];
  readonly nodes: NodeRecord[] = [];
  readonly initializers: Initializer[] = [];
  readonly outputs: Tensor[] = [];
  private readonly names = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private counter = 0;

  constructor(options: GraphBuilderOptions) {
    this.name = options.name;
    this.opset = options.opset ?? 17;
    if (this.opset < 17) throw new Error(`graph '${options.name}': opset ${this.opset} is below the supported minimum 17`);
    this.weightStorage = options.weightStorage ?? 'float32';
    this.metadata = { ...options.metadata };
  }

  /** A fresh unique value name with a prefix. */
  uniqueName(prefix: string): string {
    let n = `${prefix}_${this.counter++}`;
    while (this.names.has(n)) n = `${prefix}_${this.counter++}`;
    return n;
  }

  private claim(name: string, what: string): void {
    if (!name) throw new Error(`graph '${this.name}': a ${what} needs a non-empty name`);
    if (this.names.has(name)) throw new Error(`graph '${this.name}': the name '${name}' is already used (${what})`);
    this.names.add(name);
  }

  /**
   * A graph input. Symbolic dimensions are strings and are bound when the model runs.
   * @example const x = g.input('pixel_values', 'float32', ['batch', 3, 64, 64]);
   */
  input(name: string, dtype: DType, shape: Shape): Tensor {
    this.claim(name, 'graph input');
    const t = new Tensor(this, name, dtype, [...shape], 'input');
    this.inputs.push(t);
    return t;
  }

  /**
   * A named weight (an initializer that weight loaders address by name). `null` data declares the weight
   * without values (for size checks of big configs); {@link setWeight} gives them later.
   * Float32 weights follow the graph's `weightStorage` unless `storage` says otherwise.
   * @example const w = g.weight('proj.weight', new Float32Array(8 * 3 * 16), [8, 3, 4, 4]);
   */
  weight(name: string, data: TensorData | null, shape: readonly number[], options: { dtype?: DType; storage?: WeightStorage } = {}): Tensor {
    const dtype = options.dtype ?? (data && typeof data === 'object' && !Array.isArray(data) ? dtypeOfArray(data as TypedArray) : 'float32');
    const storage = isFloat(dtype) && dtype === 'float32' ? (options.storage ?? this.weightStorage) : dtype;
    this.claim(name, 'weight');
    const arr = data === null ? undefined : this.toArray(name, dtype, data, shape);
    const stored = arr && storage !== dtype ? convertStorage(arr as Float32Array, storage as WeightStorage) : arr;
    this.initializers.push({ name, dtype: storage as DType, dims: [...shape], data: stored, kind: 'weight', computeDtype: dtype });
    if (storage === dtype) return new Tensor(this, name, dtype, [...shape], 'weight');
    // Stored narrower than it computes: the graph casts it back once (ORT folds this at load time).
    return this.op('Cast', [new Tensor(this, name, storage as DType, [...shape], 'weight')], { to: dtype }, { name: `${name}/cast` });
  }

  /**
   * Gives values to a weight declared with `null` data, or replaces them (same element count).
   * @example g.setWeight('proj.weight', loaded)
   */
  setWeight(name: string, data: TensorData): void {
    const init = this.initializers.find((i) => i.name === name && i.kind === 'weight');
    if (!init) throw new Error(`graph '${this.name}': no weight named '${name}'`);
    const arr = this.toArray(name, init.computeDtype, data, init.dims);
    init.data = init.dtype !== init.computeDtype ? convertStorage(arr as Float32Array, init.dtype as WeightStorage) : arr;
  }

  /**
   * An anonymous constant. Numbers become float32 unless a dtype is given; typed arrays keep their dtype.
   * @example const half = g.constant(0.5); const axes = g.constant([1], [1], 'int64');
   */
  constant(data: TensorData, shape?: readonly number[], dtype?: DType): Tensor {
    const dt = dtype ?? (typeof data === 'object' && !Array.isArray(data) ? dtypeOfArray(data as TypedArray) : 'float32');
    const dims = shape ?? (typeof data === 'number' ? [] : [(data as ArrayLike<number>).length]);
    const name = this.uniqueName('const');
    this.names.add(name);
    const arr = this.toArray(name, dt, data, dims);
    this.initializers.push({ name, dtype: dt, dims: [...dims], data: arr, kind: 'constant', computeDtype: dt });
    return new Tensor(this, name, dt, [...dims], 'constant', tracked(dt, arr));
  }

  private toArray(name: string, dtype: DType, data: TensorData, shape: readonly number[]): TypedArray {
    const n = numelOf(shape);
    if (n === undefined || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`graph '${this.name}': '${name}' needs a numeric shape, got ${formatShape(shape)}`);
    }
    let arr: TypedArray;
    if (typeof data === 'number') arr = typedArrayFrom(dtype, [data]);
    else if (Array.isArray(data)) arr = typedArrayFrom(dtype, data as number[]);
    else arr = data as TypedArray;
    if (!Array.isArray(data) && typeof data !== 'number' && dtypeOfArray(arr) !== dtype && !(DTYPE_BYTES[dtype] === 2 && arr instanceof Uint16Array) && !(dtype === 'bool' && arr instanceof Uint8Array)) {
      throw new Error(`graph '${this.name}': '${name}' is declared ${dtype} but its data is a ${arr.constructor.name}`);
    }
    if (arr.length !== n) throw new Error(`graph '${this.name}': '${name}' has ${arr.length} values but shape ${formatShape(shape)} needs ${n}`);
    return arr;
  }

  /**
   * Any ONNX op by name; returns its single output. Shapes and dtypes come from the op table's rule.
   * `null`/`undefined` inputs are omitted optional inputs.
   * @example const y = g.op('Conv', [x, w], { strides: [4, 4] });
   */
  op(opType: string, inputs: readonly (Tensor | null | undefined)[], attrs: Attrs = {}, options: OpOptions = {}): Tensor {
    const outs = this.opMulti(opType, inputs, attrs, 1, options);
    return outs[0];
  }

  /**
   * An op with several outputs (Split, TopK, LayerNormalization's statistics).
   * @example const [a, b] = g.opMulti('Split', [x], { axis: 1 }, 2);
   */
  opMulti(opType: string, inputs: readonly (Tensor | null | undefined)[], attrs: Attrs = {}, outputCount = 1, options: OpOptions = {}): Tensor[] {
    const domain = options.domain ?? '';
    const nodeName = options.name ?? `${opType}_${this.nodes.length}`;
    if (this.nodeNames.has(nodeName)) throw new Error(`graph '${this.name}': the node name '${nodeName}' is already used`);
    const ins = inputs.map((t) => t ?? undefined);
    while (ins.length > 0 && ins[ins.length - 1] === undefined) ins.pop();
    ins.forEach((t, i) => {
      if (t && t.owner !== this) throw new Error(`${opType} node '${nodeName}': input ${i} (${t.name}) belongs to another graph`);
    });
    const types = this.infer(opType, domain, nodeName, ins, attrs, outputCount, options.outputTypes);
    const outNames = options.outputNames ?? types.map((_, i) => (types.length === 1 ? `${nodeName}_out` : `${nodeName}_out${i}`));
    const outputs: Tensor[] = [];
    const record: NodeRecord = { name: nodeName, opType, domain, inputs: ins, outputs, attrs };
    types.forEach((ty, i) => {
      this.claim(outNames[i], `output of ${opType} node '${nodeName}'`);
      outputs.push(new Tensor(this, outNames[i], ty.dtype, ty.shape, 'node', ty.values, record));
    });
    this.nodeNames.add(nodeName);
    this.nodes.push(record);
    return outputs;
  }

  private infer(opType: string, domain: string, node: string, ins: (Tensor | undefined)[], attrs: Attrs, count: number, given?: ValueType[]): ValueType[] {
    if (given) return given;
    const def = getOp(opType, domain);
    if (!def) throw new Error(`${opType} node '${node}': the builder has no shape rule for ${domain ? `${domain}::` : ''}${opType}; pass { outputTypes } or registerOp() it`);
    const shapes = ins.map((t, i) => `${i}: ${t ? `${t.name} ${t.dtype}${formatShape(t.shape)}` : '(none)'}`).join(', ');
    const fail = (detail: string): never => {
      throw new ShapeError(opType, node, `${detail} (inputs ${shapes})`, ins.flatMap((t) => (t ? [t.shape] : [])));
    };
    if (def.since !== undefined && def.since > this.opset) fail(`${opType} needs opset ${def.since}, this graph is opset ${this.opset}`);
    if (ins.length < def.arity[0] || ins.length > def.arity[1]) {
      fail(`takes ${def.arity[0]}${def.arity[1] === def.arity[0] ? '' : `..${def.arity[1]}`} inputs, got ${ins.length}`);
    }
    const get = (n: string) => unwrap(attrs[n]);
    const ctx: InferContext = {
      opType, node, opset: this.opset, inputs: ins, attrs, outputCount: count, fail,
      input: (i) => ins[i] ?? fail(`input ${i} is required`),
      int: (n, fb) => { const v = get(n); return v === undefined ? fb : typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : fail(`attribute ${n} must be an int`); },
      float: (n, fb) => { const v = get(n); return v === undefined ? fb : typeof v === 'number' ? v : fail(`attribute ${n} must be a float`); },
      string: (n, fb) => { const v = get(n); return v === undefined ? fb : typeof v === 'string' ? v : fail(`attribute ${n} must be a string`); },
      ints: (n) => { const v = get(n); return v === undefined ? undefined : Array.isArray(v) ? v.map(Number) : fail(`attribute ${n} must be a list of ints`); },
      floats: (n) => { const v = get(n); return v === undefined ? undefined : Array.isArray(v) ? v.map(Number) : fail(`attribute ${n} must be a list of floats`); },
      numbers: (i) => {
        const v = ins[i]?.values;
        return v && v.every((d) => typeof d === 'number') ? (v as number[]) : undefined;
      },
    };
    const out = def.infer(ctx);
    if (out.length < count) fail(`yields ${out.length} outputs, ${count} were asked for`);
    return out.slice(0, count);
  }

  /**
   * Marks a value as a graph output under a name (an Identity is added when the value has another name).
   * @example g.output(y, 'image_embeddings');
   */
  output(t: Tensor, name: string = t.name): Tensor {
    if (t.owner !== this) throw new Error(`graph '${this.name}': output '${name}' belongs to another graph`);
    if (this.outputs.some((o) => o.name === name)) throw new Error(`graph '${this.name}': output '${name}' is declared twice`);
    if (t.kind !== 'node' && t.name === name) throw new Error(`graph '${this.name}': output '${name}' would repeat the ${t.kind} of that name; give the output another name`);
    const out = t.name === name && t.kind === 'node' ? t : this.op('Identity', [t], {}, { outputNames: [name] });
    this.outputs.push(out);
    return out;
  }

  /** Total bytes of the stored initializers (declared-only weights count their size too). */
  weightBytes(): number {
    return this.initializers.reduce((s, i) => s + (numelOf(i.dims) ?? 0) * DTYPE_BYTES[i.dtype], 0);
  }

  /** Number of weight parameters (elements of named weights). @example g.parameterCount() */
  parameterCount(): number {
    return this.initializers.filter((i) => i.kind === 'weight').reduce((s, i) => s + (numelOf(i.dims) ?? 0), 0);
  }

  /** Bytes of an initializer's stored data. */
  static bytes(init: Initializer): Uint8Array {
    if (!init.data) throw new Error(`weight '${init.name}' has no values (declared with null data; call setWeight)`);
    return bytesOf(init.data);
  }
}

function convertStorage(arr: Float32Array, storage: WeightStorage): TypedArray {
  if (storage === 'float16') return toFloat16(arr);
  if (storage === 'bfloat16') return toBFloat16(arr);
  return arr;
}

/**
 * The node API: one declarative `defineNode({...})` object per node type, with `run` (one result) or
 * `stream` (many items), whose argument and result types TypeScript infers from the declared sockets.
 */
import type { Observable } from 'rxjs';
import type { SocketType, ValueOf } from './types.js';

/** How an input takes a stream: `each` maps the node over items, `list` collects, `stream` passes it raw. */
export type InputMode = 'each' | 'list' | 'stream';

/** An input socket and, for literal values, its widget. */
export interface InputSpec<S extends SocketType<any> = SocketType<any>> {
  type: S;
  description?: string;
  /** The widget's initial value; an input with a default is never undefined in `run`. */
  default?: ValueOf<S>;
  /** May be left unconnected and empty (`run` then sees undefined). */
  optional?: boolean;
  min?: number;
  max?: number;
  step?: number;
  /** The allowed literal values (a combo box in the editor). */
  choices?: readonly (string | number)[];
  /** A multi-line text box. */
  multiline?: boolean;
  /** A file picker that uploads; `accept` is the browser's accept string. */
  file?: boolean | { accept?: string };
  /** Aggregating input: receives every item of an incoming stream as one array. */
  list?: boolean;
  /** Stream input: receives an incoming stream as an AsyncIterable (for take, filter, ...). */
  stream?: boolean;
  /** When false, the input only takes links (no widget). Defaults to true for INT/FLOAT/STRING/BOOLEAN. */
  widget?: boolean;
}

/** An output socket: a type, or a type with a description. */
export type OutputSpec = SocketType<any> | { type: SocketType<any>; description?: string };

export type InputsSpec = Record<string, InputSpec>;
export type OutputsSpec = Record<string, OutputSpec>;

type OutType<O> = O extends SocketType<any> ? O : O extends { type: infer S } ? S : never;

/** The value `run` receives for one input. */
export type InputValue<I> = I extends { type: infer S }
  ? I extends { list: true }
    ? ValueOf<S>[]
    : I extends { stream: true }
      ? AsyncIterable<ValueOf<S>>
      : I extends { optional: true }
        ? ValueOf<S> | undefined
        : ValueOf<S>
  : never;

/** The argument of `run` / `stream`, inferred from the declared inputs. */
export type InputValues<I extends InputsSpec> = { readonly [K in keyof I]: InputValue<I[K]> };
/** The result of `run` (or one item of `stream`), inferred from the declared outputs. */
export type OutputValues<O extends OutputsSpec> = { [K in keyof O]: ValueOf<OutType<O[K]>> };

/** A short log interface given to nodes. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/**
 * A preview image: an encoded picture the editor can draw (`data:image/png;base64,...`). `url` may be a
 * getter that encodes on its first read (media/image's `lazyPreview`), so that a run no one watches does
 * not pay for it: pass previews on by reference and read `url` only to show or send it.
 */
export interface Preview {
  url: string;
  width?: number;
  height?: number;
}

/** What a node receives besides its inputs. */
export interface NodeContext {
  readonly runId: string;
  readonly nodeId: string;
  /** Aborted when the run is cancelled or fails elsewhere; pass it to child processes and fetches. */
  readonly signal: AbortSignal;
  /** Reports progress (`value` of `max`); shown as a bar in the editor and on the CLI. */
  progress(value: number, max: number): void;
  /** Sends a preview image to the editor. */
  preview(preview: Preview): void;
  /** Reports a named numeric series point (a loss curve, ...). */
  metric(name: string, step: number, value: number): void;
  readonly log: Logger;
  /** Where output nodes write files for this run. */
  readonly outputDir: string;
  /** A private scratch folder, removed when the run ends. */
  scratchDir(): Promise<string>;
  /** Shared services (model runtime, device locks) provided by the host. */
  readonly services: Readonly<Record<string, unknown>>;
}

type MaybePromise<X> = X | Promise<X>;

interface NodeDefBase<I extends InputsSpec, O extends OutputsSpec> {
  /** Unique id, `pack/name`, e.g. "video/decode". */
  type: string;
  /** Menu path in the editor; defaults to the part of `type` before the slash. */
  category?: string;
  /** Human title; defaults to the part of `type` after the slash. */
  title?: string;
  description: string;
  inputs: I;
  outputs: O;
  /** A result the user sees: runs reach output nodes, and each run reports their outputs. */
  output?: boolean;
  /** Never cached: runs every time, and makes its dependants run again. */
  notIdempotent?: boolean;
  /** Bump when behaviour changes, to invalidate cached results. */
  version?: number;
  /** Items processed at once when the node is mapped over a stream (default 1). */
  concurrency?: number;
}

/** A node that produces one result. */
export interface RunNodeDef<I extends InputsSpec, O extends OutputsSpec> extends NodeDefBase<I, O> {
  run(inputs: InputValues<I>, ctx: NodeContext): MaybePromise<OutputValues<O>>;
  stream?: never;
}

/** A node that produces a stream of results (frames of a video, sessions, ...). */
export interface StreamNodeDef<I extends InputsSpec, O extends OutputsSpec> extends NodeDefBase<I, O> {
  stream(inputs: InputValues<I>, ctx: NodeContext): AsyncIterable<OutputValues<O>> | Observable<OutputValues<O>>;
  run?: never;
}

export type NodeDef<I extends InputsSpec = InputsSpec, O extends OutputsSpec = OutputsSpec> =
  | RunNodeDef<I, O>
  | StreamNodeDef<I, O>;

/** A registered node type, as the engine sees it. */
export type NodeDefinition = Omit<NodeDefBase<InputsSpec, OutputsSpec>, 'category' | 'title'> & {
  readonly category: string;
  readonly title: string;
  run?: (inputs: any, ctx: NodeContext) => MaybePromise<Record<string, unknown>>;
  stream?: (inputs: any, ctx: NodeContext) => AsyncIterable<Record<string, unknown>> | Observable<Record<string, unknown>>;
};

/**
 * Declares a node type. TypeScript checks `run` against the sockets.
 * @example
 * export const add = defineNode({
 *   type: 'math/add', description: 'a + b',
 *   inputs: { a: { type: T.FLOAT, default: 0 }, b: { type: T.FLOAT, default: 0 } },
 *   outputs: { sum: T.FLOAT },
 *   run: ({ a, b }) => ({ sum: a + b }),
 * });
 */
export function defineNode<const I extends InputsSpec, const O extends OutputsSpec>(
  def: NodeDef<I, O>,
): NodeDefinition {
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(def.type)) throw new Error(`defineNode: type "${def.type}" must look like "pack/name"`);
  if ((typeof def.run === 'function') === (typeof def.stream === 'function')) {
    throw new Error(`defineNode(${def.type}): give exactly one of run() or stream()`);
  }
  for (const [name, spec] of Object.entries(def.inputs as InputsSpec)) {
    if (!spec?.type?.id) throw new Error(`defineNode(${def.type}): input "${name}" has no socket type`);
    if (spec.list && spec.stream) throw new Error(`defineNode(${def.type}): input "${name}" cannot be both list and stream`);
  }
  for (const [name, spec] of Object.entries(def.outputs as OutputsSpec)) {
    if (!outputType(spec)?.id) throw new Error(`defineNode(${def.type}): output "${name}" has no socket type`);
  }
  const slash = def.type.lastIndexOf('/');
  return Object.freeze({
    ...def,
    category: def.category ?? def.type.slice(0, slash),
    title: def.title ?? def.type.slice(slash + 1),
  }) as unknown as NodeDefinition;
}

/** The socket type of an output spec. */
export function outputType(spec: OutputSpec): SocketType<any> {
  return 'id' in spec ? spec : spec.type;
}

/** How an input treats an incoming stream. */
export function inputMode(spec: InputSpec): InputMode {
  return spec.list ? 'list' : spec.stream ? 'stream' : 'each';
}

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN']);

/** Whether an input accepts a literal value (a widget) rather than only links. */
export function hasWidget(spec: InputSpec): boolean {
  return spec.widget ?? (WIDGET_TYPES.has(spec.type.id) || spec.choices !== undefined);
}

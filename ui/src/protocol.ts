/**
 * The server's wire format as the editor sees it (DESIGN sections 2, 5, 6). The editor talks to the server
 * over HTTP and WebSocket only, so these shapes are its own copy of the contract, kept pure (no DOM).
 */

/** One input of a node type in the catalog (`GET /api/nodes`). */
export interface InputInfo {
  type: string;
  mode: 'each' | 'list' | 'stream';
  /** Takes a literal value (shown as a widget) as well as a link. */
  widget: boolean;
  default?: unknown;
  min?: number;
  max?: number;
  step?: number;
  choices?: Array<string | number>;
  multiline?: boolean;
  file?: boolean | { accept?: string };
  optional?: boolean;
  description?: string;
  [extra: string]: unknown;
}

/** One node type of the catalog. */
export interface NodeInfo {
  type: string;
  title: string;
  category: string;
  description: string;
  pack: string;
  output: boolean;
  notIdempotent: boolean;
  stream: boolean;
  inputs: Record<string, InputInfo>;
  outputs: Record<string, { type: string; description?: string }>;
}

/** `GET /api/nodes`. */
export interface Catalog {
  types: Array<{ id: string; color: string }>;
  conversions: Array<{ from: string; to: string }>;
  nodes: NodeInfo[];
}

/** A link input of the graph document. */
export interface DocLink {
  from: string;
  output: string;
}

/** A node of the graph document. */
export interface DocNode {
  type: string;
  inputs?: Record<string, unknown>;
  title?: string;
  onItemError?: 'fail' | 'skip';
  concurrency?: number;
  [extra: string]: unknown;
}

/** A group box of the layout. */
export interface DocGroup {
  title?: string;
  bounding?: [number, number, number, number];
  color?: string;
  [extra: string]: unknown;
}

/** The graph document, version 1 (unknown fields are kept through load and save). */
export interface GraphDocument {
  format: 'cinegraph.graph';
  version: number;
  name?: string;
  description?: string;
  params?: Record<string, { node: string; input: string; description?: string; [extra: string]: unknown }>;
  nodes: Record<string, DocNode>;
  layout?: {
    nodes?: Record<string, { pos?: [number, number]; size?: [number, number]; [extra: string]: unknown }>;
    groups?: DocGroup[];
    [extra: string]: unknown;
  };
  [extra: string]: unknown;
}

/**
 * Whether an input value is a link `{from, output}` rather than a literal (the engine's rule).
 * @example isLink({ from: 'load', output: 'image' }) // true
 */
export function isLink(value: unknown): value is DocLink {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Object.keys(v).length === 2 && typeof v.from === 'string' && typeof v.output === 'string';
}

/** A saved template as `GET /api/graphs` lists it. */
export interface TemplateInfo {
  name: string;
  description: string;
  source: 'shipped' | 'user';
  title?: string;
  error?: string;
}

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A run as history and the queue list it. Times are ms since the epoch. */
export interface RunSummary {
  id: string;
  seq: number;
  name: string | null;
  status: RunState;
  outputs: Record<string, unknown> | null;
  files: string[];
  error: { node?: string; nodeType?: string; message: string } | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  executed: number | null;
  cached: number | null;
}

/** A validation issue of a refused submission. */
export interface Issue {
  type: string;
  node?: string;
  input?: string;
  message: string;
}

interface Base {
  runId: string;
  time: number;
}
interface NodeBase extends Base {
  node: string;
  nodeType: string;
}

/** The run events (engine/events.ts), as broadcast over the WebSocket. */
export type RunEvent =
  | (Base & { type: 'run-queued'; position: number })
  | (Base & { type: 'run-started'; nodes: number; cached: number })
  | (NodeBase & { type: 'node-started' })
  | (NodeBase & { type: 'node-progress'; value: number; max: number })
  | (NodeBase & { type: 'node-items'; count: number })
  | (NodeBase & { type: 'node-preview'; image: { url: string; width?: number; height?: number } })
  | (NodeBase & { type: 'node-metric'; name: string; step: number; value: number })
  | (NodeBase & { type: 'node-output'; outputs: unknown; items?: number; ms: number })
  | (NodeBase & { type: 'node-cached'; outputs: unknown; items?: number })
  | (NodeBase & { type: 'node-item-skipped'; item: number; message: string })
  | (NodeBase & { type: 'node-error'; message: string; detail: { inputs: unknown; stack?: string; item?: number } })
  | (Base & {
      type: 'run-finished';
      status: 'succeeded' | 'failed' | 'cancelled';
      error?: { node?: string; nodeType?: string; message: string };
      executed: number;
      cached: number;
      ms: number;
    });

/** The snapshot the server sends first on every connection. */
export interface HelloMessage {
  type: 'hello';
  queue: { running: RunSummary[]; pending: RunSummary[] };
  recent: RunSummary[];
}

export type ServerMessage = HelloMessage | RunEvent;

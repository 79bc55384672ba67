/**
 * The graph document: one versioned JSON format for the editor, saved templates and scripts.
 * Parsing checks the JSON Schema, migrates older versions forward and keeps unknown fields.
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import { GraphDocumentError, type GraphIssue } from './errors.js';

/** The current document version. */
export const GRAPH_VERSION = 1;
export const GRAPH_FORMAT = 'cinegraph.graph';

/** An input fed by another node's output. */
export interface Link {
  from: string;
  output: string;
}

/** A node of the document: its type, literal inputs and links, and per-node run settings. */
export interface GraphNode {
  type: string;
  inputs?: Record<string, unknown>;
  title?: string;
  /** What a failing item of a stream does: end the run (`fail`, default) or be reported and skipped. */
  onItemError?: 'fail' | 'skip';
  /** Items processed at once when this node is mapped over a stream. */
  concurrency?: number;
  [extra: string]: unknown;
}

/** A named parameter of the graph, filled by `--set name=value` or the API's `inputs`. */
export interface GraphParam {
  node: string;
  input: string;
  description?: string;
  [extra: string]: unknown;
}

/** Where the editor draws things; optional and ignored by the executor. */
export interface GraphLayout {
  nodes?: Record<string, { pos?: [number, number]; size?: [number, number]; [extra: string]: unknown }>;
  groups?: Array<{ title?: string; bounding?: [number, number, number, number]; color?: string; [extra: string]: unknown }>;
  [extra: string]: unknown;
}

/** A graph document, version 1. Unknown fields are kept through load and save. */
export interface GraphDocument {
  format: typeof GRAPH_FORMAT;
  version: number;
  name?: string;
  description?: string;
  params?: Record<string, GraphParam>;
  nodes: Record<string, GraphNode>;
  layout?: GraphLayout;
  [extra: string]: unknown;
}

/**
 * Whether an input value is a link rather than a literal.
 * @example isLink({ from: 'decode', output: 'frames' }) // true
 */
export function isLink(value: unknown): value is Link {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const v = value as Record<string, unknown>;
  return keys.length === 2 && typeof v.from === 'string' && typeof v.output === 'string';
}

const linkSchema = {
  type: 'object',
  required: ['from', 'output'],
  properties: { from: { type: 'string', minLength: 1 }, output: { type: 'string', minLength: 1 } },
};

/** The JSON Schema of a version-1 document (unknown fields allowed everywhere). */
export const graphSchema = {
  $id: 'https://cinegraph.dev/schema/graph-v1.json',
  type: 'object',
  required: ['format', 'version', 'nodes'],
  properties: {
    format: { const: GRAPH_FORMAT },
    version: { type: 'integer', minimum: 1 },
    name: { type: 'string' },
    description: { type: 'string' },
    params: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['node', 'input'],
        properties: { node: { type: 'string' }, input: { type: 'string' }, description: { type: 'string' } },
      },
    },
    nodes: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_.:-]+$' },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', minLength: 1 },
          title: { type: 'string' },
          inputs: { type: 'object' },
          onItemError: { enum: ['fail', 'skip'] },
          concurrency: { type: 'integer', minimum: 1, maximum: 1024 },
        },
      },
    },
    layout: {
      type: 'object',
      properties: {
        nodes: { type: 'object' },
        groups: { type: 'array', items: { type: 'object' } },
      },
    },
  },
  definitions: { link: linkSchema },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const checkSchema = ajv.compile(graphSchema);

/** A step that upgrades a document from `from` to `from + 1`. */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** Migrations by the version they upgrade from. Version 1 is the first, so none exist yet. */
const migrations = new Map<number, Migration>();

/**
 * Registers a migration from `fromVersion` to `fromVersion + 1`.
 * @example registerMigration(1, (doc) => ({ ...doc, version: 2 }));
 */
export function registerMigration(fromVersion: number, migrate: Migration): void {
  migrations.set(fromVersion, migrate);
}

function schemaIssues(errors: ErrorObject[] | null | undefined): GraphIssue[] {
  return (errors ?? []).map((e) => {
    const parts = e.instancePath.split('/').filter(Boolean);
    const node = parts[0] === 'nodes' ? parts[1] : undefined;
    const input = parts[0] === 'nodes' && parts[2] === 'inputs' ? parts[3] : undefined;
    return { type: 'invalid_document', node, input, message: `${e.instancePath || '(document)'} ${e.message}` };
  });
}

/**
 * Parses a document from JSON text or an already-parsed value: schema check, then migrations.
 * @example const doc = parseGraph(await readFile('graphs/contact-sheet.json', 'utf8'));
 */
export function parseGraph(input: string | unknown, source = 'graph'): GraphDocument {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new GraphDocumentError(`${source} is not valid JSON: ${(error as Error).message}`, [
        { type: 'invalid_json', message: (error as Error).message },
      ]);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphDocumentError(`${source} must be a JSON object`, [{ type: 'invalid_document', message: 'not an object' }]);
  }
  let doc = structuredClone(value) as Record<string, unknown>;
  if (typeof doc.version === 'number' && doc.version > GRAPH_VERSION) {
    throw new GraphDocumentError(`${source} has version ${doc.version}; this cinegraph reads up to ${GRAPH_VERSION}`, [
      { type: 'unsupported_version', message: `version ${doc.version} is newer than ${GRAPH_VERSION}` },
    ]);
  }
  while (typeof doc.version === 'number' && doc.version < GRAPH_VERSION) {
    const migrate = migrations.get(doc.version);
    if (!migrate) throw new GraphDocumentError(`${source}: no migration from version ${doc.version}`);
    doc = migrate(doc);
  }
  if (!checkSchema(doc)) {
    const issues = schemaIssues(checkSchema.errors);
    throw new GraphDocumentError(`${source} does not match the graph schema: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return doc as unknown as GraphDocument;
}

/**
 * Reads and parses a document file.
 * @example const doc = await readGraphFile('graphs/mask-overlay.json');
 */
export async function readGraphFile(path: string): Promise<GraphDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GraphDocumentError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, [
      { type: 'unreadable', message: (error as Error).message },
    ]);
  }
  return parseGraph(text, path);
}

/** Lists every link of the document as `[toNode, toInput, link]`. */
export function linksOf(doc: GraphDocument): Array<[string, string, Link]> {
  const out: Array<[string, string, Link]> = [];
  for (const [id, node] of Object.entries(doc.nodes)) {
    for (const [input, value] of Object.entries(node.inputs ?? {})) if (isLink(value)) out.push([id, input, value]);
  }
  return out;
}

/**
 * What the commands share: the registry with user packs, loading a graph with `--set` params, and
 * printing issues one per line.
 */
import { existsSync } from 'node:fs';
import {
  applyParams,
  createRegistry,
  GraphDocumentError,
  GraphValidationError,
  loadGraph,
  type GraphDocument,
  type GraphIssue,
  type NodeRegistry,
} from '../index.js';
import { UsageError } from './args.js';

/**
 * The data folder: `--data`, else CINEGRAPH_DATA, else ./data.
 * @example const dataDir = dataDirOf(values.data);
 */
export function dataDirOf(flag?: string): string {
  return flag ?? process.env.CINEGRAPH_DATA ?? 'data';
}

/** Writes a line to stderr. @example warn('cancelled'); */
export function warn(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * The built-in registry plus user packs (`--nodes`, CINEGRAPH_NODES, <data>/nodes). A broken pack is a
 * warning naming its file; the others still load. A `--nodes` folder that does not exist is a usage error.
 * @example const registry = await loadRegistry('run', values.nodes, dataDirOf());
 */
export async function loadRegistry(command: string, nodes: string[] | undefined, dataDir: string): Promise<NodeRegistry> {
  for (const dir of nodes ?? []) if (!existsSync(dir)) throw new UsageError(`--nodes ${dir}: no such file or folder`, command);
  const { registry } = await createRegistry({
    ...(nodes ? { nodes } : {}),
    dataDir,
    onFailure: (f) => warn(`warning: node pack ${f.path} was not loaded: ${f.message}`),
  });
  return registry;
}

/**
 * Loads FILE (a path or a template name) and fills its params from `--set` (with type coercion).
 * @example const doc = await loadDocument('contact-sheet', { width: '128' }, registry, 'data');
 */
export async function loadDocument(file: string, sets: Record<string, string>, registry: NodeRegistry, dataDir: string): Promise<GraphDocument> {
  const doc = await loadGraph(file, { dataDir });
  return Object.keys(sets).length ? applyParams(doc, sets, registry, { coerce: true }) : doc;
}

/**
 * The issues carried by a document or validation error, or undefined for other errors.
 * @example const issues = issuesOf(error); if (!issues) throw error;
 */
export function issuesOf(error: unknown): GraphIssue[] | undefined {
  if (error instanceof GraphValidationError) return error.issues;
  if (error instanceof GraphDocumentError) return error.issues.length ? error.issues : [{ type: error.type, message: error.message }];
  return undefined;
}

/**
 * Prints every issue on stderr, one per line: `node.input: message`.
 * @example printIssues('g.json', validateGraph(doc, registry));
 */
export function printIssues(file: string, issues: readonly GraphIssue[]): void {
  warn(`${file}: ${issues.length} issue${issues.length === 1 ? '' : 's'}`);
  for (const issue of issues) warn(`  ${issueLine(issue)}`);
}

/**
 * One issue as a line.
 * @example issueLine({ type: 'missing_input', node: 'a', input: 'b', message: 'needs b' }) // 'a.b: needs b'
 */
export function issueLine(issue: GraphIssue): string {
  const where = issue.node ? (issue.input ? `${issue.node}.${issue.input}` : issue.node) : 'graph';
  // Validation messages often start with the same `node.input: `; say it once.
  const message = issue.message.startsWith(`${where}: `) ? issue.message.slice(where.length + 2) : issue.message;
  return `${where}: ${message}`;
}

/**
 * Cinegraph's library entry (`import { loadGraph, runGraph } from 'cinegraph'`): the engine's public API,
 * the built-in node packs, the user node-pack loader, and two friendly helpers — `loadGraph` (read, parse
 * and migrate a document or a template) and `runGraph` (run it with the built-in registry by default).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReplaySubject } from 'rxjs';
import {
  applyParams,
  GraphDocumentError,
  parseGraph,
  readGraphFile,
  runGraph as startRun,
  summarizeRunOutputs,
  type GraphDocument,
  type NodeRegistry,
  type RunEvent,
  type RunHandle,
  type RunOptions,
  type RunOutputs,
  type RunResult,
} from './engine/index.js';
import { createRegistry } from './packs/index.js';

// The engine: socket types, defineNode, documents, validation, execution, cache, events, errors.
// Its `runGraph` (which needs a registry) is replaced by the friendlier one below.
export * from './engine/index.js';

// Node packs: the built-in ones and the loader of user packs.
export { builtinPacks, builtinRegistry } from './nodes/index.js';
export { addPacks, createRegistry, loadNodePacks, nodePackPaths, packApi } from './packs/index.js';
export type { LoadedPack, PackApi, PackFailure } from './packs/index.js';

/**
 * The folder this package is installed in (holds package.json and the shipped `graphs/`).
 * @example join(packageRoot(), 'graphs')
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cinegraph') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the cinegraph package folder (package.json)');
    dir = parent;
  }
}

/** The user's data folder: `CINEGRAPH_DATA`, else `./data`. */
function defaultDataDir(): string {
  return process.env.CINEGRAPH_DATA ?? 'data';
}

/** Template folders, searched in order: the user's `<dataDir>/graphs`, then the shipped `graphs/`. */
function templateDirs(dataDir: string): string[] {
  return [resolve(dataDir, 'graphs'), join(packageRoot(), 'graphs')];
}

/**
 * The names of the graph templates: the user's saved graphs (`<dataDir>/graphs`) and the shipped ones.
 * @example listTemplates() // ['contact-sheet', 'mask-overlay', ...]
 */
export function listTemplates(options: { dataDir?: string } = {}): string[] {
  const names = new Set<string>();
  for (const dir of templateDirs(options.dataDir ?? defaultDataDir())) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith('.json')) names.add(file.slice(0, -'.json'.length));
  }
  return [...names].sort();
}

/**
 * Finds a graph file: an existing path as is, else a template name (`contact-sheet`) looked up in the
 * user's `<dataDir>/graphs` and then the shipped `graphs/`. Throws GraphDocumentError when neither exists.
 * @example resolveGraphPath('contact-sheet') // '/…/cinegraph/graphs/contact-sheet.json'
 */
export function resolveGraphPath(nameOrPath: string, options: { dataDir?: string } = {}): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const dataDir = options.dataDir ?? defaultDataDir();
  if (!/[\\/]/.test(nameOrPath)) {
    for (const dir of templateDirs(dataDir)) {
      for (const file of [`${nameOrPath}.json`, nameOrPath]) if (existsSync(join(dir, file))) return join(dir, file);
    }
  }
  const templates = listTemplates({ dataDir });
  const message = `cannot read ${nameOrPath}: no such file, and no graph template of that name (templates: ${templates.join(', ') || 'none'})`;
  throw new GraphDocumentError(message, [{ type: 'unreadable', message }]);
}

/**
 * Loads a graph document from a file path, a template name, JSON text, or an object: parses it, checks it
 * against the schema and migrates older versions. Throws GraphDocumentError listing every problem.
 * @example
 * const doc = await loadGraph('graphs/contact-sheet.json');
 * const same = await loadGraph('contact-sheet');
 * const inline = await loadGraph({ format: 'cinegraph.graph', version: 1, nodes: {} });
 */
export async function loadGraph(source: string | object, options: { dataDir?: string } = {}): Promise<GraphDocument> {
  if (typeof source !== 'string') return parseGraph(source, 'graph');
  if (source.trimStart().startsWith('{')) return parseGraph(source, 'graph');
  return readGraphFile(resolveGraphPath(source, options));
}

/** Options of the library's `runGraph`: the engine's run options with everything optional. */
export interface RunGraphOptions extends Partial<RunOptions> {
  /** The node types to use; default: the built-in packs plus the user packs of `nodes` / `CINEGRAPH_NODES`. */
  registry?: NodeRegistry;
  /** Folders of user node packs to load when no registry is given (besides `CINEGRAPH_NODES`). */
  nodes?: string[];
  /** Values for the graph's params, by name. */
  params?: Record<string, unknown>;
  /** Coerce string param values to the input's type, as the CLI's `--set` does. */
  coerceParams?: boolean;
}

const defaultRegistries = new Map<string, Promise<NodeRegistry>>();

/** The built-in registry plus configured user packs, loaded once per configuration. */
function defaultRegistry(options: RunGraphOptions): Promise<NodeRegistry> {
  const key = JSON.stringify([options.nodes ?? [], process.env.CINEGRAPH_NODES ?? '']);
  let registry = defaultRegistries.get(key);
  if (!registry) {
    const warn = (message: string) => (options.logger ? options.logger.warn(message) : console.warn(`cinegraph: ${message}`));
    registry = createRegistry({
      ...(options.nodes ? { nodes: options.nodes } : {}),
      onFailure: (f) => warn(`node pack ${f.path} was not loaded: ${f.message}`),
    }).then((r) => r.registry);
    defaultRegistries.set(key, registry);
  }
  return registry;
}

/**
 * Runs a graph: the events as an Observable, the outputs as a promise. The registry defaults to the
 * built-in packs plus the configured user packs. Problems found before the run starts (an invalid graph,
 * an unknown param) reject `outputs` and `result` with a GraphValidationError listing every issue, and
 * `events` completes empty; a failed or cancelled run rejects `outputs` with a RunFailedError.
 * @example
 * const run = runGraph(await loadGraph('contact-sheet'), { params: { video: 'clip.mp4' }, outputDir: 'out' });
 * run.events.subscribe((e) => e.type === 'node-progress' && console.log(e.node, e.value, '/', e.max));
 * console.log(await run.outputs);
 */
export function runGraph(doc: GraphDocument, options: RunGraphOptions = {}): RunHandle {
  const { registry: given, nodes: _nodes, params, coerceParams, ...runOptions } = options;
  const runId = options.runId ?? randomUUID();
  const controller = new AbortController();
  const external = options.signal;
  if (external?.aborted) controller.abort(external.reason);
  else external?.addEventListener('abort', () => controller.abort(external.reason), { once: true });
  const events = new ReplaySubject<RunEvent>(1000);
  const started = (async () => {
    const registry = given ?? (await defaultRegistry(options));
    const ready = params ? applyParams(doc, params, registry, { coerce: coerceParams ?? false }) : doc;
    return startRun(ready, { ...runOptions, registry, runId, signal: controller.signal });
  })();
  started.then(
    (handle) => handle.events.subscribe(events),
    () => events.complete(),
  );
  const result: Promise<RunResult> = started.then((handle) => handle.result);
  const outputs: Promise<RunOutputs> = started.then((handle) => handle.outputs);
  // Callers who watch only one of them must not see an unhandled rejection from the other.
  result.catch(() => undefined);
  outputs.catch(() => undefined);
  return { runId, events: events.asObservable(), outputs, result, cancel: () => controller.abort() };
}

/**
 * JSON-safe outputs of a run, as `cinegraph run --json` prints them: images become their size, big
 * buffers their byte count, and streams a list of item summaries.
 * @example summarizeOutputs((await run.result).outputs, doc, registry) // { save: { path: 'output/a.png' } }
 */
export function summarizeOutputs(outputs: RunOutputs, doc: GraphDocument, registry: NodeRegistry): Record<string, unknown> {
  return summarizeRunOutputs(outputs, doc, registry);
}

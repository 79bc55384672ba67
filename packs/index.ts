/**
 * User node packs, the way ComfyUI users add custom nodes: every pack found in the configured folders is
 * loaded at start by the CLI and the server (never through the HTTP API).
 *
 * A pack is a `.js`/`.mjs`/`.cjs` file, or a folder with a `package.json` (`exports`/`main`) or an
 * `index.js`/`index.mjs`. Its default export is a NodePack `{ name, nodes }`, or a function
 * `(api) => NodePack` (possibly async) that receives the engine's node API, so a pack needs no import of
 * cinegraph. A broken pack is reported (naming its file) and skipped; the others still load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  allTypes,
  canConvert,
  defineNode,
  getType,
  NodeRegistry,
  registerConversion,
  registerType,
  socketType,
  summarize,
  T,
  type NodeDefinition,
  type NodePack,
} from '../engine/index.js';
import { builtinRegistry } from '../nodes/index.js';

/**
 * What a pack's default-export function receives: the engine's node API.
 * @example export default ({ defineNode, T }) => ({ name: 'my', nodes: [defineNode({ ... })] });
 */
export const packApi = Object.freeze({ defineNode, T, socketType, registerType, registerConversion, canConvert, getType, summarize });

/** The node API handed to `(api) => NodePack` packs. */
export type PackApi = typeof packApi;

/** A pack that loaded, and where from. */
export interface LoadedPack {
  path: string;
  pack: NodePack;
}

/** A pack that could not be loaded or registered: its file or folder, and why. */
export interface PackFailure {
  path: string;
  message: string;
}

const PACK_FILE = new Set(['.js', '.mjs', '.cjs']);

/**
 * The paths to load packs from, in order: `nodes` (the `--nodes` flags), then `CINEGRAPH_NODES`
 * (separated by ':'), then `<dataDir>/nodes` when it exists. Duplicates are dropped.
 * @example nodePackPaths({ nodes: ['./my-nodes'], dataDir: 'data' }) // ['/abs/my-nodes', '/abs/data/nodes']
 */
export function nodePackPaths(options: { nodes?: readonly string[]; dataDir?: string; env?: NodeJS.ProcessEnv } = {}): string[] {
  const env = options.env ?? process.env;
  const fromEnv = (env.CINEGRAPH_NODES ?? '').split(delimiter).filter((p) => p.trim() !== '');
  const paths = [...(options.nodes ?? []), ...fromEnv].map((p) => resolve(p));
  if (options.dataDir !== undefined) {
    const own = resolve(options.dataDir, 'nodes');
    if (existsSync(own)) paths.push(own);
  }
  return [...new Set(paths)];
}

/**
 * Loads every pack found under the given paths. A path is one pack (a pack file, or a folder with an
 * entry file) or a folder of packs (each `.js`/`.mjs`/`.cjs` file and each subfolder in it). Never throws
 * for a broken pack: it is listed in `failures` with its path and the reason.
 * @example
 * const { packs, failures } = await loadNodePacks(['./my-nodes']);
 * for (const f of failures) console.warn(`${f.path}: ${f.message}`);
 */
export async function loadNodePacks(paths: readonly string[]): Promise<{ packs: LoadedPack[]; failures: PackFailure[] }> {
  const packs: LoadedPack[] = [];
  const failures: PackFailure[] = [];
  const seen = new Set<string>();
  for (const path of await packCandidates(paths, failures)) {
    const real = realpathOr(path);
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      packs.push({ path, pack: await loadPack(path) });
    } catch (error) {
      failures.push({ path, message: (error as Error).message });
    }
  }
  return { packs, failures };
}

/**
 * Adds loaded packs to a registry. A pack whose node types clash with ones already registered is refused
 * whole (no half-registered pack) and listed in the failures.
 * @example const failures = addPacks(builtinRegistry(), (await loadNodePacks(['./my-nodes'])).packs);
 */
export function addPacks(registry: NodeRegistry, packs: readonly LoadedPack[]): PackFailure[] {
  const failures: PackFailure[] = [];
  for (const { path, pack } of packs) {
    const taken = pack.nodes.filter((n) => registry.has(n.type)).map((n) => n.type);
    if (taken.length) {
      failures.push({ path, message: `pack "${pack.name}" defines node type${taken.length > 1 ? 's' : ''} ${taken.map((t) => `"${t}"`).join(', ')} already registered by another pack` });
      continue;
    }
    registry.addPack(pack);
  }
  return failures;
}

/**
 * The registry a CLI or server starts with: the built-in packs plus every user pack of `nodePackPaths()`.
 * Broken packs are returned in `failures` (and passed to `onFailure`), never thrown.
 * @example
 * const { registry } = await createRegistry({ dataDir: 'data', onFailure: (f) => console.warn(f.message) });
 */
export async function createRegistry(
  options: { nodes?: readonly string[]; dataDir?: string; env?: NodeJS.ProcessEnv; onFailure?: (failure: PackFailure) => void } = {},
): Promise<{ registry: NodeRegistry; packs: LoadedPack[]; failures: PackFailure[] }> {
  const registry = builtinRegistry();
  const loaded = await loadNodePacks(nodePackPaths(options));
  const failures = [...loaded.failures, ...addPacks(registry, loaded.packs)];
  for (const failure of failures) options.onFailure?.(failure);
  const bad = new Set(failures.map((f) => f.path));
  return { registry, packs: loaded.packs.filter((p) => !bad.has(p.path)), failures };
}

/** Expands the configured paths into one entry per pack (missing paths become failures). */
async function packCandidates(paths: readonly string[], failures: PackFailure[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      failures.push({ path, message: 'no such file or folder' });
      continue;
    }
    if (info.isFile() || (await packEntry(path))) {
      out.push(path);
      continue;
    }
    const names = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of names) {
      if (entry.name.startsWith('.') || entry.name.startsWith('_') || entry.name === 'node_modules') continue;
      const full = join(path, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isDirectory())) out.push(full);
      else if (PACK_FILE.has(extname(entry.name))) out.push(full);
    }
  }
  return out;
}

/** The entry file of a pack folder: package.json `exports`/`main`, else index.js / index.mjs. */
async function packEntry(dir: string): Promise<string | undefined> {
  const candidates: string[] = [];
  const manifest = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
  if (manifest !== undefined) {
    let pkg: { exports?: unknown; main?: unknown };
    try {
      pkg = JSON.parse(manifest) as typeof pkg;
    } catch (error) {
      throw new Error(`${join(dir, 'package.json')} is not valid JSON: ${(error as Error).message}`);
    }
    const fromExports = exportTarget(pkg.exports);
    if (fromExports) candidates.push(fromExports);
    if (typeof pkg.main === 'string') candidates.push(pkg.main);
  }
  candidates.push('index.js', 'index.mjs');
  for (const candidate of candidates) {
    const full = resolve(dir, candidate);
    if ((await stat(full).catch(() => undefined))?.isFile()) return full;
  }
  return undefined;
}

/** The file a package.json `exports` field points "." at (import or default condition). */
function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const record = exports as Record<string, unknown>;
  const root = '.' in record ? record['.'] : record;
  if (typeof root === 'string') return root;
  if (typeof root === 'object' && root !== null) {
    const conditions = root as Record<string, unknown>;
    for (const key of ['import', 'node', 'default']) if (typeof conditions[key] === 'string') return conditions[key] as string;
  }
  return undefined;
}

/** Imports one pack and checks its shape. */
async function loadPack(path: string): Promise<NodePack> {
  const info = await stat(path);
  let entry = path;
  if (info.isDirectory()) {
    const found = await packEntry(path);
    if (!found) throw new Error('is a folder without an entry file (add index.js, or "main"/"exports" in package.json)');
    entry = found;
  } else if (!PACK_FILE.has(extname(path))) {
    throw new Error('is not a .js, .mjs or .cjs file');
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(entry).href)) as typeof module;
  } catch (error) {
    if (error instanceof SyntaxError) throw new Error(`${error.message}${syntaxLocation(entry)}`);
    throw error;
  }
  let value = module.default;
  if (value === undefined) throw new Error(`${entry} has no default export: write \`export default { name, nodes }\` or \`export default (api) => ({ name, nodes })\``);
  if (typeof value === 'function') {
    try {
      value = await (value as (api: PackApi) => unknown)(packApi);
    } catch (error) {
      throw new Error(`its pack function threw: ${(error as Error).message}`);
    }
  }
  return checkPack(value);
}

/** Checks a pack's shape and defines its nodes (so plain objects work as well as defineNode results). */
function checkPack(value: unknown): NodePack {
  if (typeof value !== 'object' || value === null) throw new Error(`its default export must be a pack { name, nodes }, got ${describe(value)}`);
  const pack = value as { name?: unknown; description?: unknown; nodes?: unknown };
  if (typeof pack.name !== 'string' || pack.name.trim() === '') throw new Error('the pack has no "name" (a non-empty string)');
  if (!Array.isArray(pack.nodes)) throw new Error(`pack "${pack.name}" has no "nodes" array`);
  const types = new Set<string>();
  const nodes = pack.nodes.map((node, i) => {
    const label = `pack "${pack.name}" node #${i + 1}${typeof node?.type === 'string' ? ` ("${node.type}")` : ''}`;
    let def: NodeDefinition;
    try {
      def = defineNode(withSocketTypes(node) as never);
    } catch (error) {
      throw new Error(`${label}: ${(error as Error).message}`);
    }
    if (types.has(def.type)) throw new Error(`${label}: type "${def.type}" is defined twice in this pack`);
    types.add(def.type);
    return def;
  });
  return { name: pack.name, ...(typeof pack.description === 'string' ? { description: pack.description } : {}), nodes };
}

/** Lets plain-JS packs name socket types by id (`{ type: 'STRING' }`); fills in absent inputs/outputs. */
function withSocketTypes(node: unknown): Record<string, unknown> {
  if (typeof node !== 'object' || node === null) throw new Error(`expected a node definition object, got ${describe(node)}`);
  const def = node as Record<string, unknown>;
  const byId = (type: unknown, where: string) => {
    if (typeof type !== 'string') return type;
    const found = getType(type);
    if (!found) throw new Error(`${where} has unknown socket type "${type}" (known: ${allTypes().map((t) => t.id).join(', ')})`);
    return found;
  };
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries((def.inputs ?? {}) as Record<string, unknown>)) {
    inputs[name] = typeof spec === 'object' && spec !== null ? { ...spec, type: byId((spec as { type?: unknown }).type, `input "${name}"`) } : spec;
  }
  const outputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries((def.outputs ?? {}) as Record<string, unknown>)) {
    outputs[name] =
      typeof spec === 'string'
        ? byId(spec, `output "${name}"`)
        : typeof spec === 'object' && spec !== null && !('id' in spec)
          ? { ...spec, type: byId((spec as { type?: unknown }).type, `output "${name}"`) }
          : spec;
  }
  return { ...def, description: def.description ?? '', inputs, outputs };
}

/** Where a syntax error is (` at file:line`): node's import error does not say, `node --check` does. */
function syntaxLocation(entry: string): string {
  const check = spawnSync(process.execPath, ['--check', entry], { encoding: 'utf8', timeout: 5000 });
  const where = /^(.+:\d+)$/m.exec(check.stderr ?? '')?.[1];
  return where ? ` (at ${where})` : '';
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

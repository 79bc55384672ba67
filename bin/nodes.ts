/**
 * `cinegraph nodes`: the node catalog by category (or, with --json, the registry's full catalog).
 */
import { builtinPacks, type NodeInfo } from '../index.js';
import { EXIT, parseCommand } from './args.js';
import { dataDirOf, loadRegistry } from './common.js';
import { HELP } from './help.js';

/**
 * Runs the `nodes` command; resolves with the exit code and what to print on stdout.
 * @example const { code, stdout } = await nodesCommand(['--json']);
 */
export async function nodesCommand(args: string[]): Promise<{ code: number; stdout: string }> {
  const { values } = parseCommand('nodes', args, { json: { type: 'boolean' }, nodes: { type: 'string', multiple: true } }, 0);
  if (values.help) return { code: EXIT.ok, stdout: `${HELP.nodes}\n` };
  const registry = await loadRegistry('nodes', values.nodes, dataDirOf());
  const catalog = registry.catalog();
  if (values.json) return { code: EXIT.ok, stdout: `${JSON.stringify(catalog, null, 2)}\n` };
  return { code: EXIT.ok, stdout: formatCatalog(catalog.nodes) };
}

/** One block per category, one line per node type: type, description, and the pack when it is a user pack. */
function formatCatalog(nodes: NodeInfo[]): string {
  if (!nodes.length) return '(no node types registered)\n';
  const builtin = new Set(builtinPacks.map((p) => p.name));
  const width = Math.min(40, Math.max(...nodes.map((n) => n.type.length)));
  const byCategory = new Map<string, NodeInfo[]>();
  for (const node of nodes) byCategory.set(node.category, [...(byCategory.get(node.category) ?? []), node]);
  const lines: string[] = [];
  for (const category of [...byCategory.keys()].sort()) {
    lines.push(category);
    for (const node of byCategory.get(category)!.sort((a, b) => a.type.localeCompare(b.type))) {
      const pack = builtin.has(node.pack) ? '' : `  [pack ${node.pack}]`;
      const flags = [node.output ? 'output' : '', node.stream ? 'stream' : ''].filter(Boolean).join(', ');
      lines.push(`  ${node.type.padEnd(width)}  ${node.description}${flags ? ` (${flags})` : ''}${pack}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

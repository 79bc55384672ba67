/**
 * `cinegraph run FILE`: validates, runs with progress on stderr, prints the outputs on stdout.
 * Ctrl-C cancels the run (nodes' AbortSignal, child processes killed); a second Ctrl-C exits at once.
 */
import { NullCacheStore, runGraph, summarizeOutputs, validateGraph, type GraphDocument, type NodeRegistry, type RunResult } from '../index.js';
import { EXIT, parseCommand, parseSets, UsageError } from './args.js';
import { dataDirOf, issuesOf, loadDocument, loadRegistry, printIssues, warn } from './common.js';
import { HELP } from './help.js';
import { createProgressDisplay } from './progress.js';

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs the `run` command; resolves with the exit code and what to print on stdout.
 * @example const { code, stdout } = await runCommand(['g.json', '--json']);
 */
export async function runCommand(args: string[]): Promise<{ code: number; stdout: string }> {
  const { values, positionals } = parseCommand(
    'run',
    args,
    {
      set: { type: 'string', multiple: true },
      out: { type: 'string' },
      json: { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      'skip-errors': { type: 'boolean' },
      nodes: { type: 'string', multiple: true },
    },
    1,
  );
  if (values.help) return { code: EXIT.ok, stdout: `${HELP.run}\n` };
  const file = positionals[0];
  if (!file) throw new UsageError('run needs a graph FILE (a path or a template name)', 'run');
  const sets = parseSets(values.set, 'run');
  const dataDir = dataDirOf();
  const registry = await loadRegistry('run', values.nodes, dataDir);

  let doc: GraphDocument;
  try {
    doc = await loadDocument(file, sets, registry, dataDir);
    const issues = validateGraph(doc, registry);
    if (issues.length) return invalid(file, issues, values.json);
  } catch (error) {
    const issues = issuesOf(error);
    if (!issues) throw error;
    return invalid(file, issues, values.json);
  }

  const display = createProgressDisplay(process.stderr);
  const run = runGraph(doc, {
    registry,
    outputDir: values.out ?? 'output',
    // Nodes keep generated models and caches under the data folder (the same one `serve` uses).
    services: { dataDir },
    ...(values['no-cache'] ? { cache: new NullCacheStore() } : {}),
    ...(values['skip-errors'] ? { onItemError: 'skip' as const } : {}),
    logger: { info: (m) => display.log(m), warn: (m) => display.log(`warning: ${m}`), debug: () => {} },
  });
  run.events.subscribe({ next: (e) => display.event(e), error: () => undefined });

  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      display.stop();
      warn('interrupted again: exiting now');
      process.exit(SIGNAL_EXIT[signal] ?? EXIT.interrupted);
    }
    interrupted = signal;
    display.log(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: cancelling the run (Ctrl-C again exits at once)`);
    run.cancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: RunResult;
  try {
    result = await run.result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    display.stop();
  }
  return report(result, doc, registry, values.json === true, interrupted);
}

function invalid(file: string, issues: Parameters<typeof printIssues>[1], json: boolean | undefined) {
  printIssues(file, issues);
  const stdout = json ? `${JSON.stringify({ status: 'invalid', issues })}\n` : '';
  return { code: EXIT.invalid, stdout };
}

function report(result: RunResult, doc: GraphDocument, registry: NodeRegistry, json: boolean, signal: NodeJS.Signals | undefined) {
  const outputs = summarizeOutputs(result.outputs, doc, registry);
  const code =
    result.status === 'succeeded' ? EXIT.ok : result.status === 'failed' ? EXIT.failed : ((signal && SIGNAL_EXIT[signal]) ?? EXIT.interrupted);
  if (result.status === 'failed') {
    const where = result.error?.node ? `node "${result.error.node}" (${result.error.nodeType})` : 'the run';
    warn(`error: ${where} failed${cause(result.error?.message ?? 'unknown error')}`);
  }
  if (result.status === 'cancelled') warn('cancelled');
  if (json) {
    const body = { runId: result.runId, status: result.status, outputs, ...(result.error ? { error: result.error } : {}) };
    return { code, stdout: `${JSON.stringify(body)}\n` };
  }
  return { code, stdout: result.status === 'succeeded' ? formatOutputs(outputs, doc) : '' };
}

/** The engine's failure message starts with `node "x" (type) failed[ on item N]: `; keep the rest. */
function cause(message: string): string {
  const m = /^node "[^"]*" \([^)]*\) failed( on item \d+)?: ([\s\S]*)$/.exec(message);
  return m ? `${m[1] ?? ''}: ${m[2]}` : `: ${message}`;
}

/** The outputs, readable: one block per output node, one line per output (or per stream item). */
function formatOutputs(outputs: Record<string, unknown>, doc: GraphDocument): string {
  const lines: string[] = [];
  for (const [id, value] of Object.entries(outputs)) {
    const header = `${id} (${doc.nodes[id]?.type ?? '?'})`;
    if (Array.isArray(value)) {
      lines.push(`${header}: ${value.length} item${value.length === 1 ? '' : 's'}`);
      for (const [i, item] of value.slice(0, 20).entries()) lines.push(`  [${i}] ${fields(item).join(', ')}`);
      if (value.length > 20) lines.push(`  … ${value.length - 20} more`);
    } else {
      lines.push(header);
      for (const field of fields(value)) lines.push(`  ${field}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '(no outputs)\n';
}

function fields(values: unknown): string[] {
  if (typeof values !== 'object' || values === null) return [show(values)];
  return Object.entries(values).map(([k, v]) => `${k}: ${show(v)}`);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

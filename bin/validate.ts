/**
 * `cinegraph validate FILE`: prints "valid" (exit 0) or every issue, one per line (exit 2).
 */
import { validateGraph } from '../index.js';
import { EXIT, parseCommand, parseSets, UsageError } from './args.js';
import { dataDirOf, issuesOf, loadDocument, loadRegistry, printIssues } from './common.js';
import { HELP } from './help.js';

/**
 * Runs the `validate` command; resolves with the exit code and what to print on stdout.
 * @example const { code, stdout } = await validateCommand(['g.json', '--json']);
 */
export async function validateCommand(args: string[]): Promise<{ code: number; stdout: string }> {
  const { values, positionals } = parseCommand(
    'validate',
    args,
    { set: { type: 'string', multiple: true }, json: { type: 'boolean' }, nodes: { type: 'string', multiple: true } },
    1,
  );
  if (values.help) return { code: EXIT.ok, stdout: `${HELP.validate}\n` };
  const file = positionals[0];
  if (!file) throw new UsageError('validate needs a graph FILE (a path or a template name)', 'validate');
  const sets = parseSets(values.set, 'validate');
  const dataDir = dataDirOf();
  const registry = await loadRegistry('validate', values.nodes, dataDir);
  let issues;
  try {
    issues = validateGraph(await loadDocument(file, sets, registry, dataDir), registry);
  } catch (error) {
    issues = issuesOf(error);
    if (!issues) throw error;
  }
  if (issues.length) printIssues(file, issues);
  const stdout = values.json ? `${JSON.stringify({ valid: issues.length === 0, issues })}\n` : issues.length ? '' : 'valid\n';
  return { code: issues.length ? EXIT.invalid : EXIT.ok, stdout };
}

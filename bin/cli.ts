/**
 * The `cinegraph` command line: run | validate | nodes | serve. `bin/cinegraph.js` imports this file from
 * dist/. Exit codes: 0 success, 1 a failed run, 2 an invalid graph or bad arguments, 130 interrupted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../index.js';
import { closest, EXIT, UsageError } from './args.js';
import { HELP } from './help.js';
import { nodesCommand } from './nodes.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';

type Command = (args: string[]) => Promise<{ code: number; stdout: string }>;

const COMMANDS: Record<string, Command> = { run: runCommand, validate: validateCommand, nodes: nodesCommand, serve: serveCommand };

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the CLI on the given arguments (without `node` and the script) and resolves with the exit code. */
async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h') return await out(`${HELP['']}\n`, EXIT.ok);
    if (first === '--version' || first === '-v') return await out(`cinegraph ${version()}\n`, EXIT.ok);
    if (first === 'help') return await out(`${HELP[rest[0] && rest[0] in COMMANDS ? rest[0] : '']}\n`, EXIT.ok);
    const command = COMMANDS[first];
    if (!command) {
      const guess = closest(first, Object.keys(COMMANDS));
      const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`;
      throw new UsageError(`${what}${guess ? `; did you mean "${guess}"?` : ''} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    }
    const { code, stdout } = await command(rest);
    return await out(stdout, code);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cinegraph: ${error.message}\nSee \`cinegraph ${error.command ? `${error.command} ` : ''}--help\`.\n`);
      return EXIT.invalid;
    }
    const detail = process.env.CINEGRAPH_DEBUG ? ((error as Error).stack ?? String(error)) : ((error as Error).message ?? String(error));
    process.stderr.write(`cinegraph: ${detail}\n`);
    return EXIT.failed;
  }
}

/** Writes to stdout and waits until it is flushed (so exiting right after loses nothing). */
function out(text: string, code: number): Promise<number> {
  if (!text) return Promise.resolve(code);
  return new Promise((resolve) => process.stdout.write(text, () => resolve(code)));
}

// Exit explicitly: a node may leave handles open (a model runtime, a pool) that would keep the CLI alive.
process.exit(await main(process.argv.slice(2)));

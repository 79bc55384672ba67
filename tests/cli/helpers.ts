/**
 * Helpers for tests that spawn the real CLI (`node bin/cinegraph.js`, which runs dist/): build dist/ when
 * it is older than the sources, run the CLI in a temp folder, and write user node packs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'bin', 'cinegraph.js');

/** Builds dist/ (tsc) when it is older than the sources; under a lock, so parallel test files build once. */
export function ensureBuilt(): void {
  execFileSync('flock', [join(tmpdir(), 'cinegraph-test-build.lock'), process.execPath, join(ROOT, 'tests', 'cli', 'build-if-stale.mjs')], { stdio: 'ignore' });
  if (!existsSync(join(ROOT, 'dist', 'bin', 'cli.js'))) throw new Error('the build did not produce dist/bin/cli.js');
}

/** What a finished CLI process left. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temp folder (removed by `cleanup`) to run the CLI in, with its own data folder and no user packs. */
export async function workspace(): Promise<{ dir: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cinegraph-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CINEGRAPH_DATA: join(dir, 'data') };
  delete env.CINEGRAPH_NODES;
  delete env.CINEGRAPH_TOKEN;
  return { dir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts the CLI; `done` resolves when it exits. */
export function startCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<CliResult>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderrSoFar: () => stderr };
}

/** Runs the CLI to the end. */
export function cli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Writes a file, returning its path. */
export async function put(dir: string, name: string, text: string | object): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof text === 'string' ? text : JSON.stringify(text, null, 2));
  return path;
}

/** A graph document from its nodes (and params). */
export function graph(nodes: Record<string, unknown>, params?: Record<string, unknown>): object {
  return { format: 'cinegraph.graph', version: 1, ...(params ? { params } : {}), nodes };
}

/**
 * A user node pack (plain ESM, function form) with the nodes the CLI tests need: numbers, a sum with an
 * integer count, a failing node, a slow node with progress, a node that spawns `sleep` (writing its pid),
 * and an output node.
 */
export const TEST_PACK = `
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default ({ defineNode, T }) => ({
  name: 'clitest',
  nodes: [
    defineNode({
      type: 'clitest/add', description: 'a + b, repeated times',
      inputs: { a: { type: T.FLOAT, default: 0 }, b: { type: T.FLOAT, default: 0 }, times: { type: T.INT, default: 1, min: 1 } },
      outputs: { sum: T.FLOAT },
      run: ({ a, b, times }) => ({ sum: (a + b) * times }),
    }),
    defineNode({
      type: 'clitest/label', description: 'text with a flag',
      inputs: { text: { type: T.STRING, default: '' }, loud: { type: T.BOOLEAN, default: false } },
      outputs: { text: T.STRING },
      run: ({ text, loud }) => ({ text: loud ? text.toUpperCase() : text }),
    }),
    defineNode({
      type: 'clitest/fail', description: 'throws',
      inputs: { value: { type: T.ANY, optional: true }, message: { type: T.STRING, default: 'boom' } },
      outputs: { value: T.ANY },
      run: ({ message }) => { throw new Error(message); },
    }),
    defineNode({
      type: 'clitest/sleep', description: 'runs sleep(1) as a child process, killed on abort',
      inputs: { seconds: { type: T.INT, default: 30 }, pidFile: { type: T.STRING } },
      outputs: { code: T.INT },
      run: ({ seconds, pidFile }, ctx) => new Promise((resolve, reject) => {
        const child = spawn('sleep', [String(seconds)], { signal: ctx.signal, stdio: 'ignore' });
        child.on('error', () => undefined);
        child.on('spawn', () => writeFileSync(pidFile, String(child.pid)));
        child.on('close', (code, signal) => (code === 0 ? resolve({ code }) : reject(new Error('sleep ended by ' + (signal ?? code)))));
      }),
    }),
    defineNode({
      type: 'clitest/items', description: 'streams the comma-separated parts of a text',
      inputs: { list: { type: T.STRING, default: 'a,b,c' } },
      outputs: { item: T.STRING },
      async *stream({ list }) { for (const item of list.split(',')) yield { item }; },
    }),
    defineNode({
      type: 'clitest/check', description: 'passes a value through, throwing on one value',
      inputs: { value: { type: T.STRING }, failOn: { type: T.STRING, default: '' } },
      outputs: { value: T.STRING },
      run: ({ value, failOn }) => { if (value === failOn) throw new Error('bad item ' + value); return { value }; },
    }),
    defineNode({
      type: 'clitest/write', description: 'writes a text file into the output folder', output: true,
      inputs: { name: { type: T.STRING, default: 'out.txt' }, text: { type: T.STRING, default: 'hi' } },
      outputs: { path: T.STRING },
      run: ({ name, text }, ctx) => {
        mkdirSync(ctx.outputDir, { recursive: true });
        const path = join(ctx.outputDir, name);
        writeFileSync(path, text);
        return { path };
      },
    }),
    defineNode({
      type: 'clitest/stubborn', description: 'waits 20 s and ignores cancellation',
      inputs: {},
      outputs: { value: T.INT },
      run: (_inputs, ctx) => new Promise((resolve) => { ctx.log.info('stubborn started'); setTimeout(() => resolve({ value: 1 }), 20000); }),
    }),
    defineNode({
      type: 'clitest/show', description: 'an output node', output: true,
      inputs: { value: { type: T.ANY } },
      outputs: { value: T.ANY },
      run: ({ value }) => ({ value }),
    }),
  ],
});
`;

/** A workspace (see `workspace`) with the CLI test pack written into `<dir>/packs`, for `--nodes`. */
export async function packWorkspace(): Promise<Awaited<ReturnType<typeof workspace>> & { packs: string }> {
  const ws = await workspace();
  const packs = join(ws.dir, 'packs');
  await mkdir(packs);
  await put(packs, 'clitest.mjs', TEST_PACK);
  return { ...ws, packs };
}

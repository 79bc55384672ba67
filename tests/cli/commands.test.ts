/**
 * The other commands and the command line itself: help, version, unknown commands and flags, validate,
 * nodes, serve.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, graph, packWorkspace, put, ROOT, startCli } from './helpers.js';

let ws: Awaited<ReturnType<typeof packWorkspace>>;
const cinegraph = (...args: string[]) => cli(args, { cwd: ws.dir, env: ws.env });

beforeAll(async () => {
  ensureBuilt();
  ws = await packWorkspace();
}, 180_000);
afterAll(() => ws.cleanup());

test('--help lists the commands, <command> --help its flags, --version the package version', async () => {
  const help = await cinegraph('--help');
  expect(help.code).toBe(0);
  for (const command of ['run', 'validate', 'nodes', 'serve']) expect(help.stdout).toContain(`cinegraph ${command}`);
  const runHelp = await cinegraph('run', '--help');
  expect(runHelp.code).toBe(0);
  for (const flag of ['--set name=value', '--out DIR', '--json', '--no-cache', '--skip-errors', '--nodes DIR']) expect(runHelp.stdout).toContain(flag);
  const version = await cinegraph('--version');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(version.stdout.trim()).toBe(`cinegraph ${pkg.version}`);
});

test('an unknown command or flag exits 2 with a suggestion and a pointer to the help', async () => {
  const command = await cinegraph('rnu', 'g.json');
  expect(command.code).toBe(2);
  expect(command.stderr).toContain('unknown command "rnu"; did you mean "run"?');
  const flag = await cinegraph('validate', 'g.json', '--jsno');
  expect(flag.code).toBe(2);
  expect(flag.stderr).toContain('unknown option --jsno; did you mean --json?');
  expect(flag.stderr).toContain('See `cinegraph validate --help`');
  const missing = await cinegraph('run');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('run needs a graph FILE');
  const value = await cinegraph('run', 'g.json', '--out');
  expect(value.code).toBe(2);
  expect(value.stderr).toContain('option --out needs a value');
  const noPacks = await cinegraph('nodes', '--nodes', join(ws.dir, 'nowhere'));
  expect(noPacks.code).toBe(2);
  expect(noPacks.stderr).toContain('nowhere: no such file or folder');
});

test('validate prints "valid" and exits 0 for a graph that can run; --json gives {valid, issues}', async () => {
  const file = await put(
    ws.dir,
    'ok.json',
    graph({ add: { type: 'clitest/add', inputs: { a: 1 } }, show: { type: 'clitest/show', inputs: { value: { from: 'add', output: 'sum' } } } }),
  );
  const r = await cinegraph('validate', file, '--nodes', ws.packs);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('valid\n');
  const json = await cinegraph('validate', file, '--json');
  expect(json.code).toBe(2); // without the pack its node types are unknown
  const body = JSON.parse(json.stdout) as { valid: boolean; issues: Array<{ type: string; node: string }> };
  expect(body.valid).toBe(false);
  expect(body.issues.map((i) => `${i.type}:${i.node}`)).toEqual(['unknown_node_type:add', 'unknown_node_type:show', 'no_output:undefined']);
});

test('nodes lists node types by category; --json prints the registry catalog', async () => {
  const text = await cinegraph('nodes', '--nodes', ws.packs);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^clitest\n/m);
  expect(text.stdout).toMatch(/^ {2}clitest\/add +a \+ b, repeated times {2}\[pack clitest\]$/m);
  const json = await cinegraph('nodes', '--json', '--nodes', ws.packs);
  expect(json.code).toBe(0);
  const catalog = JSON.parse(json.stdout) as { types: Array<{ id: string }>; conversions: unknown[]; nodes: Array<{ type: string; pack: string; inputs: Record<string, { type: string; min?: number }> }> };
  expect(catalog.types.map((t) => t.id)).toEqual(expect.arrayContaining(['INT', 'FLOAT', 'STRING', 'IMAGE']));
  const add = catalog.nodes.find((n) => n.type === 'clitest/add');
  expect(add).toMatchObject({ pack: 'clitest', inputs: { times: { type: 'INT', min: 1 } } });
});

test('serve prints its URL, answers /health and closes on Ctrl-C', async () => {
  const server = startCli(['serve', '--port', '0', '--data', join(ws.dir, 'serve-data'), '--nodes', ws.packs], { cwd: ws.dir, env: ws.env });
  let url = '';
  server.child.stdout!.on('data', (d: Buffer) => (url ||= /serving at (http:\/\/\S+)/.exec(d.toString())?.[1] ?? ''));
  for (let i = 0; i < 200 && !url; i++) await new Promise((r) => setTimeout(r, 50));
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  const catalog = (await (await fetch(`${url}/api/nodes`)).json()) as { nodes: Array<{ type: string }> };
  expect(catalog.nodes.map((n) => n.type)).toContain('clitest/add'); // user ws.packs reach the server
  server.child.kill('SIGINT');
  const r = await server.done;
  expect(r.code).toBe(0);
});

test('serve refuses a bad port, and a public host without a token', async () => {
  const port = await cinegraph('serve', '--port', 'http');
  expect(port.code).toBe(2);
  expect(port.stderr).toContain('--port takes a port number 0..65535, got "http"');
  const open = await cinegraph('serve', '--host', '0.0.0.0', '--port', '0', '--data', join(ws.dir, 'serve-data'));
  expect(open.code).toBe(1);
  expect(open.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
});

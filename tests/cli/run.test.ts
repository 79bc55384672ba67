/**
 * `cinegraph run`: exit codes, outputs on stdout (readable and --json), progress on stderr, --set
 * coercion, every issue of an invalid graph, --out, --skip-errors and template names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, ensureBuilt, graph, packWorkspace, put } from './helpers.js';

let ws: Awaited<ReturnType<typeof packWorkspace>>;
const run = (...args: string[]) => cli(['run', ...args, '--nodes', ws.packs], { cwd: ws.dir, env: ws.env });

beforeAll(async () => {
  ensureBuilt();
  ws = await packWorkspace();
}, 180_000);
afterAll(() => ws.cleanup());

const sumGraph = graph(
  {
    add: { type: 'clitest/add', inputs: { a: 3, b: 4 } },
    label: { type: 'clitest/label', inputs: { text: 'done' } },
    show: { type: 'clitest/show', inputs: { value: { from: 'add', output: 'sum' } } },
    showLabel: { type: 'clitest/show', inputs: { value: { from: 'label', output: 'text' } } },
  },
  {
    a: { node: 'add', input: 'a' },
    times: { node: 'add', input: 'times' },
    loud: { node: 'label', input: 'loud' },
    text: { node: 'label', input: 'text' },
  },
);

test('a successful run exits 0, prints the outputs on stdout and per-node progress on stderr', async () => {
  const file = await put(ws.dir, 'sum.json', sumGraph);
  const r = await run(file);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('show (clitest/show)');
  expect(r.stdout).toContain('value: 7');
  expect(r.stdout).toContain('value: done');
  expect(r.stderr).toMatch(/started\s+add \(clitest\/add\)/);
  expect(r.stderr).toMatch(/finished\s+add \(clitest\/add\)/);
  expect(r.stderr).toMatch(/run succeeded in .* \(4 executed, 0 cached\)/);
  expect(r.stdout).not.toContain('started'); // progress never pollutes stdout
});

test('--json prints one parseable object {runId, status, outputs}', async () => {
  const file = await put(ws.dir, 'sum.json', sumGraph);
  const r = await run(file, '--json', '--no-cache');
  expect(r.code).toBe(0);
  const body = JSON.parse(r.stdout) as { runId: string; status: string; outputs: Record<string, { value: unknown }> };
  expect(body.status).toBe('succeeded');
  expect(typeof body.runId).toBe('string');
  expect(body.outputs).toEqual({ show: { value: 7 }, showLabel: { value: 'done' } });
});

test('--set coerces each value to its input type', async () => {
  const file = await put(ws.dir, 'sum.json', sumGraph);
  const r = await run(file, '--json', '--set', 'a=2.5', '--set', 'times=3', '--set', 'loud=yes', '--set', 'text=a=b');
  expect(r.code).toBe(0);
  const body = JSON.parse(r.stdout) as { outputs: Record<string, { value: unknown }> };
  expect(body.outputs.show!.value).toBe(19.5); // (2.5 + 4) * 3
  expect(body.outputs.showLabel!.value).toBe('A=B');
});

test('an unknown param or a value of the wrong type exits 2 naming the param and what is allowed', async () => {
  const file = await put(ws.dir, 'sum.json', sumGraph);
  const r = await run(file, '--set', 'nope=1', '--set', 'times=many');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('unknown param "nope"; this graph has a, times, loud, text');
  expect(r.stderr).toContain('add.times: param "times": "many" is not an integer');
  expect(r.stdout).toBe('');
  const malformed = await run(file, '--set', 'times');
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toContain('--set takes name=value');
});

test('an invalid graph exits 2 and prints every issue, one per line', async () => {
  const file = await put(
    ws.dir,
    'bad.json',
    graph({
      ghost: { type: 'clitest/nope' },
      add: { type: 'clitest/add', inputs: { a: 'three', times: 0, extra: 1 } },
      show: { type: 'clitest/show', inputs: { value: { from: 'missing', output: 'x' } } },
    }),
  );
  for (const command of ['run', 'validate']) {
    const r = await cli([command, file, '--nodes', ws.packs], { cwd: ws.dir, env: ws.env });
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toEqual([
      '  ghost: node "ghost" has unknown type "clitest/nope"',
      '  add.extra: node "add" (clitest/add) has no input "extra"',
      '  add.a: expected a number (FLOAT), got "three"',
      '  add.times: 0 is below the minimum 1',
      '  show.value: show.value links from node "missing", which does not exist',
    ]);
    expect(r.stderr).toContain('5 issues');
  }
  const json = await run(file, '--json');
  expect(json.code).toBe(2);
  const body = JSON.parse(json.stdout) as { status: string; issues: Array<{ type: string }> };
  expect(body.status).toBe('invalid');
  expect(body.issues.map((i) => i.type)).toEqual(['unknown_node_type', 'unknown_input', 'invalid_value', 'out_of_range', 'missing_node']);
});

test('a document that is not JSON, or not a graph, exits 2 with the reason', async () => {
  const notJson = await put(ws.dir, 'broken.json', '{ "format": ');
  const r = await run(notJson);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/broken\.json: 1 issue\n {2}graph: .*JSON/);
  const notGraph = await put(ws.dir, 'not-graph.json', { format: 'cinegraph.graph', version: 1, nodes: { a: {} } });
  const s = await run(notGraph);
  expect(s.code).toBe(2);
  expect(s.stderr).toContain("a: /nodes/a must have required property 'type'");
});

test('a failing node exits 1 and names the node, its type and the message', async () => {
  const file = await put(
    ws.dir,
    'fail.json',
    graph({
      bad: { type: 'clitest/fail', inputs: { message: 'the disk is full' } },
      show: { type: 'clitest/show', inputs: { value: { from: 'bad', output: 'value' } } },
    }),
  );
  const r = await run(file);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('error: node "bad" (clitest/fail) failed: the disk is full');
  const json = await run(file, '--json');
  expect(json.code).toBe(1);
  const body = JSON.parse(json.stdout) as { status: string; error: { node: string; nodeType: string } };
  expect(body.status).toBe('failed');
  expect(body.error).toMatchObject({ node: 'bad', nodeType: 'clitest/fail' });
});

test('--out sets the folder output nodes write into (default ./output)', async () => {
  const file = await put(ws.dir, 'write.json', graph({ write: { type: 'clitest/write', inputs: { name: 'note.txt', text: 'hello' } } }));
  const r = await run(file, '--out', 'results/today');
  expect(r.code).toBe(0);
  expect(readFileSync(join(ws.dir, 'results', 'today', 'note.txt'), 'utf8')).toBe('hello');
  expect(r.stdout).toContain(join(ws.dir, 'results', 'today', 'note.txt'));
  const d = await run(file);
  expect(d.code).toBe(0);
  expect(existsSync(join(ws.dir, 'output', 'note.txt'))).toBe(true);
});

test('--skip-errors skips a failing stream item and reports it instead of failing the run', async () => {
  const file = await put(
    ws.dir,
    'items.json',
    graph({
      items: { type: 'clitest/items', inputs: { list: 'a,b,c' } },
      check: { type: 'clitest/check', inputs: { value: { from: 'items', output: 'item' }, failOn: 'b' } },
      show: { type: 'clitest/show', inputs: { value: { from: 'check', output: 'value' } } },
    }),
  );
  const failing = await run(file);
  expect(failing.code).toBe(1);
  expect(failing.stderr).toContain('error: node "check" (clitest/check) failed on item 1: bad item b');
  const skipping = await run(file, '--skip-errors', '--json');
  expect(skipping.code).toBe(0);
  expect(skipping.stderr).toMatch(/skipped\s+check \(clitest\/check\) item 1: bad item b/);
  expect((JSON.parse(skipping.stdout) as { outputs: unknown }).outputs).toEqual({ show: [{ value: 'a' }, { value: 'c' }] });
});

test('FILE may be a template name from <data>/graphs; an unknown name lists the templates', async () => {
  await mkdir(join(ws.dir, 'data', 'graphs'), { recursive: true });
  await put(join(ws.dir, 'data', 'graphs'), 'my-sum.json', sumGraph);
  const r = await run('my-sum', '--json');
  expect(r.code).toBe(0);
  expect((JSON.parse(r.stdout) as { outputs: { show: { value: number } } }).outputs.show.value).toBe(7);
  const unknown = await run('no-such-template');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/no graph template of that name \(templates: .*my-sum/);
});

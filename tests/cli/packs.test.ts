/**
 * User node packs, loaded at start from --nodes, CINEGRAPH_NODES and <data>/nodes: the documented example
 * pack runs, every pack form loads, and a broken pack is a warning naming its file while the others load.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, ensureBuilt, graph, put, ROOT, workspace } from './helpers.js';

let ws: Awaited<ReturnType<typeof workspace>>;

beforeAll(async () => {
  ensureBuilt();
  ws = await workspace();
}, 180_000);
afterAll(() => ws.cleanup());

type Catalog = { nodes: Array<{ type: string; pack: string; inputs: Record<string, { type: string }> }> };
const packTypes = (stdout: string, pack: string) =>
  (JSON.parse(stdout) as Catalog).nodes
    .filter((n) => n.pack === pack)
    .map((n) => n.type)
    .sort();

/** A pack in the object form, naming socket types by id, with one node of the given type. */
const objectPack = (name: string, type: string) => `
export default {
  name: '${name}',
  nodes: [{
    type: '${type}', description: 'echoes', output: true,
    inputs: { text: { type: 'STRING', default: 'hi' } },
    outputs: { text: 'STRING' },
    run: ({ text }) => ({ text: text + '!' }),
  }],
};
`;

test('the example pack (examples/node-pack) loads with --nodes and runs its example graph', async () => {
  const example = join(ROOT, 'examples', 'node-pack');
  const r = await cli(['run', join(example, 'example-graph.json'), '--nodes', example, '--json', '--set', 'text=one two', '--set', 'b=0.5'], {
    cwd: ws.dir,
    env: ws.env,
  });
  expect(r.stderr).not.toContain('warning');
  expect(r.code).toBe(0);
  const body = JSON.parse(r.stdout) as { outputs: Record<string, unknown> };
  // "one two" reversed is "owt eno": its words with letter case swapped.
  expect(body.outputs).toEqual({ 'show-words': [{ value: 'OWT' }, { value: 'ENO' }], 'show-sum': { value: 40.5 } });
  const nodes = await cli(['nodes', '--json', '--nodes', example], { cwd: ws.dir, env: ws.env });
  expect(packTypes(nodes.stdout, 'example')).toEqual(['example/add', 'example/invert-text', 'example/show', 'example/words']);
});

test('packs load from CINEGRAPH_NODES (a path list), --nodes and <data>/nodes together', async () => {
  const [a, b, c, data] = ['env-a', 'env-b', 'flag', join('data', 'nodes')].map((d) => join(ws.dir, 'sources', d));
  for (const dir of [a!, b!, c!, data!]) await mkdir(dir, { recursive: true });
  await put(a!, 'a.mjs', objectPack('a', 'a/echo'));
  await put(b!, 'b.js', objectPack('b', 'b/echo'));
  await put(c!, 'c.mjs', objectPack('c', 'c/echo'));
  await put(data!, 'd.mjs', objectPack('d', 'd/echo'));
  const env = { ...ws.env, CINEGRAPH_NODES: `${a}:${b}`, CINEGRAPH_DATA: join(ws.dir, 'sources', 'data') };
  const r = await cli(['nodes', '--json', '--nodes', c!], { cwd: ws.dir, env });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  for (const pack of ['a', 'b', 'c', 'd']) expect(packTypes(r.stdout, pack)).toEqual([`${pack}/echo`]);
  // socket types named by id became real types
  expect((JSON.parse(r.stdout) as Catalog).nodes.find((n) => n.type === 'a/echo')!.inputs.text!.type).toBe('STRING');
});

test('a folder pack (package.json "exports") and a pack file given directly both load', async () => {
  const dir = join(ws.dir, 'forms');
  await mkdir(join(dir, 'folder-pack', 'lib'), { recursive: true });
  await put(join(dir, 'folder-pack'), 'package.json', { name: 'folder-pack', type: 'module', exports: { '.': { import: './lib/main.js' } } });
  await put(join(dir, 'folder-pack', 'lib'), 'main.js', objectPack('folder', 'folder/echo'));
  const single = await put(ws.dir, 'single.mjs', objectPack('single', 'single/echo'));
  const r = await cli(['nodes', '--json', '--nodes', dir, '--nodes', single], { cwd: ws.dir, env: ws.env });
  expect(r.code).toBe(0);
  expect(packTypes(r.stdout, 'folder')).toEqual(['folder/echo']);
  expect(packTypes(r.stdout, 'single')).toEqual(['single/echo']);
});

test('a broken pack is a warning naming its file and why; the other packs still load and run', async () => {
  const dir = join(ws.dir, 'mixed');
  await mkdir(join(dir, 'no-entry'), { recursive: true });
  await put(dir, 'good.mjs', objectPack('good', 'good/echo'));
  await put(dir, 'syntax.mjs', 'export default {{ name: "x" ');
  await put(dir, 'no-default.mjs', 'export const pack = { name: "nd", nodes: [] };');
  await put(dir, 'throws.mjs', 'export default () => { throw new Error("needs a GPU"); };');
  await put(dir, 'bad-socket.mjs', objectPack('bad', 'bad/echo').replace("type: 'STRING', default", "type: 'STRNG', default"));
  await put(dir, 'z-clash.mjs', objectPack('clash', 'good/echo'));
  await put(dir, 'README.md', '# not a pack');
  await put(dir, '_disabled.mjs', 'this is not even JavaScript');
  const r = await cli(['nodes', '--json', '--nodes', dir], { cwd: ws.dir, env: ws.env });
  expect(r.code).toBe(0);
  expect(packTypes(r.stdout, 'good')).toEqual(['good/echo']);
  const warnings = r.stderr.trim().split('\n').sort();
  expect(warnings).toHaveLength(6);
  const warned = (file: string, reason: RegExp) =>
    expect(warnings.find((w) => w.startsWith(`warning: node pack ${join(dir, file)} was not loaded: `))).toMatch(reason);
  warned('bad-socket.mjs', /node #1 \("bad\/echo"\): input "text" has unknown socket type "STRNG"/);
  warned('z-clash.mjs', /pack "clash" defines node type "good\/echo" already registered by another pack/);
  warned('no-default.mjs', /has no default export/);
  warned('no-entry', /folder without an entry file/);
  warned('syntax.mjs', /Unexpected token .*\(at .*syntax\.mjs:1\)/);
  warned('throws.mjs', /its pack function threw: needs a GPU/);

  const file = await put(ws.dir, 'echo.json', graph({ echo: { type: 'good/echo', inputs: { text: 'still here' } } }));
  const run = await cli(['run', file, '--nodes', dir, '--json'], { cwd: ws.dir, env: ws.env });
  expect(run.code).toBe(0);
  expect((JSON.parse(run.stdout) as { outputs: unknown }).outputs).toEqual({ echo: { text: 'still here!' } });
});

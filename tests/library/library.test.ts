/**
 * The library entry (`import { loadGraph, runGraph } from 'cinegraph'`): the README example run as a user
 * would (an ES module importing the package by name), and the semantics of loadGraph and runGraph.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import {
  builtinRegistry,
  createRegistry,
  GraphDocumentError,
  GraphValidationError,
  loadGraph,
  RunFailedError,
  runGraph,
  type GraphDocument,
  type RunEvent,
} from '../../index.js';
import { ensureBuilt, ROOT } from '../cli/helpers.js';

const EXAMPLE_PACK = join(ROOT, 'examples', 'node-pack');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cinegraph-lib-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The library example of the README, verbatim. */
const README_EXAMPLE = `
import { loadGraph, runGraph } from 'cinegraph';

const doc = await loadGraph('contact-sheet');          // a template name, a path, JSON text or an object
const run = runGraph(doc, {
  params: { images: 'a.png\\nb.png', width: 128, height: 128 },
  outputDir: 'out',
});
run.events.subscribe((e) => {
  if (e.type === 'node-started') console.error(\`\${e.node} started\`);
  if (e.type === 'node-progress') console.error(\`\${e.node}: \${e.value}/\${e.max}\`);
});
const outputs = await run.outputs;                     // rejects with a RunFailedError if the run fails
console.log(outputs.save.path);                        // …/out/contact-sheet_00001.png
`;

test('the README library example runs against the built package', async () => {
  ensureBuilt();
  const app = join(dir, 'app');
  await mkdir(join(app, 'node_modules'), { recursive: true });
  await symlink(ROOT, join(app, 'node_modules', 'cinegraph'), 'dir'); // as `npm install cinegraph` would
  await writeFile(join(app, 'example.mjs'), README_EXAMPLE);
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c03030' } }).png().toFile(join(app, 'a.png'));
  await sharp({ create: { width: 48, height: 64, channels: 3, background: '#30c030' } }).png().toFile(join(app, 'b.png'));
  const env: NodeJS.ProcessEnv = { ...process.env, CINEGRAPH_DATA: join(app, 'data') };
  delete env.CINEGRAPH_NODES;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['example.mjs'], { cwd: app, env });
  const saved = join(app, 'out', 'contact-sheet_00001.png');
  expect(stdout.trim()).toBe(saved);
  expect(stderr).toContain('load started');
  const meta = await sharp(saved).metadata();
  expect(meta.format).toBe('png');
  expect(meta.width).toBeGreaterThanOrEqual(2 * 128); // two 128 px tiles side by side
}, 180_000);

const echoGraph = (text: string): GraphDocument => ({
  format: 'cinegraph.graph',
  version: 1,
  params: { text: { node: 'invert', input: 'text' }, b: { node: 'add', input: 'b' } },
  nodes: {
    invert: { type: 'example/invert-text', inputs: { text } },
    show: { type: 'example/show', inputs: { value: { from: 'invert', output: 'text' } } },
    add: { type: 'example/add', inputs: { a: 1 } },
    sum: { type: 'example/show', inputs: { value: { from: 'add', output: 'sum' } } },
  },
});

test('loadGraph reads a path, a template name, JSON text or an object, and lists every schema problem', async () => {
  const path = join(dir, 'echo.json');
  await writeFile(path, JSON.stringify(echoGraph('abc')));
  const fromPath = await loadGraph(path);
  expect(fromPath.nodes.invert!.inputs).toEqual({ text: 'abc' });
  expect(await loadGraph(JSON.stringify(echoGraph('abc')))).toEqual(fromPath);
  expect(await loadGraph(echoGraph('abc'))).toEqual(fromPath);
  expect((await loadGraph('contact-sheet')).name).toBe('contact-sheet');
  const bad = loadGraph({ format: 'cinegraph.graph', version: 1, nodes: { a: {}, b: { type: 3 } } });
  await expect(bad).rejects.toBeInstanceOf(GraphDocumentError);
  await expect(bad).rejects.toMatchObject({ issues: [{ node: 'a' }, { node: 'b' }] });
  await expect(loadGraph('no-such-graph')).rejects.toThrow(/no graph template of that name/);
});

test('runGraph: events as an Observable, outputs as a promise, user packs from `nodes`', async () => {
  const run = runGraph(echoGraph('stressed'), { nodes: [EXAMPLE_PACK], params: { b: '2.5' }, coerceParams: true, outputDir: dir });
  const events = lastValueFrom(run.events.pipe(toArray()));
  expect(await run.outputs).toEqual({ show: { value: 'desserts' }, sum: { value: 3.5 } });
  const types = (await events).map((e: RunEvent) => e.type);
  expect(types[0]).toBe('run-started');
  expect(types.at(-1)).toBe('run-finished');
  expect((await run.result).status).toBe('succeeded');
});

test('runGraph: an invalid graph rejects the outputs with every issue, and the events complete empty', async () => {
  const doc = echoGraph('x');
  doc.nodes.add!.inputs = { a: 'one', c: 2 };
  const { registry } = await createRegistry({ nodes: [EXAMPLE_PACK] });
  const run = runGraph(doc, { registry });
  const events = lastValueFrom(run.events.pipe(toArray()));
  const error = await run.outputs.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GraphValidationError);
  expect((error as GraphValidationError).issues.map((i) => `${i.type} ${i.node}.${i.input}`)).toEqual(['unknown_input add.c', 'invalid_value add.a']);
  expect(await events).toEqual([]);
  // the built-in registry alone does not know the example pack's types
  const bare = await runGraph(echoGraph('x'), { registry: builtinRegistry() }).result.catch((e: GraphValidationError) => e.issues.length);
  expect(bare).toBe(5); // four unknown node types, and no output node
  const unknownParam = runGraph(echoGraph('x'), { nodes: [EXAMPLE_PACK], params: { size: 3 } });
  await expect(unknownParam.outputs).rejects.toThrow('unknown param "size"; this graph has text, b');
});

test('runGraph: cancel() ends the run as cancelled and rejects the outputs with a RunFailedError', async () => {
  const words = Array.from({ length: 50_000 }, (_, i) => `w${i}`).join(' ');
  const doc: GraphDocument = {
    format: 'cinegraph.graph',
    version: 1,
    nodes: {
      words: { type: 'example/words', inputs: { text: words } },
      show: { type: 'example/show', inputs: { value: { from: 'words', output: 'word' } } },
    },
  };
  const run = runGraph(doc, { nodes: [EXAMPLE_PACK], outputDir: dir });
  const sub = run.events.subscribe((e) => e.type === 'node-items' && run.cancel());
  const error = await run.outputs.catch((e: unknown) => e);
  sub.unsubscribe();
  expect(error).toBeInstanceOf(RunFailedError);
  const result = await run.result;
  expect(result.status).toBe('cancelled');
  const shown = result.outputs.show;
  expect(Array.isArray(shown) ? shown.length : 0).toBeLessThan(50_000);
});

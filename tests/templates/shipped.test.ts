/**
 * The shipped image templates run end to end as a user runs them: through the CLI (by name, with --set)
 * and through the server's API (fetched from /api/graphs, submitted with inputs, watched to the end).
 */
import { join } from 'node:path';
import { builtinRegistry } from '../../nodes/index.js';
import { readImage } from '../../media/image/index.js';
import { cli, ensureBuilt, workspace } from '../cli/helpers.js';
import { solid, writeFixture } from '../fixtures/images/helpers.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let ws: Awaited<ReturnType<typeof workspace>>;
let inputs: { a: string; b: string; mask: string };
beforeAll(async () => {
  ensureBuilt();
  ws = await workspace();
  const mask = solid(40, 30, [0, 0, 0]);
  for (let y = 10; y < 20; y++) for (let x = 10; x < 30; x++) mask.data.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
  inputs = {
    a: await writeFixture(ws.dir, 'a.png', solid(40, 30, [0, 0, 255])),
    b: await writeFixture(ws.dir, 'b.png', solid(50, 20, [0, 255, 0])),
    mask: await writeFixture(ws.dir, 'mask.png', mask),
  };
});
afterAll(() => ws.cleanup());

describe('through the CLI', () => {
  test('contact-sheet runs by name with --set and writes the sheet', async () => {
    const out = join(ws.dir, 'cli-sheet');
    const r = await cli(['run', 'contact-sheet', '--set', `images=${inputs.a}\n${inputs.b}`, '--set', 'width=20', '--set', 'height=20', '--set', 'columns=2', '--set', 'padding=0', '--out', out, '--json'], { cwd: ws.dir, env: ws.env });
    expect(r.code).toBe(0);
    const { status, outputs } = JSON.parse(r.stdout) as { status: string; outputs: { save: { path: string } } };
    expect(status).toBe('succeeded');
    const sheet = await readImage(outputs.save.path);
    expect([sheet.width, sheet.height]).toEqual([40, 20]);
  });

  test('mask-overlay runs by name and paints the masked region', async () => {
    const out = join(ws.dir, 'cli-overlay');
    const r = await cli(['run', 'mask-overlay', '--set', `image=${inputs.a}`, '--set', `mask=${inputs.mask}`, '--set', 'opacity=1', '--set', 'color=#ff0000', '--out', out, '--json'], { cwd: ws.dir, env: ws.env });
    expect(r.code).toBe(0);
    const { outputs } = JSON.parse(r.stdout) as { outputs: { save: { path: string } } };
    const img = await readImage(outputs.save.path);
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x) * img.channels + 3));
    expect(at(15, 15)).toEqual([255, 0, 0]);
    expect(at(2, 2)).toEqual([0, 0, 255]);
  });

  test('transitions-demo runs with no input: one tile per state of the synthetic clip', async () => {
    const r = await cli(['run', 'transitions-demo', '--set', 'events=3', '--out', join(ws.dir, 'cli-demo'), '--json'], { cwd: ws.dir, env: ws.env });
    expect(r.code).toBe(0);
    const { outputs } = JSON.parse(r.stdout) as { outputs: { preview: { width: number; height: number }; save: { path: string } } };
    // 3 events -> 4 states; 256x256-area tiles of a 320x240 clip are 288x224, in a 2 x 2 grid with 4 px padding.
    expect(outputs.preview).toMatchObject({ width: 2 * 288 + 3 * 4, height: 2 * 224 + 3 * 4 });
    expect((await readImage(outputs.save.path)).width).toBe(2 * 288 + 3 * 4);
  });

  test('a shipped template without its inputs fails with a message naming the node', async () => {
    const r = await cli(['run', 'mask-overlay', '--out', join(ws.dir, 'cli-empty')], { cwd: ws.dir, env: ws.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/image\/load/);
  });
});

describe('through the API', () => {
  let t: TestServer;
  beforeAll(async () => (t = await startTestServer({ registry: builtinRegistry(), graphsDir: join(process.cwd(), 'graphs') })));
  afterAll(() => t.close());

  async function runTemplate(name: string, params: Record<string, unknown>) {
    const graph = await (await t.api(`/api/graphs/${name}`)).json();
    const res = await t.api('/api/runs', { method: 'POST', json: { graph, inputs: params } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    for (;;) {
      const run = (await (await t.api(`/api/runs/${id}`)).json()) as { status: string; outputs: Record<string, { path?: string }>; error: unknown };
      if (!['queued', 'running'].includes(run.status)) return run;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('both shipped templates are listed', async () => {
    const { graphs } = (await (await t.api('/api/graphs')).json()) as { graphs: Array<{ name: string; source: string }> };
    expect(graphs).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'contact-sheet', source: 'shipped' }), expect.objectContaining({ name: 'mask-overlay', source: 'shipped' })]));
  });

  test('contact-sheet runs from /api/graphs with inputs and its output file is served', async () => {
    const run = await runTemplate('contact-sheet', { images: `${inputs.a}\n${inputs.b}\n${inputs.a}`, width: 16, height: 16, columns: 3, padding: 0 });
    expect(run.status).toBe('succeeded');
    const path = run.outputs.save!.path!;
    expect((await readImage(path)).width).toBe(48);
    const served = await t.api(`/api/files/outputs/${path.split('/outputs/')[1]}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/image\/png/);
  });

  test('mask-overlay runs from /api/graphs with inputs', async () => {
    const run = await runTemplate('mask-overlay', { image: inputs.a, mask: inputs.mask, opacity: 1, color: '#00ff00' });
    expect(run.status).toBe('succeeded');
    const img = await readImage(run.outputs.save!.path!);
    expect(Array.from(img.data.subarray((15 * img.width + 15) * img.channels, (15 * img.width + 15) * img.channels + 3))).toEqual([0, 255, 0]);
  });
});

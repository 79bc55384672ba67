/** Checkpoints: round trip, exact resume (10 losses bit-identical on CPU), EMA export that ml/edit loads and edits with. */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { InContextSession, editPrompt, loadEditModel } from '../../ml/edit/index.js';
import { Trainer, latestCheckpoint, listCheckpoints, loadCheckpoint, type StepReport, type TrainerOptions } from '../../ml/train/index.js';
import { syntheticSessions, tinyModelDir } from './train-fixtures.js';

let fixture: Awaited<ReturnType<typeof tinyModelDir>>;
beforeAll(async () => { fixture = await tinyModelDir(); });
afterAll(async () => { await fixture?.done(); });

const sessions = syntheticSessions(5);
function options(extra: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    model: fixture.model, sessions: () => sessions, batchSize: 2, seed: 11, lr: { base: 2e-3, warmup: 3 }, clipNorm: 1, threads: 1, ...extra,
  };
}

describe('train checkpoints', () => {
  test('a run resumed from a step-5 checkpoint gives the next 10 losses bit for bit', async () => {
    const full = await Trainer.create(options());
    const straight = (await full.run(15)).map((r) => r.loss);
    await full.release();

    const dir = path.join(fixture.dir, 'ckpt');
    const seen: StepReport[] = [];
    const first = await Trainer.create(options({ checkpoint: { dir, every: 5, keep: 2 }, onStep: (r) => { seen.push(r); } }));
    await first.run(7);
    await first.release();
    expect(seen.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen[0]!.lr).toBeCloseTo(2e-3 / 3, 12);
    expect(seen.every((r) => Number.isFinite(r.gradNorm) && r.stepsPerSecond > 0)).toBe(true);
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([5]);

    const at = await latestCheckpoint(dir);
    const resumed = await Trainer.create(options(), { resume: at! });
    expect(resumed.step).toBe(5);
    const next = (await resumed.run(10)).map((r) => r.loss);
    await resumed.release();
    expect(next).toEqual(straight.slice(5, 15));
  });

  test('a checkpoint round-trips weights, optimizer state, step, random state and config', async () => {
    const t = await Trainer.create(options());
    await t.run(2);
    const dir = path.join(fixture.dir, 'round');
    const folder = await t.save(dir);
    const back = await loadCheckpoint(folder);
    const now = t.checkpoint();
    expect(back.step).toBe(2);
    expect(back.random).toEqual(now.random);
    expect(back.config).toEqual(JSON.parse(JSON.stringify(now.config)));
    for (const [k, v] of now.weights) expect(back.weights.get(k)!.data).toEqual(v.data);
    for (const [k, v] of now.optimizer) expect(back.optimizer.get(k)!.data).toEqual(v.data);
    expect([...back.optimizer.keys()].some((k) => k.startsWith('ema.'))).toBe(true);
    expect(existsSync(path.join(dir, '.step-00000002.tmp-' + process.pid))).toBe(false);
    await t.release();
  });

  test('cancelling between steps stops the run; the EMA export loads with ml/edit and runs one edit turn', async () => {
    const controller = new AbortController();
    const t = await Trainer.create(options({ onStep: (r) => { if (r.step === 2) controller.abort(); } }));
    const reports = await t.run(10, { signal: controller.signal });
    expect(reports).toHaveLength(2);
    const folder = await t.exportEma(path.join(fixture.dir, 'exported'));
    await t.release();
    const model = await loadEditModel(folder, { device: 'cpu' });
    const s = await InContextSession.open(model, { steps: 2, seed: 1 });
    const z0 = await model.vae.encode(sessions[0]!.frames[0]!  as { width: number; height: number; channels: 3; data: Uint8Array });
    await s.addContext('', z0);
    const z1 = await s.generate(editPrompt(1, 'move the square to the right'), { height: z0.height, width: z0.width });
    const img = await model.vae.decode(z1);
    expect([img.width, img.height]).toEqual([16, 16]);
  });
});

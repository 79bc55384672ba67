/**
 * Multi-turn in-context sampling with the tiny editing model: the context cache changes nothing but the
 * cost, seeds make CPU output bit-identical, and a cancelled turn stops between steps and leaves the
 * session usable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editPrompt, InContextSession, loadEditModel, releaseEditModels, writeTinyEditModel, type EditModel, type InContextOptions } from '../../ml/edit/index.js';
import type { Latent } from '../../ml/diffusion/index.js';

let dir: string;
let model: EditModel;
let source: Latent;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cinegraph-edit-'));
  model = await loadEditModel(await writeTinyEditModel(join(dir, 'tiny-edit')), { device: 'cpu' });
  const data = new Uint8Array(16 * 12 * 3).map((_, i) => (i * 37) % 256);
  source = await model.vae.encode({ width: 16, height: 12, channels: 3, data });
});
afterAll(async () => {
  await releaseEditModels();
  await rm(dir, { recursive: true, force: true });
});

const instructions = ['make the cup red', 'add a hat', 'turn it into a sketch'];

/** Edits the source over the instructions; returns each turn's latent and the DiT runs it made. */
async function edit(options: InContextOptions, turns = instructions): Promise<{ latents: Float32Array[]; runs: number }> {
  const before = model.stats.runs;
  const s = await InContextSession.open(model, { steps: 5, shift: 3, seed: 7, ...options });
  await s.addContext('', source);
  const latents: Float32Array[] = [];
  for (const [i, text] of turns.entries()) latents.push((await s.generate(editPrompt(i + 1, text), source)).data);
  return { latents, runs: model.stats.runs - before };
}

function maxDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let m = 0;
  a.forEach((x, k) => x.forEach((v, i) => (m = Math.max(m, Math.abs(v - b[k]![i]!)))));
  return m;
}

describe('the context cache', () => {
  test.each(['joint', 'split'] as const)('cached sampling equals recomputing the session every step over 3 turns (%s layout, with CFG)', async (layout) => {
    const guidance = { scale: 4, imageScale: 1.5, negativePrompt: 'blurry' };
    const cached = await edit({ layout, guidance, cache: true });
    const uncached = await edit({ layout, guidance, cache: false });
    expect(maxDiff(cached.latents, uncached.latents)).toBeLessThanOrEqual(1e-4);
    // The turns really differ from each other and from noise-free zeros.
    expect(maxDiff([cached.latents[0]!], [cached.latents[1]!])).toBeGreaterThan(1e-3);
    // One run per step, plus one run per turn that caches the turns before it.
    expect(cached.runs).toBe(3 * 5 + 3);
    expect(uncached.runs).toBe(3 * 5);
  });

  test('full attention lets earlier turns see later ones, so its edits differ from block-causal ones', async () => {
    const full = await edit({ attention: 'full' });
    const causal = await edit({ attention: 'block-causal' });
    expect(maxDiff([full.latents[0]!], [causal.latents[0]!])).toBeGreaterThan(1e-3);
  });
});

describe('seeds', () => {
  test('the same seed gives bit-identical CPU output; another seed does not', async () => {
    const a = await edit({ seed: 3, guidance: { scale: 2 } });
    const b = await edit({ seed: 3, guidance: { scale: 2 } });
    const c = await edit({ seed: 4, guidance: { scale: 2 } });
    a.latents.forEach((x, k) => expect(Buffer.from(x.buffer).equals(Buffer.from(b.latents[k]!.buffer))).toBe(true));
    expect(maxDiff(a.latents, c.latents)).toBeGreaterThan(1e-3);
  });
});

describe('cancellation', () => {
  test('an abort stops the turn between steps; the session then continues as if the turn never started', async () => {
    const s = await InContextSession.open(model, { steps: 20, shift: 3, seed: 7 });
    await s.addContext('', source);
    const controller = new AbortController();
    const seen: number[] = [];
    const turn = s.generate(editPrompt(1, 'make the cup red'), {
      ...source, signal: controller.signal, onStep: ({ step }) => { seen.push(step); if (step === 3) controller.abort(); },
    });
    await expect(turn).rejects.toThrow(/cancel|abort/i);
    expect(seen).toEqual([1, 2, 3]);
    expect(s.turns).toBe(1);
    // The next turn gives what an uninterrupted session gives.
    const resumed = await s.generate(editPrompt(1, 'make the cup red'), source);
    const fresh = await edit({ steps: 20, seed: 7 }, ['make the cup red']);
    expect(maxDiff([resumed.data], fresh.latents)).toBeLessThanOrEqual(1e-4);
  });
});

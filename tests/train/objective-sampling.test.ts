/** The objective's draws: rates over many samples, and determinism from the seed. */
import { planSample, resolveObjective, type SessionShape } from '../../ml/train/index.js';

const shape: SessionShape = {
  frames: 4,
  transitions: Array.from({ length: 3 }, () => ({ text: 'move it', regions: { source: 'a', target: 'a' }, hasMask: { source: true, target: true } })),
};

describe('train objective: sampling', () => {
  test('task ratios, mask inclusion, context and text dropout and logit-normal timesteps match their settings over 6000 draws', () => {
    const o = resolveObjective({ taskRatios: { NIP: 0.5, CSP: 0.3, NSP: 0.2 } });
    const N = 6000;
    const count = { NIP: 0, CSP: 0, NSP: 0 };
    let masks = 0, text = 0, curMask = 0, curMaskN = 0, nextMask = 0, nextMaskN = 0, frame = 0, frameN = 0;
    const logits: number[] = [];
    for (let k = 0; k < N; k++) {
      const p = planSample(shape, o, { seed: 9, step: Math.floor(k / 8), sample: k % 8 });
      count[p.task]++;
      if (p.masksIncluded) masks++;
      if (p.textDropped) text++;
      if (p.task !== 'CSP') { frameN++; if (p.dropped.currentFrame) frame++; }
      if (p.masksIncluded && p.task !== 'CSP') { curMaskN++; if (p.dropped.currentMask) curMask++; }
      if (p.masksIncluded && p.task === 'NIP') { nextMaskN++; if (p.dropped.nextMask) nextMask++; }
      logits.push(Math.log(p.timestep / (1 - p.timestep)));
      expect(p.turns.filter((t) => t.role === 'target')).toHaveLength(1);
      expect(p.turns.at(-1)!.role).toBe('target');
    }
    const tol = (n: number) => 4 * Math.sqrt(0.25 / n);
    expect(Math.abs(count.NIP / N - 0.5)).toBeLessThan(tol(N));
    expect(Math.abs(count.CSP / N - 0.3)).toBeLessThan(tol(N));
    expect(Math.abs(count.NSP / N - 0.2)).toBeLessThan(tol(N));
    expect(Math.abs(masks / N - 0.8)).toBeLessThan(tol(N));
    expect(Math.abs(text / N - 0.1)).toBeLessThan(tol(N));
    expect(Math.abs(frame / frameN - 0.2)).toBeLessThan(tol(frameN));
    expect(Math.abs(curMask / curMaskN - 0.7)).toBeLessThan(tol(curMaskN));
    expect(Math.abs(nextMask / nextMaskN - 0.7)).toBeLessThan(tol(nextMaskN));
    const mean = logits.reduce((a, b) => a + b, 0) / N;
    const std = Math.sqrt(logits.reduce((a, b) => a + (b - mean) ** 2, 0) / N);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  test('a custom logit-normal (mean 0.5, std 1.25) is followed', () => {
    const o = resolveObjective({ timestepMean: 0.5, timestepStd: 1.25 });
    const l = Array.from({ length: 4000 }, (_, k) => planSample(shape, o, { seed: 3, step: k, sample: 0 }).timestep).map((t) => Math.log(t / (1 - t)));
    const mean = l.reduce((a, b) => a + b, 0) / l.length;
    const std = Math.sqrt(l.reduce((a, b) => a + (b - mean) ** 2, 0) / l.length);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.08);
    expect(Math.abs(std - 1.25)).toBeLessThan(0.06);
  });

  test('the same seed, step and sample give the same plan; another seed or step another one', () => {
    const o = resolveObjective();
    const a = planSample(shape, o, { seed: 5, step: 17, sample: 2 });
    expect(planSample(shape, o, { seed: 5, step: 17, sample: 2 })).toEqual(a);
    const others = [planSample(shape, o, { seed: 6, step: 17, sample: 2 }), planSample(shape, o, { seed: 5, step: 18, sample: 2 }), planSample(shape, o, { seed: 5, step: 17, sample: 3 })];
    for (const b of others) expect(b.timestep).not.toBe(a.timestep);
  });

  test('CSP and NSP fall back to NIP on a transition without masks, and bad ratios are refused', () => {
    const bare: SessionShape = { frames: 2, transitions: [{ text: 'x', regions: { source: '', target: '' }, hasMask: { source: false, target: false } }] };
    const o = resolveObjective({ taskRatios: { NIP: 0, CSP: 1, NSP: 1 } });
    const p = planSample(bare, o, { seed: 1, step: 0, sample: 0 });
    expect(p.task).toBe('NIP');
    expect(p.turns.at(-1)!.image).toEqual({ kind: 'frame', index: 1 });
    expect(() => resolveObjective({ taskRatios: { NIP: 0, CSP: 0, NSP: 0 } })).toThrow(/taskRatios/);
  });
});

/**
 * ml/diffusion: shifted trailing timesteps, Euler and Heun sampling toward a known target, guidance,
 * per-step callbacks and cancellation between steps.
 */
import {
  addNoise, combineGuidance, gaussianNoise, guidanceBranches, guidedVelocity, predictX0, sample, SAMPLING_SHIFT,
  separateBranches, uniformTrailingTimesteps, velocityTarget, type BranchVelocity, type GuidanceBranch, type Velocity,
} from '../../ml/diffusion/index.js';

/** v = noise - target, with the noise implied by x_t = (1 - t) target + t noise: a model that knows the answer. */
function pointingAt(target: Float32Array, calls: number[] = []): Velocity {
  return async (x, t) => {
    calls.push(t);
    const v = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) v[i] = (x[i]! - (1 - t) * target[i]!) / t - target[i]!;
    return v;
  };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('uniform trailing timesteps with the SD3 shift', () => {
  test('match hand-computed values', () => {
    // raw 1, 0.75, 0.5, 0.25 -> 3t / (1 + 2t) -> 1, 0.9, 0.75, 0.5, then the final 0
    expect(uniformTrailingTimesteps(4, 3)).toEqual([1, 0.9, 0.75, 0.5, 0]);
    expect(uniformTrailingTimesteps(4, 1)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const t = uniformTrailingTimesteps(50, SAMPLING_SHIFT['vincie-3b']);
    expect(t).toHaveLength(51);
    expect(t[0]).toBe(1);
    expect(t[1]).toBeCloseTo(11.76 / 11.78, 12); // 12 * 0.98 / (1 + 11 * 0.98)
    expect(t[25]).toBeCloseTo(6 / 6.5, 12); // raw 0.5
    expect(t[49]).toBeCloseTo(0.24 / 1.22, 12); // raw 0.02
    expect(t[50]).toBe(0);
    expect(uniformTrailingTimesteps(50, SAMPLING_SHIFT['vincie-7b'])[25]).toBeCloseTo(5 / 5.5, 12);
  });

  test('reject bad step counts and shifts', () => {
    expect(() => uniformTrailingTimesteps(0)).toThrow(/positive integer/);
    expect(() => uniformTrailingTimesteps(10, 0)).toThrow(/shift must be > 0/);
  });
});

describe('the lerp schedule', () => {
  test('x_t, v and the predicted x0 agree', () => {
    const x0 = gaussianNoise(64, 1);
    const noise = gaussianNoise(64, 2);
    const xt = addNoise(x0, noise, 0.3);
    expect(maxAbsDiff(predictX0(xt, velocityTarget(x0, noise), 0.3), x0)).toBeLessThan(1e-6);
  });
});

describe('sampling toward a known target', () => {
  const target = Float32Array.from(gaussianNoise(3 * 8 * 8, 99), (v) => 0.5 * v + 0.1);
  const noise = gaussianNoise(target.length, 7);

  test('50 Euler steps (shift 12) land within 1e-3 of the target', async () => {
    const calls: number[] = [];
    const x = await sample(pointingAt(target, calls), noise, { steps: 50, shift: 12 });
    expect(calls).toHaveLength(50);
    expect(maxAbsDiff(x, target)).toBeLessThan(1e-3);
    expect(maxAbsDiff(noise, target)).toBeGreaterThan(1); // it did move
  });

  test('50 Heun steps land within 1e-3 of the target, with two model calls per step but the last', async () => {
    const calls: number[] = [];
    const x = await sample(pointingAt(target, calls), noise, { steps: 50, shift: 12, method: 'heun' });
    expect(calls).toHaveLength(99);
    expect(maxAbsDiff(x, target)).toBeLessThan(1e-3);
  });

  test('a model that points elsewhere does not land on the target', async () => {
    const other = Float32Array.from(target, (v) => v + 0.5);
    const x = await sample(pointingAt(other), noise, { steps: 50, shift: 12 });
    expect(maxAbsDiff(x, target)).toBeGreaterThan(0.4);
  });

  test('reports progress and a preview of the predicted sample after every step', async () => {
    const seen: { step: number; steps: number; t: number; tNext: number }[] = [];
    let lastPreviewError = Infinity;
    const timesteps = uniformTrailingTimesteps(10, 3);
    await sample(pointingAt(target), noise, {
      timesteps,
      onStep: ({ step, steps, t, tNext, x0 }) => {
        seen.push({ step, steps, t, tNext });
        lastPreviewError = maxAbsDiff(x0, target);
      },
    });
    expect(seen.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.every((s) => s.steps === 10)).toBe(true);
    expect(seen.map((s) => s.t)).toEqual(timesteps.slice(0, 10));
    expect(seen.map((s) => s.tNext)).toEqual(timesteps.slice(1));
    expect(lastPreviewError).toBeLessThan(1e-4);
  });

  test('stops between steps when the signal aborts, without calling the model again', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const run = sample(pointingAt(target, calls), noise, {
      steps: 50,
      signal: controller.signal,
      onStep: ({ step }) => void (step === 3 && controller.abort(new Error('user cancelled'))),
    });
    await expect(run).rejects.toThrow('user cancelled');
    expect(calls).toHaveLength(3);
  });

  test('an already aborted signal runs no step', async () => {
    const calls: number[] = [];
    const run = sample(pointingAt(target, calls), noise, { steps: 5, signal: AbortSignal.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toHaveLength(0);
  });

  test('the same seed gives a bit-identical sample', async () => {
    const a = await sample(pointingAt(target), gaussianNoise(target.length, 1234), { steps: 20, shift: 12, method: 'heun' });
    const b = await sample(pointingAt(target), gaussianNoise(target.length, 1234), { steps: 20, shift: 12, method: 'heun' });
    expect(Buffer.compare(bits(a), bits(b))).toBe(0);
  });
});

describe('classifier-free guidance', () => {
  const target = gaussianNoise(48, 5);
  const elsewhere = Float32Array.from(target, (v) => v - 1);
  const noise = gaussianNoise(48, 6);

  test('scale 1 asks for the conditional branch only and equals no guidance bit for bit', async () => {
    const asked: GuidanceBranch[][] = [];
    const cond = pointingAt(target);
    const branches: BranchVelocity = async (x, t, which) => {
      asked.push([...which]);
      return Promise.all(which.map((b) => (b === 'cond' ? cond : pointingAt(elsewhere))(x, t)));
    };
    const guided = await sample(guidedVelocity(branches, { scale: 1 }), noise, { steps: 12, shift: 3 });
    const plain = await sample(cond, noise, { steps: 12, shift: 3 });
    expect(Buffer.compare(bits(guided), bits(plain))).toBe(0);
    expect(asked.every((b) => b.length === 1 && b[0] === 'cond')).toBe(true);
  });

  test('a scale above 1 pushes away from the unconditional prediction', async () => {
    const model = separateBranches({ cond: pointingAt(target), uncond: pointingAt(elsewhere) });
    const x = await sample(guidedVelocity(model, { scale: 3 }), noise, { steps: 20 });
    // v = u + 3 (c - u) points at target + 2 (target - elsewhere) = target + 2
    expect(maxAbsDiff(x, Float32Array.from(target, (v) => v + 2))).toBeLessThan(1e-3);
  });

  test('branches and the image guidance rule', () => {
    expect(guidanceBranches({ scale: 1 })).toEqual(['cond']);
    expect(guidanceBranches({ scale: 7.5 })).toEqual(['cond', 'uncond']);
    expect(guidanceBranches({ scale: 7.5, imageScale: 1 })).toEqual(['cond', 'uncond']);
    expect(guidanceBranches({ scale: 7.5, imageScale: 1.5 })).toEqual(['cond', 'uncond', 'uncondImage']);
    const cond = Float32Array.of(3);
    const uncond = Float32Array.of(1);
    const uncondImage = Float32Array.of(0);
    expect(combineGuidance({ cond, uncond }, { scale: 7.5 })[0]).toBe(1 + 7.5 * 2);
    // uI + sI (u - uI) + s (c - u) = 0 + 1.5 * 1 + 2 * 2
    expect(combineGuidance({ cond, uncond, uncondImage }, { scale: 2, imageScale: 1.5 })[0]).toBe(5.5);
    expect(() => combineGuidance({ cond }, { scale: 2 })).toThrow(/"uncond" branch is missing/);
  });
});

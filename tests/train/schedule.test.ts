/** Learning-rate schedules: warmup, constant, cosine decay to a fraction, and bad settings. */
import { learningRate } from '../../ml/train/index.js';

test('a linear warmup reaches the base rate, which then stays constant without a decay', () => {
  const s = { base: 1e-3, warmup: 10 };
  expect(learningRate(s, 1)).toBeCloseTo(1e-4, 12);
  expect(learningRate(s, 5)).toBeCloseTo(5e-4, 12);
  expect(learningRate(s, 10)).toBe(1e-3);
  expect(learningRate(s, 10_000)).toBe(1e-3);
});

test('a cosine decay goes from the base rate after the warmup to base * decayTo at total, half-way at the middle', () => {
  const s = { base: 2e-3, warmup: 100, decayTo: 0.1, total: 1100 };
  expect(learningRate(s, 50)).toBeCloseTo(1e-3, 12);
  expect(learningRate(s, 100)).toBeCloseTo(2e-3, 12);
  expect(learningRate(s, 600)).toBeCloseTo(2e-3 * 0.55, 12);
  expect(learningRate(s, 1100)).toBeCloseTo(2e-4, 12);
  expect(learningRate(s, 5000)).toBeCloseTo(2e-4, 12);
  const rates = Array.from({ length: 1000 }, (_, i) => learningRate(s, 101 + i));
  expect(rates.every((r, i) => i === 0 || r <= rates[i - 1]!)).toBe(true);
});

test('bad schedules are refused with the setting named', () => {
  expect(() => learningRate({ base: 0 }, 1)).toThrow(/learning rate must be > 0/);
  expect(() => learningRate({ base: 1e-3, warmup: -1 }, 1)).toThrow(/warmup/);
  expect(() => learningRate({ base: 1e-3, decayTo: 2, total: 10 }, 5)).toThrow(/decayTo/);
  expect(() => learningRate({ base: 1e-3, warmup: 10, decayTo: 0.1, total: 10 }, 12)).toThrow(/after the warmup/);
});

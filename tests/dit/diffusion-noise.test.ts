/** Seeded noise: Philox4x32-10 against Random123's known answers, and bit-identical, sliceable draws. */
import { gaussianNoise, philox4x32 } from '../../ml/diffusion/index.js';

/** The first four float32 values of seed 42 (-0.97019, 0.19402, -1.23562, 1.92393), as bits. */
const PINNED_SEED_42 = ['bf785e5c', '3e46ace8', 'bf9e28d2', '3ff6433b'];

const hex = (a: Uint32Array) => [...a].map((v) => v.toString(16).padStart(8, '0'));
const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)].map((v) => v.toString(16).padStart(8, '0'));

test("Philox4x32-10 gives Random123's known-answer vectors", () => {
  expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
  expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
});

test('a seed gives the same bits every time, and these bits (pinned so a change of algorithm is noticed)', () => {
  const a = gaussianNoise(1000, 42);
  const b = gaussianNoise(1000, 42);
  expect(bits(a)).toEqual(bits(b));
  expect(bits(a.subarray(0, 4))).toEqual(PINNED_SEED_42);
});

test('different seeds and streams differ; an offset draw is a slice of a longer one', () => {
  const a = gaussianNoise(256, 1);
  expect(bits(gaussianNoise(256, 2))).not.toEqual(bits(a));
  expect(bits(gaussianNoise(256, 1, { stream: 1 }))).not.toEqual(bits(a));
  expect(bits(gaussianNoise(100, 1, { offset: 77 }))).toEqual(bits(a.subarray(77, 177)));
  expect(bits(gaussianNoise(8, 2 ** 40 + 3))).not.toEqual(bits(gaussianNoise(8, 3)));
});

test('the draws are standard normal', () => {
  const n = gaussianNoise(200_000, 9);
  const mean = n.reduce((s, v) => s + v, 0) / n.length;
  const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
  expect(Math.abs(mean)).toBeLessThan(0.01);
  expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  const within1 = n.filter((v) => Math.abs(v) < 1).length / n.length;
  expect(within1).toBeCloseTo(0.6827, 2);
});

test('bad seeds are refused', () => {
  expect(() => gaussianNoise(4, -1)).toThrow(/seed/);
  expect(() => gaussianNoise(4, 1.5)).toThrow(/seed/);
});

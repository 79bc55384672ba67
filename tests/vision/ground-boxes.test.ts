/** Box decoding, overlap and suppression for grounding, against values worked out by hand. */
import { cxcywhToXyxy, decodeGroundingOutputs, drawBoxes, iou, nms, outlineBoxes, parsePhrases } from '../../ml/models/index.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Boxes rounded to 1e-6 px (the decoding multiplies normalised floats). */
const rounded = <B extends { box: number[] }>(bs: B[]) => bs.map((b) => ({ ...b, box: b.box.map((v) => Math.round(v * 1e6) / 1e6) }));

describe('cxcywh -> pixel corners', () => {
  test('a centred box on a 200x100 image', () => {
    expect(cxcywhToXyxy([0.5, 0.5, 0.5, 0.5], 200, 100)).toEqual([50, 25, 150, 75]);
  });
  test('a box past the right edge is clamped to the image', () => {
    expect(cxcywhToXyxy([0.9, 0.5, 0.4, 0.2], 100, 50)).toEqual([70, 20, 100, 30]);
  });
});

describe('iou and nms', () => {
  test('iou of half-overlapping squares is 1/3; of disjoint boxes 0', () => {
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
  });
  test('suppresses a lower-scored overlapping box of the same phrase only', () => {
    const kept = nms(
      [
        { phrase: 'cup', score: 0.8, box: [1, 0, 11, 10] },
        { phrase: 'cup', score: 0.9, box: [0, 0, 10, 10] },
        { phrase: 'person', score: 0.7, box: [0, 0, 10, 10] },
        { phrase: 'cup', score: 0.6, box: [30, 30, 40, 40] },
      ],
      0.5,
    );
    expect(kept.map((b) => [b.phrase, b.score])).toEqual([['cup', 0.9], ['person', 0.7], ['cup', 0.6]]);
  });
});

describe('decodeGroundingOutputs', () => {
  // Text "[CLS] red cup . person . [SEP]": spans red cup = [1, 2], person = [4]; 8 slots, the rest -inf.
  const slots = 8;
  const row = (values: Record<number, number>) => Array.from({ length: slots }, (_, t) => (t >= 7 ? -Infinity : values[t] ?? -5));
  const logits = [
    ...row({ 1: 2, 2: -1 }), // q0: red cup, sigmoid(2)
    ...row({ 1: 1 }), // q1: red cup again, weaker, overlapping q0
    ...row({ 4: 0.5 }), // q2: person, sigmoid(0.5)
    ...row({}), // q3: nothing
    ...row({ 3: 3, 1: -2, 4: -2 }), // q4: only the "." fires: no phrase above the text threshold
  ];
  const boxes = [0.5, 0.5, 0.5, 0.5, 0.52, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.2, 0.5, 0.5, 1, 1, 0.5, 0.5, 0.2, 0.2];
  const spans = [[1, 2], [4]];

  test('thresholds, phrase labels, pixel boxes and suppression', () => {
    const out = decodeGroundingOutputs(logits, boxes, 5, slots, spans, ['red cup', 'person'], 200, 100, { boxThreshold: 0.35, textThreshold: 0.25 });
    expect(rounded(out)).toEqual([
      { phrase: 'red cup', score: sigmoid(2), box: [50, 25, 150, 75] },
      { phrase: 'person', score: sigmoid(0.5), box: [20, 10, 60, 30] },
    ]);
  });

  test('a higher box threshold drops the weaker detection', () => {
    const out = decodeGroundingOutputs(logits, boxes, 5, slots, spans, ['red cup', 'person'], 200, 100, { boxThreshold: 0.7, textThreshold: 0.25 });
    expect(out.map((b) => b.phrase)).toEqual(['red cup']);
  });

  test('without suppression the overlapping duplicate stays', () => {
    const out = decodeGroundingOutputs(logits, boxes, 5, slots, spans, ['red cup', 'person'], 200, 100, { boxThreshold: 0.35, textThreshold: 0.25, iouThreshold: 1 });
    expect(rounded(out).map((b) => b.box)).toEqual([[50, 25, 150, 75], [54, 25, 154, 75], [20, 10, 60, 30]]);
  });
});

test('phrases: one per line or comma separated, trimmed, trailing dots and duplicates dropped', () => {
  expect(parsePhrases('red cup, person\n blue car.\n\nRed cup')).toEqual(['red cup', 'person', 'blue car']);
  expect(parsePhrases(['a', ' ', 'b'])).toEqual(['a', 'b']);
});

describe('box outlines on previews', () => {
  /** The pixels a box outline covers by definition: inside the box and the frame, within `t` of a side. */
  const outlined = (w: number, h: number, [x0, y0, x1, y1]: number[], t: number) => {
    const set = new Set<number>();
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      if (inside && (x < x0 + t || x >= x1 - t || y < y0 + t || y >= y1 - t)) set.add(y * w + x);
    }
    return set;
  };

  test.each([
    ['inside the frame', [2, 2, 9, 8], 2],
    ['thicker than half the box: filled', [3, 1, 6, 9], 2],
    ['past the left and top edges', [-3, -2, 5, 4], 1],
    ['past the right and bottom edges', [7, 5, 15, 14], 3],
    ['fractional corners, rounded', [1.4, 2.6, 8.5, 6.49], 1],
  ])('%s', (_name, box, t) => {
    const [w, h] = [12, 10];
    const image = { width: w, height: h, channels: 3 as const, data: new Uint8Array(w * h * 3).fill(7) };
    const out = outlineBoxes(image, [{ phrase: 'cup', score: 1, box: box as [number, number, number, number] }], t);
    expect(out).toBe(image); // in place
    const expected = outlined(w, h, box.map(Math.round), t);
    const painted = new Set<number>();
    for (let p = 0; p < w * h; p++) if (out.data[p * 3] !== 7 || out.data[p * 3 + 1] !== 7 || out.data[p * 3 + 2] !== 7) painted.add(p);
    expect([...painted].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
  });

  test('drawBoxes copies a grey image to RGB and leaves the input alone', () => {
    const grey = { width: 4, height: 4, channels: 1 as const, data: new Uint8Array(16).fill(50) };
    const out = drawBoxes(grey, [{ phrase: 'cup', score: 1, box: [0, 0, 4, 4] }], 1);
    expect([out.width, out.height, out.channels]).toEqual([4, 4, 3]);
    expect(Array.from(out.data.subarray(5 * 3, 5 * 3 + 3))).toEqual([50, 50, 50]); // (1, 1): inside, not on the outline
    expect(Array.from(out.data.subarray(0, 3))).not.toEqual([50, 50, 50]);
    expect(grey.data.every((v) => v === 50)).toBe(true);
  });
});

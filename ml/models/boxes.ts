/**
 * Box arithmetic for grounding: centre-format decoding into pixel corners, intersection over union,
 * per-phrase non-maximum suppression. Pure functions, checked by hand in tests/vision/ground*.test.ts.
 */

/**
 * A detected box in pixels of the frame it was found in: corners `[x0, y0, x1, y1]` (x right, y down),
 * the phrase it answers and its score in [0, 1].
 * @example const box: ScoredBox = { phrase: 'red cup', score: 0.82, box: [12, 40, 96, 120] };
 */
export interface ScoredBox {
  phrase: string;
  score: number;
  box: [number, number, number, number];
}

/**
 * Converts a normalised centre-format box `[cx, cy, w, h]` (each in [0, 1] of the image) into pixel
 * corners `[x0, y0, x1, y1]`, clamped to the image.
 * @example cxcywhToXyxy([0.5, 0.5, 0.5, 0.25], 200, 100) // [50, 37.5, 150, 62.5]
 */
export function cxcywhToXyxy(
  [cx, cy, w, h]: readonly number[],
  width: number,
  height: number,
): [number, number, number, number] {
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [
    clamp((cx - w / 2) * width, width),
    clamp((cy - h / 2) * height, height),
    clamp((cx + w / 2) * width, width),
    clamp((cy + h / 2) * height, height),
  ];
}

/**
 * Intersection over union of two corner boxes (0 when either is empty).
 * @example iou([0, 0, 10, 10], [5, 0, 15, 10]) // 50 / 150 = 0.333…
 */
export function iou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const ih = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = iw * ih;
  const area = (r: readonly number[]) => Math.max(0, r[2]! - r[0]!) * Math.max(0, r[3]! - r[1]!);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression per phrase: boxes sorted by score (highest first), a box is dropped
 * when it overlaps a kept box of the same phrase by more than `iouThreshold`. The result is sorted by
 * score, highest first.
 * @example nms([{ phrase: 'cup', score: 0.9, box: [0, 0, 10, 10] }, { phrase: 'cup', score: 0.8, box: [1, 0, 11, 10] }], 0.5) // keeps the first only
 */
export function nms(boxes: readonly ScoredBox[], iouThreshold = 0.5): ScoredBox[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: ScoredBox[] = [];
  for (const candidate of sorted) {
    const suppressed = kept.some((k) => k.phrase === candidate.phrase && iou(k.box, candidate.box) > iouThreshold);
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}

/** Options of `decodeGroundingOutputs`. */
export interface DecodeOptions {
  /** A query is kept when its best token probability exceeds this. */
  boxThreshold: number;
  /** The query's phrase is the phrase whose best token probability is highest; it must exceed this. */
  textThreshold: number;
  /** Non-maximum suppression overlap (per phrase); 1 keeps everything. */
  iouThreshold?: number;
}

/**
 * Decodes GroundingDINO's raw outputs for one image into scored, phrase-labelled pixel boxes.
 * `logits` is `[queries, maxText]` (row-major), `predBoxes` `[queries, 4]` normalised cxcywh, and
 * `phraseTokens[p]` lists the token positions of phrase p in the text. A query's score is the sigmoid of
 * its best logit over all tokens (as GroundingDINO's own post-processing); its phrase is the phrase with
 * the highest token probability.
 * @example decodeGroundingOutputs(logits, boxes, 900, 256, [[1, 2]], ['red cup'], 640, 480, { boxThreshold: 0.35, textThreshold: 0.25 })
 */
export function decodeGroundingOutputs(
  logits: ArrayLike<number>,
  predBoxes: ArrayLike<number>,
  queries: number,
  maxText: number,
  phraseTokens: readonly (readonly number[])[],
  phrases: readonly string[],
  width: number,
  height: number,
  options: DecodeOptions,
): ScoredBox[] {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const found: ScoredBox[] = [];
  for (let q = 0; q < queries; q++) {
    const row = q * maxText;
    // The best logit of the row (NaN when any is NaN, as Math.max over the row would give).
    let best = -Infinity;
    for (let t = row, end = row + maxText; t < end; t++) {
      const v = logits[t]!;
      if (v > best) best = v;
      else if (v !== v) {
        best = NaN;
        break;
      }
    }
    const score = sigmoid(best);
    if (!(score > options.boxThreshold)) continue;
    let phrase = -1;
    let phraseScore = -Infinity;
    phraseTokens.forEach((tokens, p) => {
      for (const t of tokens) {
        const s = sigmoid(logits[row + t]!);
        if (s > phraseScore) (phraseScore = s), (phrase = p);
      }
    });
    if (phrase < 0 || !(phraseScore > options.textThreshold)) continue;
    const b = [0, 1, 2, 3].map((i) => predBoxes[q * 4 + i]!);
    found.push({ phrase: phrases[phrase]!, score, box: cxcywhToXyxy(b, width, height) });
  }
  return nms(found, options.iouThreshold ?? 0.5);
}

/**
 * Splits a phrases widget into phrases: one per line, or comma separated; blanks dropped, duplicates
 * removed, case kept.
 * @example parsePhrases('red cup, person\nblue car') // ['red cup', 'person', 'blue car']
 */
export function parsePhrases(text: string | readonly string[]): string[] {
  const parts = typeof text === 'string' ? text.split(/[\n,;]+/) : text;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of parts) {
    const p = raw.trim().replace(/\.+$/, '').trim();
    if (p && !seen.has(p.toLowerCase())) seen.add(p.toLowerCase()), out.push(p);
  }
  return out;
}

/**
 * The proof's measure: edit error on held-out sessions. For each session, the model edits frame I0 by the
 * instruction T0 (ml/edit's in-context sampling, as `dit/edit` does); the error is the mean absolute
 * difference (0..1) between the edited image and the true next frame I1, over the pixels of the change (the
 * union of the ground-truth masks M00 and M01). The copy-the-source baseline is the same error of I0 itself.
 */
import type { RawImage } from '../../media/image/index.js';
import type { Session } from '../../media/session/index.js';
import { editPrompt, InContextSession, type EditModel } from '../../ml/edit/index.js';

/** Sampling settings of the evaluation. */
export interface EditEvalOptions {
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number;
  /** Edits per session with different noise, their errors averaged (default 1). */
  readonly samples?: number;
}

/** Per-session and mean edit errors. */
export interface EditEval {
  readonly errors: readonly number[];
  readonly mean: number;
}

/**
 * The union of a transition's masks (pixels > 127 in either), as a 0/1 array of width x height.
 * @example const m = changeMask(session, 0);
 */
export function changeMask(s: Session, transition: number): Uint8Array {
  const pair = s.masks[transition];
  const { width, height } = s.frames[0]!;
  const m = new Uint8Array(width * height);
  for (const mask of [pair?.source, pair?.target]) {
    if (!mask) continue;
    if (mask.width !== width || mask.height !== height) throw new Error(`session ${s.record.key}: mask of ${mask.width}x${mask.height} for ${width}x${height} frames`);
    for (let i = 0; i < m.length; i++) if (mask.data[i * mask.channels]! > 127) m[i] = 1;
  }
  return m;
}

/**
 * Mean |a - b| / 255 over the RGB channels of the pixels where `mask` is 1 (NaN when the mask is empty).
 * @example maskedL1(edited, truth, mask) // 0.12
 */
export function maskedL1(a: RawImage, b: RawImage, mask: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i * a.channels + c]! - b.data[i * b.channels + c]!);
    n += 3;
  }
  return n ? sum / n / 255 : Number.NaN;
}

function summary(errors: number[]): EditEval {
  const kept = errors.filter((e) => Number.isFinite(e));
  return { errors, mean: kept.reduce((a, b) => a + b, 0) / kept.length };
}

/**
 * Edits I0 of each session by T0 and measures the masked L1 against I1.
 * @example const { mean } = await evaluateEdits(model, sessions, { steps: 20, guidance: 1, seed: 7 });
 */
export async function evaluateEdits(model: EditModel, sessions: readonly Session[], o: EditEvalOptions, onEach?: (i: number) => void): Promise<EditEval & { readonly images: readonly RawImage[] }> {
  const errors: number[] = [];
  const images: RawImage[] = [];
  const samples = o.samples ?? 1;
  for (const [i, s] of sessions.entries()) {
    const z0 = await model.vae.encode(s.frames[0]! as Parameters<typeof model.vae.encode>[0]);
    const mask = changeMask(s, 0);
    let sum = 0;
    for (let k = 0; k < samples; k++) {
      const edit = await InContextSession.open(model, { steps: o.steps, guidance: { scale: o.guidance }, seed: o.seed + i + k * 1_000_003 });
      await edit.addContext('', z0);
      const z1 = await edit.generate(editPrompt(1, s.record.transitions[0]!.text), { height: z0.height, width: z0.width });
      const out = (await model.vae.decode(z1)) as RawImage;
      if (k === 0) images.push(out);
      sum += maskedL1(out, s.frames[1]!, mask);
    }
    errors.push(sum / samples);
    onEach?.(i + 1);
  }
  return { ...summary(errors), images };
}

/**
 * The copy-the-source baseline: the masked L1 of I0 against I1.
 * @example copySourceError(sessions).mean
 */
export function copySourceError(sessions: readonly Session[]): EditEval {
  return summary(sessions.map((s) => maskedL1(s.frames[0]!, s.frames[1]!, changeMask(s, 0))));
}

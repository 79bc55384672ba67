/** vision/transition-masks: grounded masks M_i0 / M_i1 for every transition of a frame set. */
import { defineNode, T, type RawImage } from '../../engine/index.js';
import { detectPhrases, drawBoxes, segmentBoxes, type ScoredBox } from '../../ml/models/index.js';
import { gridImages, overlayMask, previewDataUrl } from '../../media/image/index.js';
import { chooseSideMask, masksAnnotator, sidePhrases, type RegionPhrase, type SideChoice } from '../../media/mask/index.js';
import type { MaskPair } from '../../media/session/index.js';
import { MASK_PAIRS } from '../mask/types.js';
import { FRAME_SET } from '../video/types.js';
import { deviceInput, detectorInput, segmenterInput, thresholdInputs } from './model-inputs.js';

type Side = 'source' | 'target';
type Grounding = { boxes: ScoredBox[]; scores: number[]; union: RawImage };

/** Reads the captions input: K captions whose `regions` are [{phrase, frame}]. */
function regionsOf(captions: unknown, pairs: number, source: string): RegionPhrase[][] {
  if (!Array.isArray(captions)) throw new Error(`input "captions" must be a list of ${pairs} captions (vision/caption-frame-set's captions), got ${typeof captions}`);
  if (captions.length !== pairs) throw new Error(`input "captions" has ${captions.length} caption(s) for the ${pairs} transition(s) of ${source}`);
  return captions.map((c, i) => {
    const regions = (c as { regions?: unknown } | null)?.regions ?? [];
    const ok = Array.isArray(regions) && regions.every((r) => typeof r?.phrase === 'string' && ['source', 'target', 'both'].includes(r?.frame));
    if (!ok) throw new Error(`input "captions": caption ${i} has no valid regions [{phrase, frame: source|target|both}]: ${JSON.stringify(regions).slice(0, 120)}`);
    return regions as RegionPhrase[];
  });
}

const COLORS = { grounded: [0, 200, 255], 'change-mask': [255, 140, 0], none: [0, 0, 0] } as const;

/**
 * The masks of each transition's changed regions on its source and target frame, grounded from the
 * captions' region phrases (GroundingDINO boxes -> SAM/SAM2 masks), with the change mask as cross-check
 * and fallback.
 * @example { "type": "vision/transition-masks", "inputs": { "frames": { "from": "sample", "output": "frames" }, "captions": { "from": "caption", "output": "captions" }, "changeMasks": { "from": "changes", "output": "masks" } } }
 */
export const transitionMasksNode = defineNode({
  type: 'vision/transition-masks',
  title: 'transition masks',
  description:
    "For each transition i of a frame set, grounds the caption's region phrases (source and both on frame i, target and both on frame i+1) with GroundingDINO and segments the boxes with SAM or SAM2: M_i0 and M_i1 as mask pairs for session/assemble. The change mask (mask/change-sequence) is the cross-check (IoU per frame in the report) and the fallback when grounding finds nothing, when there is no caption, or when a model widget is empty (both empty: change masks only). A region the caption places only in the other frame (the source of an \"add\") gets no mask. Outputs which annotator made the masks, for session/assemble's maskAnnotator.",
  inputs: {
    frames: { type: FRAME_SET, description: 'frames I0..IK of one session' },
    captions: { type: T.JSON, optional: true, description: "vision/caption-frame-set's captions: K entries with regions [{phrase, frame}]" },
    changeMasks: { type: MASK_PAIRS, optional: true, description: "mask/change-sequence's masks: the cross-check and the fallback" },
    detector: { ...detectorInput, description: `${detectorInput.description}; empty: change masks only` },
    segmenter: { ...segmenterInput, description: `${segmenterInput.description}; empty: change masks only` },
    ...thresholdInputs,
    minIoU: { type: T.FLOAT, default: 0, min: 0, max: 1, step: 0.05, description: 'a model mask whose IoU with the change mask is below this is replaced by the change mask (0: report the IoU only)' },
    fallback: { type: T.STRING, default: 'change-mask', choices: ['change-mask', 'none'], description: 'what a frame gets when its model mask is not kept' },
    device: deviceInput,
  },
  outputs: {
    masks: { type: MASK_PAIRS, description: 'one (M_i0, M_i1) pair per transition, aligned to frames i and i+1' },
    report: { type: T.JSON, description: 'per transition: {index, instruction, source: {used, phrases, boxes, iou, reason?}, target: {...}}' },
    annotator: { type: T.STRING, description: 'who made the masks: "<detector> -> <segmenter>", "change-mask", both, or "none"' },
    preview: { type: T.IMAGE, description: 'each transition as a row: source frame with M_i0, target frame with M_i1 (blue: model, orange: change mask)' },
  },
  version: 1,
  async run(inputs, ctx) {
    const { frames, source } = inputs.frames;
    const pairs = frames.length - 1;
    if (pairs < 1) throw new Error(`input "frames" has ${frames.length} frame(s) of ${source}: a transition needs 2`);
    const change = inputs.changeMasks;
    if (change && change.length !== pairs) throw new Error(`input "changeMasks" has ${change.length} pair(s) for the ${pairs} transition(s) of ${source}`);
    const regions = inputs.captions === undefined ? undefined : regionsOf(inputs.captions, pairs, source);
    const detector = inputs.detector.trim();
    const segmenter = inputs.segmenter.trim();
    const models = detector && segmenter ? `${detector} -> ${segmenter}` : '';
    const options = { device: inputs.device, log: ctx.log };

    // A frame is the target of one transition and the source of the next: ground it once per phrase list.
    const grounded = new Map<string, Promise<Grounding>>();
    const ground = (i: number, phrases: string[]): Promise<Grounding> => {
      const key = `${i}\u0000${phrases.join('\n')}`;
      let result = grounded.get(key);
      if (!result) {
        result = (async () => {
          ctx.signal.throwIfAborted();
          const boxes = await detectPhrases(frames[i]!, phrases, { ...options, model: detector, boxThreshold: inputs.boxThreshold, textThreshold: inputs.textThreshold });
          const { scores, union } = await segmentBoxes(frames[i]!, boxes, { ...options, model: segmenter });
          return { boxes, scores, union };
        })();
        grounded.set(key, result);
      }
      return result;
    };

    const masks: MaskPair[] = [];
    const report: unknown[] = [];
    const used: SideChoice['used'][] = [];
    const cells: RawImage[] = [];
    for (let i = 0; i < pairs; i++) {
      const phrases = regions ? sidePhrases(regions[i]!) : { source: [], target: [] };
      const sides = {} as Record<Side, SideChoice & { phrases: string[]; boxes: ScoredBox[] }>;
      for (const side of ['source', 'target'] as const) {
        const frame = side === 'source' ? i : i + 1;
        const names = phrases[side];
        const skipped = !models ? 'no detector or segmenter configured' : !regions?.[i]?.length ? 'the caption names no region' : undefined;
        const g = skipped || !names.length ? undefined : await ground(frame, names);
        const choice = chooseSideMask({
          grounded: g?.union,
          skipped,
          absent: !skipped && !names.length,
          change: change?.[i]?.[side],
          minIoU: inputs.minIoU,
          fallback: inputs.fallback as 'change-mask' | 'none',
        });
        sides[side] = { ...choice, phrases: names, boxes: g?.boxes ?? [] };
        used.push(choice.used);
        const shown = choice.mask ? overlayMask(frames[frame]!, choice.mask, [...COLORS[choice.used]], 0.45) : frames[frame]!;
        cells.push(drawBoxes(shown, g?.boxes ?? []));
      }
      masks.push({ source: sides.source.mask, target: sides.target.mask });
      const caption = (inputs.captions as { instruction?: string }[] | undefined)?.[i];
      const entry = (s: (typeof sides)[Side]) => ({
        used: s.used,
        phrases: s.phrases,
        boxes: s.boxes.map((b) => ({ ...b, box: b.box.map((v) => Math.round(v * 10) / 10) })),
        iou: s.iou,
        ...(s.reason ? { reason: s.reason } : {}),
      });
      report.push({ index: i, time: [frames[i]!.time, frames[i + 1]!.time], instruction: caption?.instruction ?? '', source: entry(sides.source), target: entry(sides.target) });
      ctx.progress(i + 1, pairs);
    }
    const preview = gridImages(cells, { columns: 2, padding: 2 });
    ctx.preview(await previewDataUrl(preview));
    return { masks, report, annotator: masksAnnotator(used, models), preview };
  },
});

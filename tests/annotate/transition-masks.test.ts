/**
 * vision/transition-masks on the project's tiny GroundingDINO and SAM2: caption phrases grounded on the
 * source and the target frame, the change mask as cross-check (IoU) and fallback, and which annotator
 * made the masks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawImage } from '../../engine/index.js';
import { changeMask } from '../../media/mask/index.js';
import type { MaskPair } from '../../media/session/index.js';
import { releaseModels } from '../../ml/models/index.js';
import { writeTinyModel } from '../../ml/models/tiny/index.js';
import type { Frame, FrameSet } from '../../nodes/video/types.js';
import { transitionMasksNode } from '../../nodes/vision/transition-masks.js';
import { recordingContext, runNode } from '../fixtures/images/helpers.js';

let dir: string;
let gdino: string;
let sam2: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-transition-masks-'));
  gdino = await writeTinyModel('grounding-dino', path.join(dir, 'gdino'));
  sam2 = await writeTinyModel('sam2', path.join(dir, 'sam2'));
});
afterAll(async () => {
  await releaseModels();
  await rm(dir, { recursive: true, force: true });
});

const W = 96;
const H = 64;
/** A grey frame with a red square at `box` (x0, y0, x1, y1). */
function frame(box: number[], index: number): Frame {
  const data = new Uint8Array(W * H * 3).fill(120);
  for (let y = box[1]!; y < box[3]!; y++) for (let x = box[0]!; x < box[2]!; x++) data.set([220, 30, 30], (y * W + x) * 3);
  return { width: W, height: H, channels: 3, data, index, time: index / 8, source: 'clip.mp4' };
}
const FROM = [12, 8, 36, 32];
const TO = [60, 40, 84, 56];
/** The red square moves from FROM to TO. */
const moved = (): FrameSet => ({ source: 'clip.mp4', reason: 'transitions', frames: [frame(FROM, 0), frame(TO, 8)] });
const caption = (regions: { phrase: string; frame: string }[]) => [{ instruction: 'Move the red square', regions }];
const changes = (set: FrameSet): MaskPair[] => {
  const { mask } = changeMask(set.frames[0]!, set.frames[1]!);
  return [{ source: mask, target: mask }];
};

/** The bounding box of a mask's set pixels. */
function extent(m: RawImage): number[] {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1);
  }
  return [x0, y0, x1, y1];
}
const near = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(2));

type Side = { used: string; phrases: string[]; boxes: { phrase: string; box: number[] }[]; iou: number | null; reason?: string };
type Out = { masks: MaskPair[]; report: { index: number; instruction: string; source: Side; target: Side }[]; annotator: string; preview: RawImage };

async function run(inputs: Record<string, unknown>): Promise<{ out: Out; previews: number }> {
  const { ctx, previews } = recordingContext(dir);
  const out = (await runNode(transitionMasksNode, { detector: gdino, segmenter: sam2, device: 'cpu', ...inputs }, ctx)) as unknown as Out;
  return { out, previews: previews.length };
}

test('a phrase in both frames is grounded on each: M_i0 where the square was, M_i1 where it went, IoU with the change mask reported', async () => {
  const set = moved();
  const { out, previews } = await run({ frames: set, captions: caption([{ phrase: 'red square', frame: 'both' }]), changeMasks: changes(set) });
  const [pair] = out.masks;
  near(extent(pair!.source!), FROM);
  near(extent(pair!.target!), TO);
  expect([pair!.source!.width, pair!.source!.height, pair!.source!.channels]).toEqual([W, H, 1]);
  const [r] = out.report;
  expect(r).toMatchObject({ index: 0, instruction: 'Move the red square' });
  expect(r!.source).toMatchObject({ used: 'grounded', phrases: ['red square'] });
  near(r!.source.boxes[0]!.box, FROM);
  near(r!.target.boxes[0]!.box, TO);
  // The change mask covers both squares (24x24 + 24x16 px); each grounded mask is one of them.
  expect(r!.source.iou).toBeGreaterThan(0.5);
  expect(r!.source.iou).toBeLessThan(0.7);
  expect(r!.target.iou).toBeGreaterThan(0.3);
  expect(r!.target.iou).toBeLessThan(0.5);
  expect(out.annotator).toBe(`${gdino} -> ${sam2}`);
  expect([out.preview.width, out.preview.height]).toEqual([2 * W + 3 * 2, H + 2 * 2]);
  expect(previews).toBe(1);
});

test('a phrase the detector does not find falls back to the change mask, and says why', async () => {
  const set = moved();
  const change = changes(set);
  const { out } = await run({ frames: set, captions: caption([{ phrase: 'green square', frame: 'both' }]), changeMasks: change });
  expect(out.masks[0]!.source!.data).toEqual(change[0]!.source!.data);
  expect(out.masks[0]!.target!.data).toEqual(change[0]!.target!.data);
  expect(out.report[0]!.source).toMatchObject({ used: 'change-mask', boxes: [], reason: 'grounding found no box' });
  expect(out.annotator).toBe('change-mask');
});

test('an empty model widget means change masks only: no model is loaded', async () => {
  const set = moved();
  const change = changes(set);
  const { out } = await run({ frames: set, captions: caption([{ phrase: 'red square', frame: 'both' }]), changeMasks: change, detector: '', segmenter: path.join(dir, 'no-such-model') });
  expect(out.masks[0]!.source!.data).toEqual(change[0]!.source!.data);
  expect(out.report[0]!.target).toMatchObject({ used: 'change-mask', reason: 'no detector or segmenter configured' });
  expect(out.annotator).toBe('change-mask');
});

test('a region only in the target frame (an "add") gets no source mask; without captions every frame falls back', async () => {
  const set = moved();
  const { out } = await run({ frames: set, captions: caption([{ phrase: 'red square', frame: 'target' }]), changeMasks: changes(set) });
  expect(out.masks[0]!.source).toBeNull();
  near(extent(out.masks[0]!.target!), TO);
  expect(out.report[0]!.source).toMatchObject({ used: 'none', reason: 'the caption names no region in this frame' });
  expect(out.annotator).toBe(`${gdino} -> ${sam2}`);

  const none = await run({ frames: set, changeMasks: changes(set) });
  expect(none.out.report[0]!.source).toMatchObject({ used: 'change-mask', reason: 'the caption names no region' });
});

test('minIoU replaces a model mask that disagrees with the change mask; fallback "none" leaves no mask', async () => {
  const set = moved();
  const { out } = await run({ frames: set, captions: caption([{ phrase: 'red square', frame: 'both' }]), changeMasks: changes(set), minIoU: 0.55 });
  expect(out.report[0]!.source.used).toBe('grounded');
  expect(out.report[0]!.target).toMatchObject({ used: 'change-mask', reason: expect.stringMatching(/IoU with the change mask 0\.\d+ is below minIoU 0\.55/) });
  expect(out.annotator).toBe(`${gdino} -> ${sam2}, change-mask`);

  const bare = await run({ frames: set, captions: caption([{ phrase: 'green square', frame: 'both' }]), fallback: 'none' });
  expect(bare.out.masks).toEqual([{ source: null, target: null }]);
  expect(bare.out.report[0]!.source.reason).toBe('grounding found no box; no change mask given');
  expect(bare.out.annotator).toBe('none');
});

test('captions that do not match the frames are refused with what was wrong', async () => {
  const set = moved();
  await expect(run({ frames: set, captions: [] })).rejects.toThrow(/input "captions" has 0 caption\(s\) for the 1 transition\(s\) of clip.mp4/);
  await expect(run({ frames: set, captions: [{ regions: [{ phrase: 'x', frame: 'middle' }] }] })).rejects.toThrow(/caption 0 has no valid regions/);
  await expect(run({ frames: set, changeMasks: [] })).rejects.toThrow(/input "changeMasks" has 0 pair\(s\)/);
});

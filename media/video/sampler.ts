/**
 * Choosing the frames of sessions from a stream of decoded frames, incrementally and with bounded memory
 * (no I/O: the `video/sample-frames` node is a thin loop over this).
 *
 * Strategies:
 * - `transitions`: a visual change between consecutive frames (see metrics.ts) keeps the frames on both
 *   sides of it; frames between two changes that look the same are kept once.
 * - `interval`: one frame every N seconds (by timestamp) or every N frames.
 * - `count`: K frames evenly spaced over the clip. The total is not known in advance, so a thinning buffer
 *   of at most 4K frames keeps every s-th frame (s doubling when it fills); the K frames are picked from it
 *   at the end, each within s/2 frames of its ideal position.
 * Every strategy drops near-duplicates of the last kept frame; a clip left with fewer than `minFrames`
 * distinct frames is static and gives no session (reported through `log`). Sessions hold `minFrames` to
 * `maxFrames` frames; a long clip is split into several that share their boundary frame. Frames of different sources never mix.
 */
import { commonBorders, crop, cropBox, detectBorders, hasBorders } from './borders.js';
import { compareSignatures, DEFAULT_THRESHOLDS, isChange, isDuplicate, signature, type ChangeThresholds, type FrameDistance, type FrameSignature, type Pixels } from './metrics.js';

/** A frame with a time and a source, as decoding yields it. */
export interface TimedPixels extends Pixels {
  time: number;
  index: number;
  source: string;
}

/** How frames are picked. */
export type SamplingStrategy = 'transitions' | 'interval' | 'count';

/** Options of a SessionSampler. */
export interface SamplerOptions {
  strategy: SamplingStrategy;
  /** interval: the step, in `unit`s (default 1). */
  every?: number;
  unit?: 'seconds' | 'frames';
  /** count: frames per clip (default 8). */
  count?: number;
  /** transitions and de-duplication thresholds. */
  thresholds?: Partial<ChangeThresholds>;
  /** Grey-level change (0..255) that counts a thumbnail pixel as changed (default 24). */
  delta?: number;
  /** transitions: seconds that must pass after a change before another counts (default 0). */
  minGap?: number;
  minFrames?: number;
  maxFrames?: number;
  /** Detect dark bars in each session and crop them (default true). */
  cropBorders?: boolean;
  /** Told about static clips and other drops. */
  log?: (message: string) => void;
  /** transitions: told about each detected change (the time of the first frame after it). */
  onChange?: (time: number, distance: FrameDistance, source: string) => void;
}

/** Frames picked for one session. */
export interface SampledSession<F extends TimedPixels> {
  source: string;
  frames: F[];
  reason: SamplingStrategy;
}

interface Kept<F> {
  frame: F;
  sig: FrameSignature;
}

class SourceState<F extends TimedPixels> {
  seen = 0;
  emitted = 0;
  changes = 0;
  duplicates = 0;
  kept: Array<Kept<F>> = [];
  last: Kept<F> | undefined;
  prev: Kept<F> | undefined;
  lastChange = -Infinity;
  nextTime: number | undefined;
  buffer: Array<{ frame: F; pos: number }> = [];
  latest: F | undefined;
  stride = 1;
  constructor(readonly source: string) {}
}

/**
 * Turns a stream of frames into sessions. Call `push` per frame and `end` once; each returns the sessions
 * completed by then.
 * @example
 * const sampler = new SessionSampler({ strategy: 'transitions' });
 * for await (const f of decodeFrames('clip.mp4', { fps: 4 })) for (const s of sampler.push(f)) use(s);
 * for (const s of sampler.end()) use(s);
 */
export class SessionSampler<F extends TimedPixels> {
  private state: SourceState<F> | undefined;
  private readonly t: ChangeThresholds;
  private readonly min: number;
  private readonly max: number;

  constructor(private readonly options: SamplerOptions) {
    this.t = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    this.min = Math.max(2, Math.floor(options.minFrames ?? 2));
    this.max = Math.min(20, Math.floor(options.maxFrames ?? 20));
    if (this.min > this.max) throw new Error(`sessions need minFrames <= maxFrames within 2..20 (got ${options.minFrames}..${options.maxFrames})`);
    if ((options.every ?? 1) <= 0) throw new Error(`interval "every" must be > 0 (got ${options.every})`);
    if ((options.count ?? 8) < 2) throw new Error(`count must be >= 2 (got ${options.count})`);
  }

  /** Takes one frame; returns the sessions it completed. */
  push(frame: F): Array<SampledSession<F>> {
    const out: Array<SampledSession<F>> = [];
    if (this.state && this.state.source !== frame.source) out.push(...this.finish());
    const s = (this.state ??= new SourceState<F>(frame.source));
    const pos = s.seen++;
    switch (this.options.strategy) {
      case 'transitions': {
        const cur = { frame, sig: signature(frame) };
        if (s.prev) {
          const d = compareSignatures(s.prev.sig, cur.sig, this.options.delta);
          if (isChange(d, this.t) && frame.time - s.lastChange >= (this.options.minGap ?? 0)) {
            s.changes++;
            s.lastChange = frame.time;
            this.options.onChange?.(frame.time, d, frame.source);
            this.keep(s, s.prev);
            this.keep(s, cur);
          }
        }
        s.prev = cur;
        break;
      }
      case 'interval': {
        const every = this.options.every ?? 1;
        if ((this.options.unit ?? 'seconds') === 'frames') {
          if (pos % Math.max(1, Math.round(every)) === 0) this.keep(s, { frame, sig: signature(frame) });
        } else {
          s.nextTime ??= frame.time;
          if (frame.time >= s.nextTime - 1e-6) {
            this.keep(s, { frame, sig: signature(frame) });
            while (s.nextTime <= frame.time + 1e-6) s.nextTime += every;
          }
        }
        break;
      }
      case 'count': {
        const cap = Math.max(8, 4 * (this.options.count ?? 8));
        s.latest = frame;
        if (pos % s.stride === 0) s.buffer.push({ frame, pos });
        if (s.buffer.length > cap) {
          s.buffer = s.buffer.filter((e) => e.pos % (2 * s.stride) === 0);
          s.stride *= 2;
        }
        break;
      }
    }
    while (s.kept.length >= this.max + this.min) out.push(this.session(s, this.split(s, this.max)));
    return out;
  }

  /** Ends the stream; returns the last sessions. */
  end(): Array<SampledSession<F>> {
    return this.finish();
  }

  private keep(s: SourceState<F>, item: Kept<F>): void {
    if (s.last?.frame === item.frame) return;
    if (s.last && isDuplicate(compareSignatures(s.last.sig, item.sig, this.options.delta), this.t)) {
      s.duplicates++;
      return;
    }
    s.kept.push(item);
    s.last = item;
  }

  /** Takes the first `n` kept frames; the last of them also opens the next session, so no change is lost at the cut. */
  private split(s: SourceState<F>, n: number): Array<Kept<F>> {
    const chunk = s.kept.splice(0, n);
    s.kept.unshift(chunk[chunk.length - 1]!);
    return chunk;
  }

  private finish(): Array<SampledSession<F>> {
    const s = this.state;
    this.state = undefined;
    if (!s) return [];
    if (this.options.strategy === 'count') {
      // The last frame is always a candidate, so the picks reach the end of the clip.
      if (s.latest && s.buffer[s.buffer.length - 1]?.frame !== s.latest) s.buffer.push({ frame: s.latest, pos: s.seen - 1 });
      for (const e of pickEvenly(s.buffer, s.seen, this.options.count ?? 8)) this.keep(s, { frame: e.frame, sig: signature(e.frame) });
    }
    const out: Array<SampledSession<F>> = [];
    if (s.kept.length > this.max) {
      out.push(this.session(s, this.split(s, Math.ceil(s.kept.length / 2))));
    }
    if (s.kept.length >= this.min) out.push(this.session(s, s.kept.splice(0)));
    else if (s.emitted === 0) {
      const why = this.options.strategy === 'transitions' ? `${s.changes} visual change(s)` : `${s.kept.length} distinct frame(s) after dropping ${s.duplicates} near-duplicate(s)`;
      this.options.log?.(`static clip, no session: ${s.source} (${s.seen} frames, ${why}; a session needs ${this.min})`);
    }
    return out;
  }

  private session(s: SourceState<F>, kept: Array<Kept<F>>): SampledSession<F> {
    s.emitted++;
    let frames = kept.map((k) => k.frame);
    if (this.options.cropBorders !== false) frames = cropCommonBorders(frames);
    return { source: s.source, frames, reason: this.options.strategy };
  }
}

/**
 * Picks `count` entries evenly spaced over positions 0..total-1 from a buffer sorted by position.
 * @example pickEvenly([{ pos: 0 }, { pos: 2 }, { pos: 4 }], 5, 2) // the entries at 0 and 4
 */
export function pickEvenly<E extends { pos: number }>(buffer: readonly E[], total: number, count: number): E[] {
  if (buffer.length <= count) return [...buffer];
  const picked: E[] = [];
  let j = 0;
  for (let k = 0; k < count; k++) {
    const target = count === 1 ? (total - 1) / 2 : (k * (total - 1)) / (count - 1);
    while (j + 1 < buffer.length && Math.abs(buffer[j + 1]!.pos - target) <= Math.abs(buffer[j]!.pos - target)) j++;
    if (picked[picked.length - 1] !== buffer[j]) picked.push(buffer[j]!);
  }
  return picked;
}

/**
 * Crops the dark bars all frames share (keeping sides multiples of 16 when they were).
 * @example cropCommonBorders(letterboxedFrames) // same frames, bars removed
 */
export function cropCommonBorders<F extends Pixels>(frames: F[]): F[] {
  const first = frames[0];
  if (!first || frames.some((f) => f.width !== first.width || f.height !== first.height)) return frames;
  const borders = commonBorders(frames.map((f) => detectBorders(f)));
  if (!hasBorders(borders)) return frames;
  const multiple = first.width % 16 === 0 && first.height % 16 === 0 ? 16 : 1;
  const box = cropBox(first.width, first.height, borders, multiple);
  return frames.map((f) => crop(f, box));
}

/**
 * The session's turn structure -> the DiT's input tensors. A session is a list of turns; a turn is its
 * text (encoder features) followed by its frames. Each turn's text is preceded by one turn-embedding slot
 * (the reference's prompt-id embedding, concatenated in the sequence). Positions: text tokens take
 * 0..L-1 on all three RoPE axes (L = all text tokens of the session, slots included, unless `textLength`
 * fixes it); frame tokens take (L + frame time, row, column), frames numbered through the session.
 */
import { ort } from '../runtime/index.js';
import { patchInDim, type DitConfig } from './config.js';
import { frameInput, patchify, type PatchGrid } from './patch.js';

/** One frame of a turn, in latent space (C x T x H x W; T defaults to 1 for an image). */
export interface SessionFrame {
  readonly height: number;
  readonly width: number;
  readonly frames?: number;
  /** The noisy latent x_t (C x T x H x W), or null for zeros. */
  readonly noisy?: Float32Array | null;
  /** The clean latent of a context frame, or null for zeros. */
  readonly context?: Float32Array | null;
  /** True for a context frame (flag channel 1); false for the target the model denoises (flag 0). */
  readonly isContext: boolean;
}

/** One turn: its text features [n, textDim] (n may be 0) and the frames that follow it. */
export interface SessionTurn {
  readonly text: Float32Array;
  readonly frames: readonly SessionFrame[];
}

/** Options of {@link packSession}. */
export interface PackOptions {
  /** First turn to emit (earlier turns are in a KV cache); default 0. Positions stay those of the whole session. */
  readonly from?: number;
  /** One past the last turn to emit; default all. */
  readonly to?: number;
  /** L, where frame time positions start; default the session's text token count (slots included). */
  readonly textLength?: number;
  /**
   * Which tokens the timestep modulates: 'target' (only target-frame tokens; every other token sees t = 0,
   * so its keys and values do not change across steps and can be cached), or 'all' (the reference: every
   * token sees t). Default 'target'.
   */
  readonly noised?: 'target' | 'all';
}

/** Where a frame's tokens lie in the packed vision sequence. */
export interface PackedFrame {
  readonly turn: number;
  /** The frame's index in the session. */
  readonly index: number;
  readonly isContext: boolean;
  /** [start, end) in the vision tokens of this pack. */
  readonly tokens: readonly [number, number];
  readonly grid: PatchGrid;
}

/** A packed run of a session (batch 1): the tensors' data and the layout to read the output back. */
export interface PackedSession {
  readonly textLen: number;
  readonly visionLen: number;
  /** [textLen, textDim] */
  readonly text: Float32Array;
  readonly textTurn: BigInt64Array;
  readonly textSlot: Uint8Array;
  readonly textPos: Float32Array;
  readonly textNoised: Uint8Array;
  /** [visionLen, (2C + 1) * patch volume] */
  readonly vision: Float32Array;
  readonly visionTurn: BigInt64Array;
  /** [visionLen, 3]: time, row, column */
  readonly visionPos: Float32Array;
  readonly visionNoised: Uint8Array;
  readonly frames: readonly PackedFrame[];
  /** Turns emitted, [from, to). */
  readonly turns: readonly [number, number];
}

/**
 * Packs turns [from, to) of a session into the DiT's input layout.
 * @example
 * const p = packSession(cfg, [{ text: t0, frames: [{ height: 8, width: 8, context: x0, isContext: true }] },
 *   { text: t1, frames: [{ height: 8, width: 8, noisy: xt, isContext: false }] }]);
 */
export function packSession(c: DitConfig, session: readonly SessionTurn[], options: PackOptions = {}): PackedSession {
  const from = options.from ?? 0;
  const to = options.to ?? session.length;
  if (from < 0 || to > session.length || from >= to) throw new Error(`packSession: turns [${from}, ${to}) are not a non-empty range of the session's ${session.length} turns`);
  if (session.length > c.turnSlots) throw new Error(`packSession: ${session.length} turns exceed the model's ${c.turnSlots} turn-embedding slots`);
  const allNoised = (options.noised ?? 'target') === 'all';
  session.forEach((t, i) => {
    if (t.text.length % c.textDim !== 0) throw new Error(`packSession: turn ${i}'s text has ${t.text.length} values, not a multiple of textDim ${c.textDim}`);
  });
  const textCount = session.reduce((n, t) => n + 1 + t.text.length / c.textDim, 0);
  const L = options.textLength ?? textCount;
  if (L < textCount) throw new Error(`packSession: textLength ${L} is below the session's ${textCount} text tokens`);

  const text: Float32Array[] = [];
  const textTurn: number[] = [];
  const textSlot: number[] = [];
  const textPos: number[] = [];
  const vision: Float32Array[] = [];
  const visionTurn: number[] = [];
  const visionPos: number[] = [];
  const visionNoised: number[] = [];
  const frames: PackedFrame[] = [];
  const pt = c.patch[0];
  let pos = 0;
  let time = 0;
  let frameIndex = 0;
  let vlen = 0;
  session.forEach((turn, ti) => {
    const emit = ti >= from && ti < to;
    const n = turn.text.length / c.textDim;
    if (emit) {
      text.push(turn.text);
      textTurn.push(ti); textSlot.push(1); textPos.push(pos);
      for (let k = 0; k < n; k++) { textTurn.push(ti); textSlot.push(0); textPos.push(pos + 1 + k); }
    }
    pos += n + 1;
    for (const f of turn.frames) {
      const T = f.frames ?? 1;
      if (emit) {
        const x = frameInput({ channels: c.latentChannels, frames: T, height: f.height, width: f.width, noisy: f.noisy, context: f.context, isContext: f.isContext });
        const { tokens, grid } = patchify(x, c.patch);
        const count = grid.t * grid.h * grid.w;
        vision.push(tokens);
        for (let gt = 0; gt < grid.t; gt++) for (let gy = 0; gy < grid.h; gy++) for (let gx = 0; gx < grid.w; gx++) {
          visionTurn.push(ti);
          visionPos.push(L + time + gt, gy, gx);
          visionNoised.push(allNoised || !f.isContext ? 1 : 0);
        }
        frames.push({ turn: ti, index: frameIndex, isContext: f.isContext, tokens: [vlen, vlen + count], grid });
        vlen += count;
      }
      time += T / pt;
      frameIndex++;
    }
  });
  const textLen = textTurn.length;
  const textData = new Float32Array(textLen * c.textDim);
  let at = 0;
  for (const chunk of text) {
    at += c.textDim; // the slot's row stays zero: its features come from the turn embedding
    textData.set(chunk, at);
    at += chunk.length;
  }
  const visionData = new Float32Array(vlen * patchInDim(c));
  let v = 0;
  for (const t of vision) { visionData.set(t, v); v += t.length; }
  return {
    textLen, visionLen: vlen, text: textData,
    textTurn: BigInt64Array.from(textTurn, BigInt), textSlot: Uint8Array.from(textSlot), textPos: Float32Array.from(textPos),
    textNoised: new Uint8Array(textLen).fill(allNoised ? 1 : 0),
    vision: visionData, visionTurn: BigInt64Array.from(visionTurn, BigInt), visionPos: Float32Array.from(visionPos),
    visionNoised: Uint8Array.from(visionNoised), frames, turns: [from, to],
  };
}

/** Cached keys and values of earlier turns, per layer: [batch, heads, pastLen, headDim] each. */
export interface DitPast {
  readonly turn: BigInt64Array;
  readonly keys: readonly ort.Tensor[];
  readonly values: readonly ort.Tensor[];
}

/**
 * The ORT feeds of one run. Several packs with one layout (say a conditional and an unconditional text)
 * form a batch. `past` (block-causal graphs only) holds the cache of earlier turns; omit it for none.
 * @example const feeds = ditFeeds(cfg, [cond, uncond], 0.7, { attention: 'block-causal' });
 */
export function ditFeeds(
  c: DitConfig, packs: PackedSession | readonly PackedSession[], timestep: number | readonly number[],
  options: { attention: 'full' | 'block-causal'; past?: DitPast | null },
): Record<string, ort.Tensor> {
  const list = Array.isArray(packs) ? (packs as readonly PackedSession[]) : [packs as PackedSession];
  const p = list[0];
  const B = list.length;
  for (const q of list) {
    if (q.textLen !== p.textLen || q.visionLen !== p.visionLen) throw new Error(`ditFeeds: batched packs differ in layout (${q.textLen}/${q.visionLen} tokens vs ${p.textLen}/${p.visionLen})`);
  }
  const ts = typeof timestep === 'number' ? Array(B).fill(timestep) : [...timestep];
  if (ts.length !== B) throw new Error(`ditFeeds: ${ts.length} timesteps for a batch of ${B}`);
  const cat = (get: (q: PackedSession) => Float32Array): Float32Array => {
    const one = get(p).length;
    const out = new Float32Array(one * B);
    list.forEach((q, i) => out.set(get(q), i * one));
    return out;
  };
  const feeds: Record<string, ort.Tensor> = {
    text: new ort.Tensor('float32', cat((q) => q.text), [B, p.textLen, c.textDim]),
    text_turn: new ort.Tensor('int64', p.textTurn, [p.textLen]),
    text_slot: new ort.Tensor('bool', p.textSlot, [p.textLen]),
    text_pos: new ort.Tensor('float32', p.textPos, [p.textLen]),
    text_noised: new ort.Tensor('bool', p.textNoised, [p.textLen]),
    vision: new ort.Tensor('float32', cat((q) => q.vision), [B, p.visionLen, patchInDim(c)]),
    vision_turn: new ort.Tensor('int64', p.visionTurn, [p.visionLen]),
    vision_pos: new ort.Tensor('float32', p.visionPos, [p.visionLen, 3]),
    vision_noised: new ort.Tensor('bool', p.visionNoised, [1, p.visionLen]),
    timestep: new ort.Tensor('float32', Float32Array.from(ts), [B]),
  };
  if (options.attention === 'block-causal') {
    const past = options.past;
    const P = past ? past.turn.length : 0;
    feeds.past_turn = new ort.Tensor('int64', past ? past.turn : new BigInt64Array(0), [P]);
    for (let i = 0; i < c.layers; i++) {
      const empty = () => new ort.Tensor('float32', new Float32Array(0), [B, c.heads, 0, c.headDim]);
      feeds[`past_key_${i}`] = past ? past.keys[i] : empty();
      feeds[`past_value_${i}`] = past ? past.values[i] : empty();
    }
  } else if (options.past) {
    throw new Error('ditFeeds: a KV cache needs a block-causal graph (full attention lets earlier turns see later ones)');
  }
  return feeds;
}

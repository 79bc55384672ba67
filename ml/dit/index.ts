/**
 * ml/dit: the VINCIE-style MM-DiT ("NaDiT") as an ONNX graph built from TypeScript.
 *
 * Architecture (per the reference, ByteDance-Seed/VINCIE models/dit): patch tokens (patch t x h x w) of
 * noisy latent C + clean context latent C + a flag channel (1 on context frames, 0 on the target); text
 * features projected to the width, each turn's text preceded by a learned turn-embedding token (64 slots,
 * in text-feature space); a timestep embedding (sinusoid of t * 1000 -> MLP -> 6 * width) shared by all
 * blocks, each block adding its own learned shift/scale/gate (AdaLN "single"); MM-DiT blocks with separate
 * text/vision weights in the first `mmLayers` blocks and shared ones after; RMSNorm (no affine) before
 * attention and MLP, QK RMSNorm (affine), 3D RoPE, SwiGLU MLP; an affine RMSNorm + modulation + linear
 * output head on the vision tokens.
 *
 * Graph I/O (B = batch, Lt = text tokens, Lv = vision tokens, P = cached tokens; names exact):
 *
 * | input | dtype | shape | meaning |
 * |---|---|---|---|
 * | text | float32 | [B, Lt, textDim] | text features of the run's turns, slot rows included (their values are ignored) |
 * | text_turn | int64 | [Lt] | session turn index of each text token (also its turn-embedding slot, < 64) |
 * | text_slot | bool | [Lt] | true on each turn's turn-embedding token (the first of its text) |
 * | text_pos | float32 | [Lt] | RoPE position, used on all three axes (0..L-1 through the session) |
 * | text_noised | bool | [Lt] | true: modulated by `timestep`; false: by t = 0 |
 * | vision | float32 | [B, Lv, (2C+1)*pt*ph*pw] | patch tokens (see patch.ts for the vector layout) |
 * | vision_turn | int64 | [Lv] | session turn index of each patch token |
 * | vision_pos | float32 | [Lv, 3] | RoPE (time, row, column); time = L + frame time through the session |
 * | vision_noised | bool | [1 or B, Lv] | true on the target's tokens (modulated by `timestep`), false on clean ones (t = 0); one row for the batch or one per sample |
 * | timestep | float32 | [B] | t in [0, 1], 1 = pure noise (scaled by 1000 inside) |
 * | past_turn | int64 | [P] | block-causal only: turn index of each cached token (P may be 0) |
 * | past_key_{i}, past_value_{i} | float32 | [B, heads, P, headDim] | block-causal only, i = 0..layers-1: cached keys (after QK-norm and RoPE) and values |
 *
 * | output | dtype | shape | meaning |
 * |---|---|---|---|
 * | velocity | float32 | [B, Lv, C*pt*ph*pw] | predicted v = noise - x0 for every vision token of the run (read the target's with the pack's `frames`, then `unpatchify`) |
 * | present_key_{i}, present_value_{i} | float32 | [B, heads, Lt + Lv, headDim] | block-causal only: this run's keys/values, text tokens first, then vision |
 *
 * Attention: `full` (no mask; every token of the run sees every other) or `block-causal` (a token of turn a
 * sees tokens of turns <= a, cached ones included). A KV cache of turns < k: run those turns (packSession
 * with `to: k`, `noised: 'target'` so that clean tokens see t = 0 and their keys do not depend on the step),
 * keep the present keys/values and their turn ids, then run turn k (`from: k`) with them as past_*; the
 * result equals running the whole session. Cache entries concatenate along the P axis in turn order.
 *
 * Differences from the reference kept on purpose: per-token timesteps (`*_noised`) so caches stay valid
 * across steps (noised: 'all' gives the reference's per-sample timestep); the output head's modulation uses
 * the embedding's first (shift, scale) slot. Importing the released checkpoint needs a name map (not done).
 *
 * @example
 * import { buildDit, packSession, ditFeeds } from '../ml/dit/index.js';
 * const dit = buildDit('tiny', { attention: 'block-causal', initSeed: 0 });
 * const session = await createSession(dit.graph.toBytes(), { device: 'cpu' });
 * const pack = packSession(dit.config, turns);
 * const { velocity } = await session.run(ditFeeds(dit.config, pack, 0.5, { attention: 'block-causal' }));
 */
export { DIT_CONFIGS, ditConfig, patchVolume, patchInDim, patchOutDim, mlpHidden, embDim } from './config.js';
export type { DitConfig, DitConfigName } from './config.js';
export { buildDit } from './build.js';
export type { BuildDitOptions, DitModel, DitAttention } from './build.js';
export { ditWeightSpecs, ditParameterCount, blockStreams } from './params.js';
export type { WeightSpec } from './params.js';
export { patchify, unpatchify, frameInput } from './patch.js';
export type { LatentVolume, PatchGrid } from './patch.js';
export { ropeLayout, ropeMatrix, textRopeFreqs } from './rope.js';
export type { RopeLayout } from './rope.js';
export { packSession, ditFeeds } from './session.js';
export type { SessionFrame, SessionTurn, PackOptions, PackedFrame, PackedSession, DitPast } from './session.js';

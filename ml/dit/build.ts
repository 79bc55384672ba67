/**
 * buildDit: the VINCIE-style MM-DiT as an ONNX graph, from a config and the attention mode. The graph's
 * inputs and outputs are listed in ml/dit/index.ts. Every op is one of the builder's op table (no custom
 * ops), so reverse-mode differentiation can walk the same graph.
 */
import { GraphBuilder, type Tensor, type WeightStorage } from '../onnx/index.js';
import { initAllWeights, loadWeights, type WeightReport, type WeightSource } from '../weights/index.js';
import { ditConfig, patchInDim, type DitConfig, type DitConfigName } from './config.js';
import { blockStreams, ditWeightSpecs } from './params.js';
import { ropeMatrix, textRopeFreqs } from './rope.js';

/** full: every token sees every token (the released checkpoints); block-causal: a turn sees itself and earlier turns. */
export type DitAttention = 'full' | 'block-causal';

/** Options of {@link buildDit}. */
export interface BuildDitOptions {
  /** Attention mode (default 'full'). Block-causal graphs also take past keys/values and return present ones. */
  readonly attention?: DitAttention;
  /** Weights by name (e.g. a safetensors file's tensors); checked with one report. */
  readonly weights?: WeightSource;
  /** Seed for deterministic random weights: all of them without `weights`, the missing ones with it. */
  readonly initSeed?: number;
  /** Reject tensors the model does not have (default: report them only). */
  readonly strict?: boolean;
  /** Names the weights' source in messages. */
  readonly source?: string;
  /** Storage of weights in the ONNX file (default float32). */
  readonly weightStorage?: WeightStorage;
}

/** A built DiT: the graph, its config and mode, the weight report, and its I/O names. */
export interface DitModel {
  readonly graph: GraphBuilder;
  readonly config: DitConfig;
  readonly attention: DitAttention;
  /** Present when weights were loaded from a source. */
  readonly report?: WeightReport;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

interface Mod { shift: Tensor; scale: Tensor; gate: Tensor }

/**
 * Builds the DiT. Without `weights` and `initSeed` the weights are declared without values (for shape and
 * size checks of big configs); such a graph cannot be saved until they are set.
 * @example
 * const dit = buildDit('tiny', { attention: 'block-causal', initSeed: 0 });
 * const session = await createSession(dit.graph.toBytes(), { device: 'cpu' });
 */
export function buildDit(config: DitConfig | DitConfigName, options: BuildDitOptions = {}): DitModel {
  const c = ditConfig(config);
  const attention = options.attention ?? 'full';
  const causal = attention === 'block-causal';
  const g = new GraphBuilder({
    name: `dit-${c.name}-${attention}`, weightStorage: options.weightStorage,
    metadata: { 'cinegraph.dit.config': JSON.stringify(c), 'cinegraph.dit.attention': attention },
  });
  const W = new Map<string, Tensor>();
  for (const s of ditWeightSpecs(c)) W.set(s.name, g.weight(s.name, null, s.shape));
  const w = (name: string): Tensor => {
    const t = W.get(name);
    if (!t) throw new Error(`buildDit: no weight '${name}' in the specs (a bug in ml/dit)`);
    return t;
  };
  const D = c.width;
  const H = c.heads;
  const Dh = c.headDim;
  const eps = c.normEps;

  // ---- inputs ----
  const text = g.input('text', 'float32', ['batch', 'text_len', c.textDim]);
  const textTurn = g.input('text_turn', 'int64', ['text_len']);
  const textSlot = g.input('text_slot', 'bool', ['text_len']);
  const textPos = g.input('text_pos', 'float32', ['text_len']);
  const textNoised = g.input('text_noised', 'bool', ['text_len']);
  const vision = g.input('vision', 'float32', ['batch', 'vision_len', patchInDim(c)]);
  const visionTurn = g.input('vision_turn', 'int64', ['vision_len']);
  const visionPos = g.input('vision_pos', 'float32', ['vision_len', 3]);
  // [1 | batch, Lv]: one set of flags for the batch, or one per sample (training batches whose targets differ).
  const visionNoised = g.input('vision_noised', 'bool', ['?noised_batch', 'vision_len']);
  const timestep = g.input('timestep', 'float32', ['batch']);
  const pastTurn = causal ? g.input('past_turn', 'int64', ['past_len']) : undefined;
  const pastK: Tensor[] = [];
  const pastV: Tensor[] = [];
  if (causal) {
    for (let i = 0; i < c.layers; i++) {
      pastK.push(g.input(`past_key_${i}`, 'float32', ['batch', H, 'past_len', Dh]));
      pastV.push(g.input(`past_value_${i}`, 'float32', ['batch', H, 'past_len', Dh]));
    }
  }

  // ---- timestep embedding: sinusoid of t * T for t and for t = 0 (clean tokens), then the MLP ----
  const half = c.timeFreqDim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const tBoth = g.concat([g.mul(timestep, c.timestepScale), g.constant([0], [1])], 0);
  const args = g.mul(g.unsqueeze(tBoth, [1]), g.constant(freqs, [1, half]));
  let e = g.concat([g.op('Sin', [args]), g.op('Cos', [args])], 1);
  e = g.silu(g.linear(e, w('emb_in.proj_in.weight'), w('emb_in.proj_in.bias')));
  e = g.silu(g.linear(e, w('emb_in.proj_hid.weight'), w('emb_in.proj_hid.bias')));
  e = g.linear(e, w('emb_in.proj_out.weight'), w('emb_in.proj_out.bias'));
  const embT = g.unsqueeze(g.slice(e, [0], [-1], [0]), [1]); // [batch, 1, 6D]
  const emb0 = g.unsqueeze(g.slice(e, [-1], [2 ** 31 - 1], [0]), [1]); // [1, 1, 6D]
  // Per token: t where noised, else 0; laid out (d, layer, g) as the reference's AdaSingle.
  const modOf = (noised: Tensor): { attn: Mod; mlp: Mod } => {
    const flags = noised.shape.length === 1 ? g.unsqueeze(noised, [0, 2]) : g.unsqueeze(noised, [2]);
    const tok = g.reshape(g.where(flags, embT, emb0), [0, 0, D, 2, 3]);
    const chunk = (l: number, k: number) => g.squeeze(g.slice(tok, [l, k], [l + 1, k + 1], [3, 4]), [3, 4]);
    return {
      attn: { shift: chunk(0, 0), scale: chunk(0, 1), gate: chunk(0, 2) },
      mlp: { shift: chunk(1, 0), scale: chunk(1, 1), gate: chunk(1, 2) },
    };
  };
  const modTxt = modOf(textNoised);
  const modVid = modOf(visionNoised);

  // ---- token embeddings ----
  const turnRows = g.gather(w('turn_emb.weight'), textTurn, 0); // [text_len, textDim]
  let xTxt = g.linear(g.where(g.unsqueeze(textSlot, [1]), turnRows, text), w('txt_in.weight'), w('txt_in.bias'));
  let xVid = g.linear(vision, w('vid_in.proj.weight'), w('vid_in.proj.bias'));

  // ---- rotary tables: [len, 1, Dh/2] ----
  const angTxt = g.mul(g.unsqueeze(textPos, [1]), g.constant(textRopeFreqs(c), [1, Dh / 2]));
  const angVid = g.matmul(visionPos, g.constant(ropeMatrix(c), [3, Dh / 2]));
  const rot = (ang: Tensor) => ({ cos: g.unsqueeze(g.op('Cos', [ang]), [1]), sin: g.unsqueeze(g.op('Sin', [ang]), [1]) });
  const ropeTxt = rot(angTxt);
  const ropeVid = rot(angVid);
  const rope = (x: Tensor, r: { cos: Tensor; sin: Tensor }): Tensor => {
    const xr = g.reshape(x, [0, 0, 0, Dh / 2, 2]);
    const xe = g.squeeze(g.slice(xr, [0], [1], [4]), [4]);
    const xo = g.squeeze(g.slice(xr, [1], [2], [4]), [4]);
    const oe = g.sub(g.mul(xe, r.cos), g.mul(xo, r.sin));
    const oo = g.add(g.mul(xe, r.sin), g.mul(xo, r.cos));
    return g.reshape(g.concat([g.unsqueeze(oe, [4]), g.unsqueeze(oo, [4])], 4), [0, 0, 0, Dh]);
  };

  // ---- masks (block-causal): key turn <= query turn ----
  let maskTxt: Tensor | undefined;
  let maskVid: Tensor | undefined;
  if (causal && pastTurn) {
    const kTurn = g.unsqueeze(g.concat([pastTurn, textTurn, visionTurn], 0), [0]);
    maskTxt = g.op('LessOrEqual', [kTurn, g.unsqueeze(textTurn, [1])]);
    maskVid = g.op('LessOrEqual', [kTurn, g.unsqueeze(visionTurn, [1])]);
  }

  const modulate = (x: Tensor, m: Mod, prefix: string, layer: 'attn' | 'mlp'): Tensor =>
    g.add(g.mul(g.rmsNorm(x, undefined, eps), g.add(m.scale, w(`${prefix}.${layer}_scale`))), g.add(m.shift, w(`${prefix}.${layer}_shift`)));
  const gated = (y: Tensor, m: Mod, prefix: string, layer: 'attn' | 'mlp', residual: Tensor): Tensor =>
    g.add(g.mul(y, g.add(m.gate, w(`${prefix}.${layer}_gate`))), residual);

  for (let i = 0; i < c.layers; i++) {
    const s = blockStreams(c, i);
    const last = i === c.layers - 1;
    const b = `blocks.${i}`;
    const qkvOf = (x: Tensor, mod: { attn: Mod }, p: string, r: { cos: Tensor; sin: Tensor }) => {
      const xm = modulate(x, mod.attn, `${b}.ada.${p}`, 'attn');
      const qkv = g.reshape(g.linear(xm, w(`${b}.attn.proj_qkv.${p}.weight`)), [0, 0, 3, H, Dh]);
      const part = (k: number) => g.squeeze(g.slice(qkv, [k], [k + 1], [2]), [2]); // [batch, len, H, Dh]
      const q = rope(g.rmsNorm(part(0), w(`${b}.attn.norm_q.${p}.weight`), eps), r);
      const k = rope(g.rmsNorm(part(1), w(`${b}.attn.norm_k.${p}.weight`), eps), r);
      const heads = (t: Tensor) => g.transpose(t, [0, 2, 1, 3]); // [batch, H, len, Dh]
      return { q: heads(q), k: heads(k), v: heads(part(2)) };
    };
    const t = qkvOf(xTxt, modTxt, s.txt, ropeTxt);
    const v = qkvOf(xVid, modVid, s.vid, ropeVid);
    const kCur = g.concat([t.k, v.k], 2);
    const vCur = g.concat([t.v, v.v], 2);
    if (causal) {
      g.output(kCur, `present_key_${i}`);
      g.output(vCur, `present_value_${i}`);
    }
    const kAll = causal ? g.concat([pastK[i], kCur], 2) : kCur;
    const vAll = causal ? g.concat([pastV[i], vCur], 2) : vCur;
    const attend = (q: Tensor, mask: Tensor | undefined, p: string): Tensor => {
      const a = g.attention(q, kAll, vAll, mask, 1 / Math.sqrt(Dh));
      const merged = g.reshape(g.transpose(a, [0, 2, 1, 3]), [0, 0, H * Dh]);
      return g.linear(merged, w(`${b}.attn.proj_out.${p}.weight`), w(`${b}.attn.proj_out.${p}.bias`));
    };
    const mlp = (x: Tensor, mod: { mlp: Mod }, p: string): Tensor => {
      const xm = modulate(x, mod.mlp, `${b}.ada.${p}`, 'mlp');
      const gate = g.silu(g.linear(xm, w(`${b}.mlp.${p}.proj_in_gate.weight`)));
      const y = g.linear(g.mul(gate, g.linear(xm, w(`${b}.mlp.${p}.proj_in.weight`))), w(`${b}.mlp.${p}.proj_out.weight`));
      return gated(y, mod.mlp, `${b}.ada.${p}`, 'mlp', x);
    };
    const newVid = gated(attend(v.q, maskVid, s.vid), modVid.attn, `${b}.ada.${s.vid}`, 'attn', xVid);
    // The last block's text output is never read: the reference skips it too (vid_only).
    if (!last) xTxt = mlp(gated(attend(t.q, maskTxt, s.txt), modTxt.attn, `${b}.ada.${s.txt}`, 'attn', xTxt), modTxt, s.txt);
    xVid = mlp(newVid, modVid, s.vid);
  }

  // ---- output head: RMSNorm (affine), modulated by the first (shift, scale) slot plus learned ones ----
  const xn = g.rmsNorm(xVid, w('vid_out_norm.weight'), eps);
  const xo = g.add(g.mul(xn, g.add(modVid.attn.scale, w('vid_out_ada.out_scale'))), g.add(modVid.attn.shift, w('vid_out_ada.out_shift')));
  g.output(g.linear(xo, w('vid_out.proj.weight'), w('vid_out.proj.bias')), 'velocity');

  let report: WeightReport | undefined;
  if (options.weights) {
    report = loadWeights(g, options.weights, { initMissing: options.initSeed, strict: options.strict, source: options.source });
  } else if (options.initSeed !== undefined) {
    initAllWeights(g, options.initSeed);
  }
  return { graph: g, config: c, attention, report, inputNames: g.inputs.map((x) => x.name), outputNames: g.outputs.map((x) => x.name) };
}

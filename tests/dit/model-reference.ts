/**
 * A plain TypeScript reference of the DiT's math (float64, batch 1, no cache), written to be read as the
 * spec: it shares nothing with the ONNX builder but the config helpers and the weight names.
 */
import { embDim, mlpHidden, patchOutDim, ropeLayout, type DitConfig, type PackedSession } from '../../ml/dit/index.js';
import { blockStreams } from '../../ml/dit/index.js';

type Mat = { rows: number; cols: number; d: Float64Array };
const mat = (rows: number, cols: number): Mat => ({ rows, cols, d: new Float64Array(rows * cols) });
const f32 = Math.fround;

/** y = x W^T (+ b), W [out, in] row-major. */
function linear(x: Mat, W: Float32Array, out: number, b?: Float32Array): Mat {
  const y = mat(x.rows, out);
  for (let r = 0; r < x.rows; r++) for (let o = 0; o < out; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < x.cols; i++) s += x.d[r * x.cols + i] * W[o * x.cols + i];
    y.d[r * out + o] = s;
  }
  return y;
}
const mapM = (x: Mat, f: (v: number, i: number) => number): Mat => ({ rows: x.rows, cols: x.cols, d: x.d.map(f) });
const silu = (v: number): number => v / (1 + Math.exp(-v));

/** RMSNorm of each row (or of each `group`-wide chunk of a row), times an optional weight. */
function rms(x: Mat, eps: number, weight?: Float32Array, group = x.cols): Mat {
  const y = mat(x.rows, x.cols);
  for (let r = 0; r < x.rows; r++) for (let g0 = 0; g0 < x.cols; g0 += group) {
    let ms = 0;
    for (let i = 0; i < group; i++) ms += x.d[r * x.cols + g0 + i] ** 2;
    const inv = 1 / Math.sqrt(ms / group + eps);
    for (let i = 0; i < group; i++) y.d[r * x.cols + g0 + i] = x.d[r * x.cols + g0 + i] * inv * (weight ? weight[i] : 1);
  }
  return y;
}

/**
 * The velocity of every vision token of a pack, [Lv * C * patch volume], for weights by name.
 */
export function ditReference(c: DitConfig, W: Map<string, Float32Array>, p: PackedSession, t: number, attention: 'full' | 'block-causal'): Float64Array {
  const w = (n: string): Float32Array => { const v = W.get(n); if (!v) throw new Error(`reference: no weight ${n}`); return v; };
  const D = c.width; const H = c.heads; const Dh = c.headDim; const eps = c.normEps; const E = embDim(c);
  const Lt = p.textLen; const Lv = p.visionLen;

  // Timestep embedding for t and for 0: sinusoid [sin | cos] of (t * 1000) * 10000^(-i/half), then the MLP.
  const half = c.timeFreqDim / 2;
  const embed = (tv: number): Float64Array => {
    const s = mat(1, c.timeFreqDim);
    for (let i = 0; i < half; i++) {
      const a = f32(f32(tv * c.timestepScale) * f32(Math.exp((-Math.log(10000) * i) / half)));
      s.d[i] = Math.sin(a); s.d[half + i] = Math.cos(a);
    }
    let h = mapM(linear(s, w('emb_in.proj_in.weight'), D, w('emb_in.proj_in.bias')), silu);
    h = mapM(linear(h, w('emb_in.proj_hid.weight'), D, w('emb_in.proj_hid.bias')), silu);
    return linear(h, w('emb_in.proj_out.weight'), E, w('emb_in.proj_out.bias')).d;
  };
  const eT = embed(t); const e0 = embed(0);
  // Modulation value of a token: emb index d * 6 + layer * 3 + k (k: 0 shift, 1 scale, 2 gate).
  const modv = (noised: boolean, layer: number, k: number, d: number): number => (noised ? eT : e0)[d * 6 + layer * 3 + k];

  // Inputs: the turn-embedding row replaces a slot's features; then the projections.
  const txtIn = mat(Lt, c.textDim);
  for (let r = 0; r < Lt; r++) for (let i = 0; i < c.textDim; i++) {
    txtIn.d[r * c.textDim + i] = p.textSlot[r] ? w('turn_emb.weight')[Number(p.textTurn[r]) * c.textDim + i] : p.text[r * c.textDim + i];
  }
  let xT = linear(txtIn, w('txt_in.weight'), D, w('txt_in.bias'));
  const visIn: Mat = { rows: Lv, cols: p.vision.length / Math.max(Lv, 1), d: Float64Array.from(p.vision) };
  let xV = linear(visIn, w('vid_in.proj.weight'), D, w('vid_in.proj.bias'));

  // Rotary angles per token and pair: text uses its position on every axis, frames (time, row, col).
  const { axis, freq } = ropeLayout(c);
  const angle = (pos: number[], j: number): number => (axis[j] < 0 ? 0 : f32(pos[axis[j]] * freq[j]));
  const posT = Array.from({ length: Lt }, (_, r) => [p.textPos[r], p.textPos[r], p.textPos[r]]);
  const posV = Array.from({ length: Lv }, (_, r) => [p.visionPos[r * 3], p.visionPos[r * 3 + 1], p.visionPos[r * 3 + 2]]);
  const rope = (x: Mat, pos: number[][]): Mat => {
    const y = mat(x.rows, x.cols);
    for (let r = 0; r < x.rows; r++) for (let h = 0; h < H; h++) for (let j = 0; j < Dh / 2; j++) {
      const a = angle(pos[r], j); const cs = Math.cos(a); const sn = Math.sin(a);
      const i = r * x.cols + h * Dh + 2 * j;
      y.d[i] = x.d[i] * cs - x.d[i + 1] * sn;
      y.d[i + 1] = x.d[i] * sn + x.d[i + 1] * cs;
    }
    return y;
  };
  const noisedT = Array.from(p.textNoised, Boolean);
  const noisedV = Array.from(p.visionNoised, Boolean);
  const modulate = (x: Mat, noised: boolean[], layer: number, prefix: string, lname: string): Mat => {
    const n = rms(x, eps);
    const sc = w(`${prefix}.${lname}_scale`); const sh = w(`${prefix}.${lname}_shift`);
    return mapM(n, (v, i) => { const r = Math.floor(i / D); const d = i % D; return v * (modv(noised[r], layer, 1, d) + sc[d]) + modv(noised[r], layer, 0, d) + sh[d]; });
  };
  const gate = (y: Mat, res: Mat, noised: boolean[], layer: number, prefix: string, lname: string): Mat => {
    const gw = w(`${prefix}.${lname}_gate`);
    return mapM(y, (v, i) => { const r = Math.floor(i / D); const d = i % D; return v * (modv(noised[r], layer, 2, d) + gw[d]) + res.d[i]; });
  };
  const turns = [...Array.from(p.textTurn, Number), ...Array.from(p.visionTurn, Number)];

  for (let l = 0; l < c.layers; l++) {
    const s = blockStreams(c, l); const b = `blocks.${l}`; const last = l === c.layers - 1;
    const qkv = (x: Mat, noised: boolean[], st: string, pos: number[][]) => {
      const all = linear(modulate(x, noised, 0, `${b}.ada.${st}`, 'attn'), w(`${b}.attn.proj_qkv.${st}.weight`), 3 * H * Dh);
      const part = (k: number): Mat => { const m = mat(x.rows, H * Dh); for (let r = 0; r < x.rows; r++) for (let i = 0; i < H * Dh; i++) m.d[r * H * Dh + i] = all.d[r * 3 * H * Dh + k * H * Dh + i]; return m; };
      return {
        q: rope(rms(part(0), eps, w(`${b}.attn.norm_q.${st}.weight`), Dh), pos),
        k: rope(rms(part(1), eps, w(`${b}.attn.norm_k.${st}.weight`), Dh), pos),
        v: part(2),
      };
    };
    const a = qkv(xT, noisedT, s.txt, posT); const v = qkv(xV, noisedV, s.vid, posV);
    const keys = [a.k, v.k]; const vals = [a.v, v.v];
    const kRow = (j: number): [Mat, number] => (j < Lt ? [keys[0], j] : [keys[1], j - Lt]);
    const vRow = (j: number): [Mat, number] => (j < Lt ? [vals[0], j] : [vals[1], j - Lt]);
    // Attention of a query row (its turn qt) over all keys of the run, masked block-causally.
    const attend = (q: Mat, qOffset: number): Mat => {
      const out = mat(q.rows, H * Dh);
      for (let r = 0; r < q.rows; r++) for (let h = 0; h < H; h++) {
        const qt = turns[qOffset + r];
        const scores: number[] = [];
        for (let j = 0; j < Lt + Lv; j++) {
          if (attention === 'block-causal' && turns[j] > qt) { scores.push(-Infinity); continue; }
          const [km, jr] = kRow(j);
          let sdot = 0;
          for (let i = 0; i < Dh; i++) sdot += q.d[r * H * Dh + h * Dh + i] * km.d[jr * H * Dh + h * Dh + i];
          scores.push(sdot / Math.sqrt(Dh));
        }
        const mx = Math.max(...scores);
        const ex = scores.map((x) => Math.exp(x - mx)); const z = ex.reduce((x, y) => x + y, 0);
        for (let j = 0; j < Lt + Lv; j++) {
          const [vm, jr] = vRow(j);
          for (let i = 0; i < Dh; i++) out.d[r * H * Dh + h * Dh + i] += (ex[j] / z) * vm.d[jr * H * Dh + h * Dh + i];
        }
      }
      return out;
    };
    const proj = (o: Mat, st: string) => linear(o, w(`${b}.attn.proj_out.${st}.weight`), D, w(`${b}.attn.proj_out.${st}.bias`));
    const F = mlpHidden(c);
    const mlp = (x: Mat, noised: boolean[], st: string): Mat => {
      const m = modulate(x, noised, 1, `${b}.ada.${st}`, 'mlp');
      const g1 = linear(m, w(`${b}.mlp.${st}.proj_in_gate.weight`), F); const u = linear(m, w(`${b}.mlp.${st}.proj_in.weight`), F);
      const y = linear(mapM(g1, (val, i) => silu(val) * u.d[i]), w(`${b}.mlp.${st}.proj_out.weight`), D);
      return gate(y, x, noised, 1, `${b}.ada.${st}`, 'mlp');
    };
    const newV = mlp(gate(proj(attend(v.q, Lt), s.vid), xV, noisedV, 0, `${b}.ada.${s.vid}`, 'attn'), noisedV, s.vid);
    if (!last) xT = mlp(gate(proj(attend(a.q, 0), s.txt), xT, noisedT, 0, `${b}.ada.${s.txt}`, 'attn'), noisedT, s.txt);
    xV = newV;
  }
  const n = rms(xV, eps, w('vid_out_norm.weight'));
  const sc = w('vid_out_ada.out_scale'); const sh = w('vid_out_ada.out_shift');
  const m = mapM(n, (val, i) => { const r = Math.floor(i / D); const d = i % D; return val * (modv(noisedV[r], 0, 1, d) + sc[d]) + modv(noisedV[r], 0, 0, d) + sh[d]; });
  return linear(m, w('vid_out.proj.weight'), patchOutDim(c), w('vid_out.proj.bias')).d;
}

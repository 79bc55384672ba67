/**
 * The DiT's weights by name and shape. Names follow the reference's modules (VINCIE's NaDiT) where it has
 * them; a block's per-stream part is `vid` / `txt` in the first `mmLayers` blocks and `all` after.
 */
import { embDim, mlpHidden, patchInDim, patchOutDim, type DitConfig } from './config.js';

/** One weight: its name and shape. */
export interface WeightSpec { readonly name: string; readonly shape: readonly number[] }

/** The stream names of block i: separate text and vision weights, or one shared set. */
export function blockStreams(c: DitConfig, i: number): { txt: string; vid: string } {
  return i < c.mmLayers ? { txt: 'txt', vid: 'vid' } : { txt: 'all', vid: 'all' };
}

/**
 * Every weight of a config, in a stable order.
 * @example ditWeightSpecs(ditConfig('tiny')).find((w) => w.name === 'txt_in.weight')?.shape // [32, 24]
 */
export function ditWeightSpecs(c: DitConfig): WeightSpec[] {
  const D = c.width;
  const inner = c.heads * c.headDim;
  const F = mlpHidden(c);
  const specs: WeightSpec[] = [
    { name: 'emb_in.proj_in.weight', shape: [D, c.timeFreqDim] }, { name: 'emb_in.proj_in.bias', shape: [D] },
    { name: 'emb_in.proj_hid.weight', shape: [D, D] }, { name: 'emb_in.proj_hid.bias', shape: [D] },
    { name: 'emb_in.proj_out.weight', shape: [embDim(c), D] }, { name: 'emb_in.proj_out.bias', shape: [embDim(c)] },
    { name: 'turn_emb.weight', shape: [c.turnSlots, c.textDim] },
    { name: 'txt_in.weight', shape: [D, c.textDim] }, { name: 'txt_in.bias', shape: [D] },
    { name: 'vid_in.proj.weight', shape: [D, patchInDim(c)] }, { name: 'vid_in.proj.bias', shape: [D] },
  ];
  for (let i = 0; i < c.layers; i++) {
    const s = blockStreams(c, i);
    const parts = s.txt === s.vid ? [s.vid] : [s.vid, s.txt];
    for (const p of parts) {
      const b = `blocks.${i}`;
      specs.push(
        { name: `${b}.attn.proj_qkv.${p}.weight`, shape: [3 * inner, D] },
        { name: `${b}.attn.proj_out.${p}.weight`, shape: [D, inner] }, { name: `${b}.attn.proj_out.${p}.bias`, shape: [D] },
        { name: `${b}.attn.norm_q.${p}.weight`, shape: [c.headDim] }, { name: `${b}.attn.norm_k.${p}.weight`, shape: [c.headDim] },
        { name: `${b}.mlp.${p}.proj_in_gate.weight`, shape: [F, D] }, { name: `${b}.mlp.${p}.proj_in.weight`, shape: [F, D] },
        { name: `${b}.mlp.${p}.proj_out.weight`, shape: [D, F] },
      );
      for (const l of ['attn', 'mlp']) for (const g of ['shift', 'scale', 'gate']) specs.push({ name: `${b}.ada.${p}.${l}_${g}`, shape: [D] });
    }
  }
  specs.push(
    { name: 'vid_out_norm.weight', shape: [D] },
    { name: 'vid_out_ada.out_shift', shape: [D] }, { name: 'vid_out_ada.out_scale', shape: [D] },
    { name: 'vid_out.proj.weight', shape: [patchOutDim(c), D] }, { name: 'vid_out.proj.bias', shape: [patchOutDim(c)] },
  );
  return specs;
}

/**
 * The number of parameters of a config.
 * @example ditParameterCount(DIT_CONFIGS['vincie-3b']) // about 3.4e9
 */
export function ditParameterCount(c: DitConfig): number {
  return ditWeightSpecs(c).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * A tiny T5 encoder: the files of a T5 encoder export as transformers.js loads them (config.json with
 * model_type "t5", tokenizer.json / tokenizer_config.json / special_tokens_map.json, and
 * onnx/encoder_model.onnx with inputs input_ids, attention_mask and output last_hidden_state, as in
 * Xenova/t5-small and the onnx-community T5 exports), with a small seeded pre-norm encoder: token
 * embeddings, `layers` blocks of masked self-attention and a ReLU MLP with T5's RMSNorm, a final norm.
 * T5's relative position bias is left out.
 */
import path from 'node:path';
import { GraphBuilder, type Tensor } from '../../onnx/index.js';
import { writeJsonFiles } from '../../models/tiny/common.js';
import { seededRandom } from '../../models/tiny/random.js';
import { t5Tokenizer } from './unigram.js';
import { TINY_TEXT_WORDS } from './words.js';

/** Options of `writeTinyT5Encoder`. */
export interface TinyT5Options {
  /** d_model. Default 16. */
  dModel?: number;
  /** Attention heads (d_kv = dModel / heads). Default 2. */
  heads?: number;
  /** Encoder blocks. Default 1. */
  layers?: number;
  /** Whole-word pieces of the tokenizer. Default: TINY_TEXT_WORDS. */
  words?: readonly string[];
  /** Weight seed. Default 5. */
  seed?: number;
}

/**
 * Writes a complete tiny T5 encoder folder.
 * @example await writeTinyT5Encoder('/tmp/tiny-t5'); const enc = await loadTextEncoder('/tmp/tiny-t5');
 */
export async function writeTinyT5Encoder(folder: string, options: TinyT5Options = {}): Promise<string> {
  const D = options.dModel ?? 16;
  const H = options.heads ?? 2;
  const layers = options.layers ?? 1;
  if (D % H) throw new Error(`tiny T5: dModel ${D} is not divisible by heads ${H}`);
  const dk = D / H;
  const ff = 2 * D;
  const tok = t5Tokenizer(options.words ?? TINY_TEXT_WORDS);
  const V = tok.vocab.size;
  const rng = seededRandom(options.seed ?? 5);
  const g = new GraphBuilder({ name: 'tiny-t5-encoder', opset: 17 });
  const w = (name: string, shape: number[], std: number) => g.weight(name, rng.fill(shape.reduce((a, b) => a * b, 1), std), shape);
  const ones = (name: string) => g.weight(name, new Float32Array(D).fill(1), [D]);

  // input_ids, attention_mask: int64[batch_size, encoder_sequence_length]
  const ids = g.input('input_ids', 'int64', ['batch_size', 'encoder_sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);
  let x: Tensor = g.gather(w('shared.weight', [V, D], 1), ids, 0); // [B,L,D]
  // Padding keys get -1e9: additive mask [B,1,1,L].
  const additive = g.mul(g.sub(g.constant(1), g.cast(g.unsqueeze(mask, [1, 2]), 'float32')), -1e9);
  const heads = (t: Tensor) => g.transpose(g.reshape(t, [0, 0, H, dk]), [0, 2, 1, 3]); // [B,H,L,dk]
  for (let l = 0; l < layers; l++) {
    const p = `encoder.block.${l}`;
    const h = g.rmsNorm(x, ones(`${p}.layer.0.layer_norm.weight`));
    const q = heads(g.linear(h, w(`${p}.layer.0.SelfAttention.q.weight`, [D, D], 0.3)));
    const k = heads(g.linear(h, w(`${p}.layer.0.SelfAttention.k.weight`, [D, D], 0.3)));
    const v = heads(g.linear(h, w(`${p}.layer.0.SelfAttention.v.weight`, [D, D], 0.3)));
    const att = g.reshape(g.transpose(g.attention(q, k, v, additive, 1), [0, 2, 1, 3]), [0, 0, D]); // T5 does not scale by 1/sqrt(d)
    x = g.add(x, g.linear(att, w(`${p}.layer.0.SelfAttention.o.weight`, [D, D], 0.3)));
    const m = g.rmsNorm(x, ones(`${p}.layer.1.layer_norm.weight`));
    const hidden = g.relu(g.linear(m, w(`${p}.layer.1.DenseReluDense.wi.weight`, [ff, D], 0.3)));
    x = g.add(x, g.linear(hidden, w(`${p}.layer.1.DenseReluDense.wo.weight`, [D, ff], 0.3)));
  }
  g.output(g.rmsNorm(x, ones('encoder.final_layer_norm.weight')), 'last_hidden_state');
  await g.save(path.join(folder, 'onnx', 'encoder_model.onnx'));

  await writeJsonFiles(folder, {
    'config.json': {
      architectures: ['T5EncoderModel'],
      model_type: 't5',
      d_model: D,
      d_kv: dk,
      d_ff: ff,
      num_heads: H,
      num_layers: layers,
      vocab_size: V,
      feed_forward_proj: 'relu',
      layer_norm_epsilon: 1e-6,
      pad_token_id: 0,
      eos_token_id: 1,
      decoder_start_token_id: 0,
      is_encoder_decoder: true,
      'transformers.js_config': { dtype: 'fp32' },
    },
    'tokenizer.json': tok.tokenizer,
    'tokenizer_config.json': tok.config,
    'special_tokens_map.json': { eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>', additional_special_tokens: tok.config.additional_special_tokens },
  });
  return folder;
}

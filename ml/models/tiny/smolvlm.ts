/**
 * A tiny SmolVLM (Idefics3 architecture): the files of HuggingFaceTB/SmolVLM-256M-Instruct's ONNX export
 * (config, generation config, Idefics3 preprocessor and processor config, a byte-level BPE tokenizer with
 * the chat template, onnx/vision_encoder.onnx, onnx/embed_tokens.onnx, onnx/decoder_model_merged.onnx with
 * the real input and output names and a KV cache), small enough to read.
 *
 * The decoder is one attention layer whose single head finds the last "Assistant:" token through the
 * KV cache, so the number of tokens generated so far is (position - that token's position). The logits
 * pick token number `step` of a scripted reply (then the end-of-utterance token), the way a fixed
 * lm_head bias would steer a real model. A broken cache or position bookkeeping in the generation loop
 * therefore changes the text; generation stops at EOS or at the token limit.
 */
import path from 'node:path';
import { GraphBuilder, type Tensor } from '../../onnx/index.js';
import { writeJsonFiles } from './common.js';
import { mlpStack, project, zeroOf } from './compute.js';
import { seededRandom } from './random.js';
import { byteLevelAlphabet, byteLevelBpeTokenizer } from './tokenizers.js';

/** Options of `writeTinySmolVlm`. */
export interface TinySmolVlmOptions {
  /** The text the model answers every prompt with. Default: a transition caption in the captioner's JSON. */
  reply?: string;
  seed?: number;
  /** Side of an image tile (`max_image_size`); images are resized to at most twice that and split. Default 32. */
  imageSide?: number;
  /** Image tokens per tile side (the tile is read in `imageSide / tileTokens`-pixel patches). Default 2. */
  tileTokens?: number;
  /**
   * Realistic compute (bench-size models, bench/vision.ts), entering the outputs times zero: an MLP over each
   * tile's 16-px patches in the vision encoder, an MLP over each token in the decoder, a padded vocabulary
   * (the real lm_head's logits width) and a KV cache with `layers` layers. Default none: the tiny model.
   */
  compute?: { visionWidth: number; visionLayers: number; width: number; inner: number; layers: number; vocabSize: number };
}

/**
 * SmolVLM-256M's shapes and a fraction of its compute: 512-px tiles read as 8x8 = 64 image tokens (what the
 * real pixel shuffle gives), a SigLIP-like 1024-patch encoder at 1/8 of the real width x depth, a decoder
 * with the real 49152-token vocabulary, 30 KV-cache layers and 576-wide MLPs over a third of the depth.
 * @example await writeTinySmolVlm('/tmp/vlm-bench', BENCH_SIZE_SMOLVLM);
 */
export const BENCH_SIZE_SMOLVLM: Readonly<TinySmolVlmOptions> = Object.freeze({
  imageSide: 512,
  tileTokens: 8,
  compute: Object.freeze({ visionWidth: 384, visionLayers: 4, width: 576, inner: 1536, layers: 10, vocabSize: 49152 }),
});

/** The default reply: a well-formed transition caption (ml/vlm/caption-schema.ts). */
export const TINY_VLM_REPLY = JSON.stringify({
  source: 'A red square on a grey background.',
  target: 'The red square has moved to the right.',
  differences: ['the red square moved to the right'],
  instruction: 'Move the red square to the right',
  regions: [{ phrase: 'red square', frame: 'both' }],
});

/** The chat template of SmolVLM-Instruct. */
export const SMOLVLM_CHAT_TEMPLATE =
  "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}" +
  "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n" +
  "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<end_of_utterance>', '<fake_token_around_image>', '<global-img>', '<image>'];
const ROW_COL = Array.from({ length: 16 }, (_, i) => `<row_${Math.floor(i / 4) + 1}_col_${(i % 4) + 1}>`);
const MARKER = 'Assistant:';
const HIDDEN = 8;

/**
 * Writes a complete tiny SmolVLM model folder whose answer is `reply`.
 * @example await writeTinySmolVlm('/tmp/tiny-vlm', { reply: 'hello' }); // createLocalVlm({ model: '/tmp/tiny-vlm' })
 */
export async function writeTinySmolVlm(folder: string, options: TinySmolVlmOptions = {}): Promise<void> {
  const rng = seededRandom(options.seed ?? 5);
  const IMAGE_SIDE = options.imageSide ?? 32;
  const PATCH = IMAGE_SIDE / (options.tileTokens ?? 2);
  const IMAGE_SEQ_LEN = (IMAGE_SIDE / PATCH) ** 2;
  const big = options.compute;
  const heavy = seededRandom((options.seed ?? 5) + 1);
  const reply = options.reply ?? TINY_VLM_REPLY;
  const tok = byteLevelBpeTokenizer([...SPECIALS, ...ROW_COL], [MARKER], {
    bos_token: '<|im_start|>',
    eos_token: '<end_of_utterance>',
    pad_token: '<|im_end|>',
    unk_token: '<|endoftext|>',
    chat_template: SMOLVLM_CHAT_TEMPLATE,
    processor_class: 'Idefics3Processor',
  });
  const V = tok.vocab.size;
  const id = (t: string) => tok.vocab.get(t)!;
  const eos = id('<end_of_utterance>');
  const alphabet = byteLevelAlphabet();
  const script = [...new TextEncoder().encode(reply)].map((b) => id(alphabet[b]!));
  script.push(eos);
  const K = script.length;

  // embed_tokens: input_ids int64[B,L] -> inputs_embeds float32[B,L,8]; dimension 0 flags the marker.
  const table = rng.fill(V * HIDDEN, 0.1);
  for (let v = 0; v < V; v++) table[v * HIDDEN] = v === id(MARKER) ? 1 : 0;
  const emb = new GraphBuilder({ name: 'tiny-smolvlm-embed-tokens', opset: 17 });
  emb.output(emb.gather(emb.weight('embed_tokens.weight', table, [V, HIDDEN]), emb.input('input_ids', 'int64', ['batch_size', 'sequence_length']), 0), 'inputs_embeds');
  await emb.save(path.join(folder, 'onnx', 'embed_tokens.onnx'));

  // vision_encoder: pixel_values float32[B,N,3,32,32] -> image_features float32[B*N,4,8] (16-px patches).
  const vis = new GraphBuilder({ name: 'tiny-smolvlm-vision-encoder', opset: 17 });
  const pixels = vis.input('pixel_values', 'float32', ['batch_size', 'num_images', 3, IMAGE_SIDE, IMAGE_SIDE]);
  const pixelMask = vis.input('pixel_attention_mask', 'bool', ['batch_size', 'num_images', IMAGE_SIDE, IMAGE_SIDE]);
  const patchW = rng.fill(HIDDEN * 3 * PATCH * PATCH, 0.01);
  patchW.fill(0, 0, 3 * PATCH * PATCH); // image features never look like the marker
  const patches = vis.conv(vis.reshape(pixels, [-1, 3, IMAGE_SIDE, IMAGE_SIDE]), vis.weight('patch_embedding.weight', patchW, [HIDDEN, 3, PATCH, PATCH]), undefined, { strides: [PATCH, PATCH] });
  const features = vis.transpose(vis.reshape(patches, [0, HIDDEN, IMAGE_SEQ_LEN]), [0, 2, 1]);
  const maskSum = vis.reduceSum(vis.cast(pixelMask, 'float32'), [0, 1, 2, 3], false);
  let visionOut = vis.add(features, vis.mul(maskSum, 0));
  if (big) {
    // A SigLIP-like encoder over 16-px patches: [N,3,S,S] -> [N,W,S/16,S/16] -> [N,(S/16)^2,W] -> MLPs -> 0.
    const W = big.visionWidth;
    const p16 = vis.conv(vis.reshape(pixels, [-1, 3, IMAGE_SIDE, IMAGE_SIDE]), vis.weight('siglip.patch.weight', heavy.fill(W * 3 * 16 * 16, 1 / Math.sqrt(3 * 256)), [W, 3, 16, 16]), undefined, { strides: [16, 16] });
    const tokens = vis.transpose(vis.reshape(p16, [0, W, (IMAGE_SIDE / 16) ** 2]), [0, 2, 1]);
    visionOut = vis.add(visionOut, zeroOf(vis, mlpStack(vis, heavy, 'siglip.layers', vis.tanh(tokens), W, 4 * W, big.visionLayers)));
  }
  vis.output(visionOut, 'image_features');
  await vis.save(path.join(folder, 'onnx', 'vision_encoder.onnx'));

  // decoder_model_merged: one layer, one KV head of size 2: key = [is_marker, position], value = [position, is_marker].
  const g = new GraphBuilder({ name: 'tiny-smolvlm-decoder', opset: 17 });
  const x = g.input('inputs_embeds', 'float32', ['batch_size', 'sequence_length', HIDDEN]);
  const attention = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positions = g.input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  const pastK = g.input('past_key_values.0.key', 'float32', ['batch_size', 1, 'past_sequence_length', 2]);
  const pastV = g.input('past_key_values.0.value', 'float32', ['batch_size', 1, 'past_sequence_length', 2]);
  const marker = g.slice(x, [0], [1], [2]); // [B,L,1]
  const pos = g.unsqueeze(g.cast(positions, 'float32'), [2]); // [B,L,1]
  const k = g.op('Concat', [pastK, g.unsqueeze(g.concat([marker, pos], 2), [1])], { axis: 2 }, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', 1, 'total_sequence_length', 2] }] });
  const v = g.op('Concat', [pastV, g.unsqueeze(g.concat([pos, marker], 2), [1])], { axis: 2 }, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', 1, 'total_sequence_length', 2] }] });
  g.output(k, 'present.0.key');
  g.output(v, 'present.0.value');
  // Bench-size: more KV-cache layers (each appends a projection of the token) and the real vocabulary width.
  let extra: Tensor | undefined;
  if (big) {
    for (let l = 1; l < big.layers * 3; l++) {
      const kv = g.unsqueeze(project(g, heavy, `layers.${l}.kv`, x, HIDDEN, 2), [1]); // [B,1,L,2]
      for (const kind of ['key', 'value']) {
        const past = g.input(`past_key_values.${l}.${kind}`, 'float32', ['batch_size', 1, 'past_sequence_length', 2]);
        g.output(g.op('Concat', [past, kv], { axis: 2 }, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', 1, 'total_sequence_length', 2] }] }), `present.${l}.${kind}`);
      }
    }
    const hidden = mlpStack(g, heavy, 'mlp', g.tanh(project(g, heavy, 'mlp.in', x, HIDDEN, big.width)), big.width, big.inner, big.layers);
    extra = g.matmul(hidden, g.weight('lm_head.padding', heavy.fill(big.width * (big.vocabSize - V), 0.001), [big.width, big.vocabSize - V]));
  }
  // Query [1e4, 1]: the latest marker wins over any later plain token and any earlier marker.
  const q = g.weight('layers.0.self_attn.q', new Float32Array([1e4, 1]), [1, 1, 1, 2]);
  const base = g.matmul(q, g.transpose(k, [0, 1, 3, 2])); // [B,1,1,T]
  const total = g.squeeze(g.slice(g.shape(k), [2], [3]), [0]);
  const length = g.squeeze(g.slice(g.shape(x), [1], [2]), [0]);
  const one = g.constant([1], [], 'int64');
  const queryAt = g.op('Range', [g.sub(total, length), total, one], {}, { outputTypes: [{ dtype: 'int64', shape: ['sequence_length'] }] });
  const keyAt = g.op('Range', [g.constant([0], [], 'int64'), total, one], {}, { outputTypes: [{ dtype: 'int64', shape: ['total_sequence_length'] }] });
  const causal = g.op('LessOrEqual', [g.unsqueeze(keyAt, [0]), g.unsqueeze(queryAt, [1])]); // [L,T]
  const padding = g.mul(g.sub(g.cast(g.unsqueeze(attention, [1, 2]), 'float32'), 1), 1e9); // [B,1,1,T]
  const scores = g.add(g.where(causal, base, -1e9), padding);
  const attended = g.squeeze(g.matmul(g.softmax(scores, -1), v), [1]); // [B,L,2]
  const step = g.sub(pos, g.slice(attended, [0], [1], [2])); // tokens generated so far, [B,L,1]
  const ks = g.constant(Array.from({ length: K }, (_, i) => i), [1, 1, K]);
  const d = g.sub(step, ks);
  const pick = g.softmax(g.mul(g.mul(d, d), -5), -1); // [B,L,K], one-hot at round(step)
  const scriptTable = new Float32Array(K * V);
  script.forEach((t, i) => (scriptTable[i * V + t] = 40));
  const lmHead = g.weight('lm_head.weight', rng.fill(V * HIDDEN, 0.02), [V, HIDDEN]);
  const logits = g.add(g.matmul(pick, g.weight('lm_head.script_bias', scriptTable, [K, V])), g.linear(x, lmHead));
  // The padded vocabulary's logits stay below -9: never picked, whatever the random weights give.
  g.output(extra ? g.concat([logits, g.sub(g.tanh(extra), 10)], 2) : logits, 'logits');
  await g.save(path.join(folder, 'onnx', 'decoder_model_merged.onnx'));

  await writeJsonFiles(folder, {
    'config.json': {
      architectures: ['SmolVLMForConditionalGeneration'],
      model_type: 'smolvlm',
      image_token_id: id('<image>'),
      scale_factor: 1,
      text_config: { model_type: 'llama', hidden_size: HIDDEN, num_hidden_layers: big ? big.layers * 3 : 1, num_attention_heads: 1, num_key_value_heads: 1, head_dim: 2, vocab_size: big?.vocabSize ?? V, max_position_embeddings: 8192 },
      vision_config: { model_type: 'smolvlm_vision', hidden_size: HIDDEN, image_size: IMAGE_SIDE, patch_size: PATCH },
      'transformers.js_config': { dtype: 'fp32' },
    },
    'generation_config.json': { bos_token_id: id('<|im_start|>'), eos_token_id: eos, pad_token_id: id('<|im_end|>') },
    'preprocessor_config.json': {
      image_processor_type: 'Idefics3ImageProcessor',
      processor_class: 'Idefics3Processor',
      do_convert_rgb: true,
      do_image_splitting: true,
      do_normalize: true,
      do_pad: true,
      do_rescale: true,
      do_resize: true,
      image_mean: [0.5, 0.5, 0.5],
      image_std: [0.5, 0.5, 0.5],
      max_image_size: { longest_edge: IMAGE_SIDE },
      resample: 1,
      rescale_factor: 1 / 255,
      size: { longest_edge: 2 * IMAGE_SIDE },
    },
    'processor_config.json': { image_seq_len: IMAGE_SEQ_LEN, processor_class: 'Idefics3Processor' },
    'tokenizer.json': tok.tokenizer,
    'tokenizer_config.json': tok.config,
    'special_tokens_map.json': { bos_token: '<|im_start|>', eos_token: '<end_of_utterance>', pad_token: '<|im_end|>', unk_token: '<|endoftext|>', additional_special_tokens: ['<fake_token_around_image>', '<image>', '<end_of_utterance>'] },
  });
}

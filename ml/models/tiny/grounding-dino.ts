/**
 * A tiny GroundingDINO: the files of onnx-community/grounding-dino-tiny-ONNX (config, preprocessor,
 * BERT tokenizer, onnx/model.onnx with the same input and output names), with a detector small enough to
 * read. Its queries are every grid-aligned rectangle of an 8x8 grid over the image (1296 boxes); a colour
 * word's logit for a box is high when the box holds that colour (purity) and all of it (completeness), so
 * "red square" finds the red square of a synthetic frame. Other words never fire, like GroundingDINO's
 * logits for filler tokens.
 */
import path from 'node:path';
import { GraphBuilder, type Tensor } from '../../onnx/index.js';
import { IMAGENET_MEAN, IMAGENET_STD, TINY_COLORS, writeJsonFiles } from './common.js';
import { convStack, zeroOf, type ConvStage } from './compute.js';
import { seededRandom } from './random.js';
import { wordPieceTokenizer } from './tokenizers.js';

/** Options of `writeTinyGroundingDino`. */
export interface TinyGroundingDinoOptions {
  /** Colour words the detector knows, with their RGB. Default: the synthetic clips' palette. */
  colors?: Readonly<Record<string, readonly [number, number, number]>>;
  /** Grid cells per side (queries = (grid (grid + 1) / 2)^2). Default 8. */
  grid?: number;
  /** Longest side the preprocessor resizes to (the real model uses shortest 800 / longest 1333). Default 64. */
  size?: number;
  /** Shortest side the preprocessor resizes to. Default `size` (the tiny model: both sides at most 64). */
  shortestEdge?: number;
  /**
   * A convolution backbone over the pixels whose result enters the logits times zero, so a session.run
   * costs what a real one does (bench-size models, bench/vision.ts). Default none.
   */
  backbone?: readonly ConvStage[];
  /** Seed of the backbone's weights. Default 3. */
  seed?: number;
}

/**
 * GroundingDINO-tiny's compute at its real input (800-px short side): a Swin-T-like pyramid of
 * convolutions at strides 4, 8, 16, 32 with 96..768 channels (about 40 GFLOPs for an 800x1028 input).
 * @example await writeTinyGroundingDino('/tmp/gdino-bench', BENCH_SIZE_GROUNDING_DINO);
 */
export const BENCH_SIZE_GROUNDING_DINO: TinyGroundingDinoOptions = Object.freeze({
  size: 1333,
  shortestEdge: 800,
  backbone: Object.freeze([
    { channels: 96, stride: 4, depth: 1 },
    { channels: 192, stride: 2, depth: 1 },
    { channels: 384, stride: 2, depth: 2 },
    { channels: 768, stride: 2, depth: 2 },
  ]),
});

/** GroundingDINO's text length: logits always have 256 token slots, -inf beyond the text. */
export const MAX_TEXT_LEN = 256;

const WORDS = ['a', 'an', 'the', 'and', 'of', 'circle', 'square', 'triangle', 'object', 'shape', 'person', 'cup', 'car', 'left', 'right'];

/** The candidate boxes: every grid-aligned rectangle, as [row0, row1, col0, col1) cell ranges. */
function gridBoxes(grid: number): [number, number, number, number][] {
  const spans: [number, number][] = [];
  for (let a = 0; a < grid; a++) for (let b = a + 1; b <= grid; b++) spans.push([a, b]);
  return spans.flatMap(([r0, r1]) => spans.map(([c0, c1]): [number, number, number, number] => [r0, r1, c0, c1]));
}

/**
 * Writes a complete tiny GroundingDINO model folder.
 * @example await writeTinyGroundingDino('/tmp/tiny-gdino'); // then detectPhrases(img, ['red square'], { model: '/tmp/tiny-gdino' })
 */
export async function writeTinyGroundingDino(folder: string, options: TinyGroundingDinoOptions = {}): Promise<void> {
  const colors = options.colors ?? TINY_COLORS;
  const grid = options.grid ?? 8;
  const size = options.size ?? 64;
  const tok = wordPieceTokenizer([...Object.keys(colors), ...WORDS]);
  const boxes = gridBoxes(grid);
  const Q = boxes.length;
  const cells = grid * grid;

  const g = new GraphBuilder({ name: 'tiny-grounding-dino', opset: 17 });
  // pixel_values: float32[B,3,H,W]; the text inputs as the BERT tokenizer makes them.
  const pixels = g.input('pixel_values', 'float32', ['batch_size', 3, 'height', 'width']);
  const inputIds = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const tokenTypes = g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
  const attention = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const pixelMask = g.input('pixel_mask', 'int64', ['batch_size', 'height', 'width']);

  // Cell colours: resize to 4 samples per cell side, average each 4x4 block -> cells: float32[B,G*G,3].
  const batchDim = g.slice(g.shape(pixels), [0], [1]);
  const sizes = g.concat([g.slice(g.shape(pixels), [0], [2]), g.ints([4 * grid, 4 * grid])], 0);
  const small = g.op('Resize', [pixels, undefined, undefined, sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', 3, 4 * grid, 4 * grid] }] });
  const blocks = g.reduceMean(g.reshape(small, [0, 3, grid, 4, grid, 4]), [3, 5], false); // [B,3,G,G]
  const cellColors = g.transpose(g.reshape(blocks, [0, 3, cells]), [0, 2, 1]);

  // Token colours (normalised like the pixels) and whether a token is a colour word.
  const V = tok.vocab.size;
  const table = new Float32Array(V * 3);
  const active = new Float32Array(V);
  for (const [name, rgb] of Object.entries(colors)) {
    const id = tok.vocab.get(name.toLowerCase())!;
    active[id] = 1;
    for (let c = 0; c < 3; c++) table[id * 3 + c] = (rgb[c]! / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  }
  const tokenColors = g.gather(g.weight('text.color_embeddings', table, [V, 3]), inputIds, 0); // [B,L,3]
  const tokenActive = g.unsqueeze(g.gather(g.weight('text.color_gate', active, [V]), inputIds, 0), [1]); // [B,1,L]

  // Similarity of each cell to each token colour: exp(-|cell - colour|^2) -> [B,G*G,L].
  const c2 = g.reduceSum(g.mul(cellColors, cellColors), [-1]); // [B,GG,1]
  const t2 = g.transpose(g.reduceSum(g.mul(tokenColors, tokenColors), [-1]), [0, 2, 1]); // [B,1,L]
  const ct = g.matmul(cellColors, g.transpose(tokenColors, [0, 2, 1])); // [B,GG,L]
  const sim = g.exp(g.neg(g.add(g.sub(c2, g.mul(ct, 2)), t2)));

  // Per box: purity (mean similarity inside) x completeness (share of all similar cells inside).
  const member = new Float32Array(Q * cells);
  const counts = new Float32Array(Q);
  const centres = new Float32Array(Q * 4);
  boxes.forEach(([r0, r1, c0, c1], q) => {
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) member[q * cells + r * grid + c] = 1;
    counts[q] = (r1 - r0) * (c1 - c0);
    centres.set([(c0 + c1) / 2 / grid, (r0 + r1) / 2 / grid, (c1 - c0) / grid, (r1 - r0) / grid], q * 4);
  });
  const inside = g.matmul(g.weight('decoder.query_cells', member, [Q, cells]), sim); // [B,Q,L]
  const purity = g.div(inside, g.constant(counts, [Q, 1]));
  const completeness = g.div(inside, g.add(g.reduceSum(sim, [1]), 1e-6));
  const score = g.sub(g.mul(g.mul(purity, completeness), 16), 10);
  let logits: Tensor = g.add(g.mul(score, tokenActive), g.mul(g.sub(g.constant(1), tokenActive), -9));
  // Padding tokens never match; the text axis is padded to 256 slots with -inf, as the real export does.
  const padTokens = g.unsqueeze(g.op('Equal', [attention, g.constant([0], [], 'int64')]), [1]);
  logits = g.where(padTokens, -Infinity, logits);
  const textLen = g.slice(g.shape(inputIds), [1], [2]);
  const pads = g.concat([g.ints([0, 0, 0, 0, 0]), g.sub(g.ints([MAX_TEXT_LEN]), textLen)], 0);
  logits = g.op('Pad', [logits, pads, g.constant(-Infinity)], { mode: 'constant' }, { outputTypes: [{ dtype: 'float32', shape: ['batch_size', Q, MAX_TEXT_LEN] }] });
  // token_type_ids and pixel_mask are read as the real model reads them; here they only gate nothing.
  const unused = g.add(g.reduceSum(g.cast(tokenTypes, 'float32'), [0, 1], false), g.reduceSum(g.cast(pixelMask, 'float32'), [0, 1, 2], false));
  logits = g.add(logits, g.mul(unused, 0));
  if (options.backbone?.length) logits = g.add(logits, zeroOf(g, convStack(g, seededRandom(options.seed ?? 3), 'backbone', pixels, 3, options.backbone).at(-1)!));
  g.output(logits, 'logits');
  const predBoxes = g.expand(g.weight('decoder.reference_boxes', centres, [1, Q, 4]), g.concat([batchDim, g.ints([Q, 4])], 0));
  g.output(predBoxes, 'pred_boxes');
  await g.save(path.join(folder, 'onnx', 'model.onnx'));

  await writeJsonFiles(folder, {
    'config.json': {
      architectures: ['GroundingDinoForObjectDetection'],
      model_type: 'grounding-dino',
      num_queries: Q,
      max_text_len: MAX_TEXT_LEN,
      d_model: 3,
      text_config: { model_type: 'bert', vocab_size: V, hidden_size: 3 },
      'transformers.js_config': { dtype: 'fp32' },
      cinegraph_tiny: { grid, colors: Object.keys(colors) },
    },
    'preprocessor_config.json': {
      do_normalize: true,
      do_pad: true,
      do_rescale: true,
      do_resize: true,
      image_mean: IMAGENET_MEAN,
      image_std: IMAGENET_STD,
      image_processor_type: 'GroundingDinoImageProcessor',
      processor_class: 'GroundingDinoProcessor',
      resample: 2,
      rescale_factor: 1 / 255,
      size: { shortest_edge: options.shortestEdge ?? size, longest_edge: size },
    },
    'tokenizer.json': tok.tokenizer,
    'tokenizer_config.json': { ...tok.config, processor_class: 'GroundingDinoProcessor' },
    'special_tokens_map.json': { cls_token: '[CLS]', mask_token: '[MASK]', pad_token: '[PAD]', sep_token: '[SEP]', unk_token: '[UNK]' },
  });
}

/**
 * Tiny SAM and SAM2: the files of Xenova/slimsam-77-uniform (SAM) and onnx-community/sam2.1-hiera-tiny-ONNX
 * (SAM2) — config, preprocessor, onnx/vision_encoder.onnx and onnx/prompt_encoder_mask_decoder.onnx with
 * the real input and output names — at a 64-pixel input. The mask decoder turns each box prompt into
 * low-resolution mask logits (16x16, a quarter of the input, like SAM's 256 for 1024) that are positive
 * inside the box: a signed pixel distance to the box edge, plus a faint image-feature term. Its three
 * multimask outputs are the box, the box shrunk by 2 px and grown by 2 px, with IoU scores 0.9, 0.8, 0.7.
 */
import path from 'node:path';
import { GraphBuilder, type Tensor } from '../../onnx/index.js';
import { IMAGENET_MEAN, IMAGENET_STD, writeJsonFiles } from './common.js';
import { mlpStack, project, zeroOf, convStack } from './compute.js';
import { seededRandom } from './random.js';

/** Options of `writeTinySam`. */
export interface TinySamOptions {
  /** 'sam2' (boxes as their own decoder input) or 'sam' (boxes as corner points labelled 2 and 3). */
  family?: 'sam' | 'sam2';
  seed?: number;
  /** The input side (SAM and SAM2: 1024). Default 64 (`TINY_SAM_INPUT`). */
  inputSize?: number;
  /**
   * A realistic image encoder (bench-size models, bench/vision.ts): channels and extra 3x3 convolutions of the
   * three feature levels at strides 4, 8, 16 (tanh between convolutions), and an MLP over the coarsest level's
   * tokens in the decoder whose result enters the mask logits times zero. Default none: the tiny encoder.
   */
  encoder?: { channels: readonly [number, number, number]; depth: readonly [number, number, number]; decoderWidth: number; decoderLayers: number };
}

/**
 * SAM2.1-hiera-tiny's shapes and about a quarter of its compute: a 1024x1024 input, image embeddings
 * [32,256,256], [64,128,128], [256,64,64] (the real ones), 256x256 low-resolution masks.
 * @example await writeTinySam('/tmp/sam2-bench', { family: 'sam2', ...BENCH_SIZE_SAM });
 */
export const BENCH_SIZE_SAM: Readonly<TinySamOptions> = Object.freeze({
  inputSize: 1024,
  encoder: Object.freeze({ channels: [32, 64, 256] as const, depth: [1, 2, 5] as const, decoderWidth: 256, decoderLayers: 2 }),
});

/** The tiny models' input side and low-resolution mask side. */
export const TINY_SAM_INPUT = 64;
export const TINY_SAM_MASK = 16;

/** Mask logits [B,N,3,16,16] for boxes x0,y0,x1,y1 (each [B,N,1], in input pixels), plus a feature term. */
function boxMaskLogits(g: GraphBuilder, x0: Tensor, y0: Tensor, x1: Tensor, y1: Tensor, feature: Tensor, input: number): Tensor {
  const side = input / 4;
  const stride = input / side;
  const centres = Array.from({ length: side }, (_, i) => (i + 0.5) * stride);
  const xs = g.constant(centres, [1, 1, 1, 1, side]);
  const ys = g.constant(centres, [1, 1, 1, side, 1]);
  const u = (t: Tensor) => g.unsqueeze(t, [3, 4]); // [B,N,1] -> [B,N,1,1,1]
  const dx = g.op('Min', [g.sub(xs, u(x0)), g.sub(u(x1), xs)]);
  const dy = g.op('Min', [g.sub(ys, u(y0)), g.sub(u(y1), ys)]);
  const inside = g.op('Min', [dx, dy]); // [B,N,1,16,16]: >0 inside the box, in pixels
  const multimask = g.add(inside, g.constant([0, -2, 2], [1, 1, 3, 1, 1]));
  return g.add(multimask, g.mul(g.unsqueeze(feature, [1]), 0.01)); // feature [B,1,16,16] -> [B,1,1,16,16]
}

/**
 * Writes a complete tiny SAM2 (default) or SAM model folder.
 * @example await writeTinySam('/tmp/tiny-sam2'); // segmentBoxes(img, [[8, 8, 40, 40]], { model: '/tmp/tiny-sam2' })
 */
export async function writeTinySam(folder: string, options: TinySamOptions = {}): Promise<void> {
  const family = options.family ?? 'sam2';
  const rng = seededRandom(options.seed ?? 11);
  const S = options.inputSize ?? TINY_SAM_INPUT;
  const M = S / 4; // low-resolution mask side
  const big = options.encoder;
  const [c0, c1, c2] = big?.channels ?? [4, 4, 8];

  // Vision encoder: pixel_values float32[B,3,S,S] -> feature maps at strides 4, 8, 16.
  const enc = new GraphBuilder({ name: `tiny-${family}-vision-encoder`, opset: 17 });
  const pixels = enc.input('pixel_values', 'float32', ['batch_size', 3, S, S]);
  const conv = (x: Tensor, name: string, cout: number, cin: number, k: number) =>
    enc.conv(x, enc.weight(`${name}.weight`, rng.fill(cout * cin * k * k, 0.1), [cout, cin, k, k]), enc.weight(`${name}.bias`, new Float32Array(cout), [cout]), { strides: [k, k] });
  let e0: Tensor, e1: Tensor, e2: Tensor;
  if (big) {
    const stages = [0, 1, 2].map((i) => ({ channels: big.channels[i]!, stride: i ? 2 : 4, depth: big.depth[i]! }));
    [e0, e1, e2] = convStack(enc, seededRandom((options.seed ?? 11) + 1), 'neck', pixels, 3, stages) as [Tensor, Tensor, Tensor];
  } else {
    e0 = conv(pixels, 'neck.0', 4, 3, 4); // [B,4,16,16]
    e1 = conv(e0, 'neck.1', 4, 4, 2); // [B,4,8,8]
    e2 = conv(e1, 'neck.2', 8, 4, 2); // [B,8,4,4]
  }
  const [s0, s1, s2] = [S / 4, S / 8, S / 16];
  if (family === 'sam2') {
    enc.output(e0, 'image_embeddings.0');
    enc.output(e1, 'image_embeddings.1');
    enc.output(e2, 'image_embeddings.2');
  } else {
    enc.output(e2, 'image_embeddings');
    enc.output(enc.expand(enc.weight('positional_embedding', rng.fill(c2 * s2 * s2, 0.1), [1, c2, s2, s2]), enc.shape(e2)), 'image_positional_embeddings');
  }
  await enc.save(path.join(folder, 'onnx', 'vision_encoder.onnx'));

  // Prompt encoder + mask decoder.
  const dec = new GraphBuilder({ name: `tiny-${family}-mask-decoder`, opset: 17 });
  let feature: Tensor;
  let box: Tensor[]; // x0, y0, x1, y1: [B,N,1]
  let unused: Tensor;
  let coarse: Tensor; // the stride-16 embedding [B,C,S/16,S/16]
  if (family === 'sam2') {
    const f0 = dec.input('image_embeddings.0', 'float32', ['batch_size', c0, s0, s0]);
    const f1 = dec.input('image_embeddings.1', 'float32', ['batch_size', c1, s1, s1]);
    const f2 = dec.input('image_embeddings.2', 'float32', ['batch_size', c2, s2, s2]);
    const points = dec.input('input_points', 'float32', ['batch_size', 'point_batch_size', 'num_points', 2]);
    const labels = dec.input('input_labels', 'int64', ['batch_size', 'point_batch_size', 'num_points']);
    const boxes = dec.input('input_boxes', 'float32', ['batch_size', 'num_boxes', 4]);
    box = dec.split(boxes, 2, 4);
    feature = dec.slice(f0, [0], [1], [1]);
    // Point prompts and the coarser levels are accepted as the real decoder accepts them; this one ignores them.
    const total = (t: Tensor) => dec.reduceSum(dec.cast(t, 'float32'), [...Array(t.rank).keys()], false);
    unused = dec.add(dec.add(total(points), total(labels)), dec.add(total(f1), total(f2)));
    coarse = f2;
  } else {
    const f = dec.input('image_embeddings', 'float32', ['batch_size', c2, s2, s2]);
    const pos = dec.input('image_positional_embeddings', 'float32', ['batch_size', c2, s2, s2]);
    coarse = f;
    const points = dec.input('input_points', 'float32', ['batch_size', 'point_batch_size', 'nb_points_per_image', 2]);
    const labels = dec.input('input_labels', 'int64', ['batch_size', 'point_batch_size', 'nb_points_per_image']);
    // A box is its two corners, labelled 2 (top-left) and 3 (bottom-right), as SAM's prompt encoder reads them.
    const [px, py] = dec.split(points, 3, 2).map((t) => dec.squeeze(t, [3])); // [B,P,K]
    const corner = (label: number) => dec.cast(dec.op('Equal', [labels, dec.constant([label], [], 'int64')]), 'float32');
    const pick = (coord: Tensor, label: number) => dec.reduceSum(dec.mul(coord, corner(label)), [2]); // [B,P,1]
    box = [pick(px!, 2), pick(py!, 2), pick(px!, 3), pick(py!, 3)];
    feature = dec.resize(dec.slice(f, [0], [1], [1]), { sizes: [1, 1, M, M], mode: 'nearest' });
    unused = dec.reduceSum(pos, [0, 1, 2, 3], false);
  }
  const logits = boxMaskLogits(dec, box[0]!, box[1]!, box[2]!, box[3]!, feature, S);
  if (big) {
    // The real decoder's work over the image tokens: [B,C,h,w] -> [B,h*w,C] -> projections -> 0.
    const tokens = dec.transpose(dec.reshape(coarse, [0, c2, s2 * s2]), [0, 2, 1]);
    const hidden = mlpStack(dec, seededRandom((options.seed ?? 11) + 2), 'transformer', project(dec, seededRandom((options.seed ?? 11) + 3), 'transformer.in', tokens, c2, big.decoderWidth), big.decoderWidth, big.decoderWidth, big.decoderLayers);
    unused = dec.add(unused, zeroOf(dec, hidden));
  }
  dec.output(dec.add(logits, dec.mul(unused, 0)), 'pred_masks');
  const n = dec.slice(dec.shape(box[0]!), [0], [2]); // [B,N]
  dec.output(dec.expand(dec.constant([0.9, 0.8, 0.7], [1, 1, 3]), dec.concat([n, dec.ints([3])], 0)), 'iou_scores');
  if (family === 'sam2') dec.output(dec.expand(dec.constant([10], [1, 1, 1]), dec.concat([n, dec.ints([1])], 0)), 'object_score_logits');
  await dec.save(path.join(folder, 'onnx', 'prompt_encoder_mask_decoder.onnx'));

  const common = {
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: IMAGENET_MEAN,
    image_std: IMAGENET_STD,
    resample: 2,
    rescale_factor: 1 / 255,
  };
  await writeJsonFiles(folder, {
    'config.json':
      family === 'sam2'
        ? { architectures: ['Sam2Model'], model_type: 'sam2', vision_config: { model_type: 'sam2_vision_model', num_feature_levels: 3, backbone_feature_sizes: [[s0, s0], [s1, s1], [s2, s2]] }, prompt_encoder_config: { image_size: S, patch_size: 16 }, mask_decoder_config: { num_multimask_outputs: 3 } }
        : { architectures: ['SamModel'], model_type: 'sam', vision_config: { image_size: S, patch_size: 16, output_channels: c2 }, prompt_encoder_config: { image_size: S, image_embedding_size: s2 }, mask_decoder_config: { num_multimask_outputs: 3 } },
    'preprocessor_config.json':
      family === 'sam2'
        ? { ...common, image_processor_type: 'Sam2ImageProcessor', processor_class: 'Sam2Processor', size: { height: S, width: S }, mask_size: { height: M, width: M } }
        : { ...common, image_processor_type: 'SamImageProcessor', processor_class: 'SamProcessor', do_pad: true, pad_size: { height: S, width: S }, size: { longest_edge: S } },
  });
}

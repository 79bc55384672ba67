/**
 * Realistic compute for the "bench-size" variants of the tiny models (bench/vision.ts): convolution and
 * MLP stacks with seeded random weights whose result enters a model output multiplied by zero, so a
 * session.run costs about what a real encoder or decoder costs while the outputs stay the tiny model's.
 * Activations are tanh (bounded), so the product is always a finite 0 and never a NaN.
 */
import type { GraphBuilder, Tensor } from '../../onnx/index.js';
import type { seededRandom } from './random.js';

type Rng = ReturnType<typeof seededRandom>;

/** One stage of a convolution stack: a strided k x k convolution to `channels`, then `depth` 3x3 convolutions. */
export interface ConvStage {
  channels: number;
  stride: number;
  depth: number;
}

/**
 * A convolution stack over x [B,C,H,W] (tanh after each convolution); returns each stage's output.
 * @example const [s4, s8] = convStack(g, rng, 'backbone', pixels, 3, [{ channels: 96, stride: 4, depth: 1 }, { channels: 192, stride: 2, depth: 1 }]);
 */
export function convStack(g: GraphBuilder, rng: Rng, name: string, x: Tensor, inChannels: number, stages: readonly ConvStage[]): Tensor[] {
  const outs: Tensor[] = [];
  let cin = inChannels;
  const conv = (t: Tensor, id: string, cout: number, k: number, stride: number) => {
    const w = g.weight(`${id}.weight`, rng.fill(cout * cin * k * k, 1 / Math.sqrt(cin * k * k)), [cout, cin, k, k]);
    const pad = stride === 1 ? (k - 1) / 2 : 0;
    cin = cout;
    return g.tanh(g.conv(t, w, g.weight(`${id}.bias`, new Float32Array(cout), [cout]), { strides: [stride, stride], pads: [pad, pad, pad, pad] }));
  };
  stages.forEach((s, i) => {
    x = conv(x, `${name}.${i}.down`, s.channels, s.stride, s.stride);
    for (let d = 0; d < s.depth; d++) x = conv(x, `${name}.${i}.conv${d}`, s.channels, 3, 1);
    outs.push(x);
  });
  return outs;
}

/**
 * An MLP stack over x [..., width]: `layers` blocks of width -> inner -> width (tanh), x + block(x).
 * @example const h = mlpStack(g, rng, 'layers', tokens, 576, 1536, 4);
 */
export function mlpStack(g: GraphBuilder, rng: Rng, name: string, x: Tensor, width: number, inner: number, layers: number): Tensor {
  for (let l = 0; l < layers; l++) {
    const up = g.weight(`${name}.${l}.up`, rng.fill(width * inner, 1 / Math.sqrt(width)), [width, inner]);
    const down = g.weight(`${name}.${l}.down`, rng.fill(inner * width, 1 / Math.sqrt(inner)), [inner, width]);
    x = g.tanh(g.add(x, g.matmul(g.tanh(g.matmul(x, up)), down)));
  }
  return x;
}

/**
 * A scalar 0 that depends on every element of x (so no part of the compute that made x is skipped).
 * @example logits = g.add(logits, zeroOf(g, features));
 */
export function zeroOf(g: GraphBuilder, x: Tensor): Tensor {
  return g.mul(g.reduceMean(x, [...Array(x.rank).keys()], false), 0);
}

/**
 * Projects x [..., from] to [..., to] with a seeded random matrix (the entry into an MLP stack).
 * @example const h = project(g, rng, 'proj', x, 8, 576);
 */
export function project(g: GraphBuilder, rng: Rng, name: string, x: Tensor, from: number, to: number): Tensor {
  return g.matmul(x, g.weight(`${name}.weight`, rng.fill(from * to, 1 / Math.sqrt(from)), [from, to]));
}

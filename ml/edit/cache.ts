/**
 * The context cache of block-causal sampling: per layer, the keys and values of every cached token of a
 * batch of guidance branches, [batch, heads, P, headDim], grown along P as turns are added.
 */
import type { DitConfig, DitPast } from '../dit/index.js';
import { ort } from '../runtime/index.js';

/**
 * Cached keys and values of earlier turns. Entries are appended in turn order, as the DiT expects.
 * @example
 * const cache = new ContextCache(cfg, 2);
 * cache.append(outputs, pack.textTurn, pack.visionTurn);
 * ditFeeds(cfg, packs, t, { attention: 'block-causal', past: cache.past() });
 */
export class ContextCache {
  private keys: Float32Array[];
  private values: Float32Array[];
  private turns = new BigInt64Array(0);

  constructor(private readonly c: DitConfig, readonly batch: number) {
    this.keys = Array.from({ length: c.layers }, () => new Float32Array(0));
    this.values = Array.from({ length: c.layers }, () => new Float32Array(0));
  }

  /** Cached tokens. */
  get length(): number {
    return this.turns.length;
  }

  /** Appends a run's present_key_i / present_value_i (text tokens first, then vision, as the run's turn ids). */
  append(outputs: Readonly<Record<string, ort.Tensor>>, textTurn: BigInt64Array, visionTurn: BigInt64Array): void {
    const n = textTurn.length + visionTurn.length;
    const turns = new BigInt64Array(this.turns.length + n);
    turns.set(this.turns);
    turns.set(textTurn, this.turns.length);
    turns.set(visionTurn, this.turns.length + textTurn.length);
    for (let i = 0; i < this.c.layers; i++) {
      this.keys[i] = this.grow(this.keys[i]!, outputs[`present_key_${i}`], n, `present_key_${i}`);
      this.values[i] = this.grow(this.values[i]!, outputs[`present_value_${i}`], n, `present_value_${i}`);
    }
    this.turns = turns;
  }

  /** The cache as the DiT's past inputs (tensors over the cache's own buffers). */
  past(): DitPast {
    const dims = [this.batch, this.c.heads, this.length, this.c.headDim];
    return {
      turn: this.turns,
      keys: this.keys.map((k) => new ort.Tensor('float32', k, dims)),
      values: this.values.map((v) => new ort.Tensor('float32', v, dims)),
    };
  }

  private grow(old: Float32Array, present: ort.Tensor | undefined, n: number, name: string): Float32Array {
    const { batch: B, c } = this;
    const H = c.heads;
    const D = c.headDim;
    if (!present) throw new Error(`context cache: the DiT returned no ${name} (is it a block-causal graph?)`);
    const [pb, ph, pn, pd] = present.dims as number[];
    if (pb !== B || ph !== H || pn !== n || pd !== D) throw new Error(`context cache: ${name} is [${present.dims.join(',')}], expected [${B},${H},${n},${D}]`);
    const add = present.data as Float32Array;
    const P = this.length;
    const out = new Float32Array(B * H * (P + n) * D);
    for (let bh = 0; bh < B * H; bh++) {
      out.set(old.subarray(bh * P * D, (bh + 1) * P * D), bh * (P + n) * D);
      out.set(add.subarray(bh * n * D, (bh + 1) * n * D), (bh * (P + n) + P) * D);
    }
    return out;
  }
}

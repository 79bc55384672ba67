/**
 * The tiny DiT run by onnxruntime-node against the TypeScript reference of its math, the block-causal
 * property, full = block-causal on one turn, the KV cache of earlier turns, and the 3B config's sizes.
 */
import { ort } from '../../ml/runtime/index.js';
import { getOp } from '../../ml/onnx/index.js';
import {
  buildDit, ditFeeds, ditParameterCount, DIT_CONFIGS, mlpHidden, packSession, patchOutDim, unpatchify,
} from '../../ml/dit/index.js';
import { ditReference } from './model-reference.js';
import { relError, runningDit, threeTurns, type Running } from './model-fixtures.js';

const c = DIT_CONFIGS.tiny;
let full: Running;
let causal: Running;

beforeAll(async () => {
  full = await runningDit('full');
  causal = await runningDit('block-causal');
});
afterAll(async () => {
  await full?.session.release();
  await causal?.session.release();
});

const velocity = async (r: Running, feeds: Record<string, ort.Tensor>): Promise<Float32Array> =>
  (await r.session.run(feeds)).velocity.data as Float32Array;

describe('tiny DiT against the TypeScript reference', () => {
  test('the config is tiny and the weights are the same in both modes', () => {
    expect(ditParameterCount(c)).toBeLessThan(1_000_000);
    expect(full.dit.graph.parameterCount()).toBe(ditParameterCount(c));
    expect([...full.weights.keys()]).toEqual([...causal.weights.keys()]);
  });

  test.each([
    ['full', 'target'], ['full', 'all'], ['block-causal', 'target'], ['block-causal', 'all'],
  ] as const)('%s attention, timestep on %s tokens: relative error <= 1e-4', async (mode, noised) => {
    const r = mode === 'full' ? full : causal;
    const pack = packSession(c, threeTurns(c), { noised });
    const got = await velocity(r, ditFeeds(c, pack, 0.37, { attention: mode }));
    const want = ditReference(c, r.weights, pack, 0.37, mode);
    expect(got.length).toBe(pack.visionLen * patchOutDim(c));
    expect(relError(got, want)).toBeLessThanOrEqual(1e-4);
  });

  test('the target frame unpatchifies to a C x 1 x H x W latent velocity', async () => {
    const pack = packSession(c, threeTurns(c));
    const v = await velocity(full, ditFeeds(c, pack, 0.5, { attention: 'full' }));
    const target = pack.frames.find((f) => !f.isContext)!;
    const [s, e] = target.tokens;
    const lat = unpatchify(v.slice(s * patchOutDim(c), e * patchOutDim(c)), c.latentChannels, target.grid, c.patch);
    expect([lat.channels, lat.frames, lat.height, lat.width]).toEqual([c.latentChannels, 1, 4, 4]);
  });
});

describe('block-causal attention', () => {
  test("changing the last turn's tokens leaves earlier turns' outputs bit-identical", async () => {
    const a = packSession(c, threeTurns(c, 1, 100));
    const b = packSession(c, threeTurns(c, 1, 200));
    const va = await velocity(causal, ditFeeds(c, a, 0.6, { attention: 'block-causal' }));
    const vb = await velocity(causal, ditFeeds(c, b, 0.6, { attention: 'block-causal' }));
    const earlier = a.frames.filter((f) => f.turn < 2).at(-1)!.tokens[1] * patchOutDim(c);
    expect(earlier).toBeGreaterThan(0);
    expect(Array.from(vb.subarray(0, earlier))).toEqual(Array.from(va.subarray(0, earlier)));
    expect(relError(vb.subarray(earlier), va.subarray(earlier))).toBeGreaterThan(1e-3); // the last turn did change
    // Full attention lets earlier turns see the change.
    const fa = await velocity(full, ditFeeds(c, a, 0.6, { attention: 'full' }));
    const fb = await velocity(full, ditFeeds(c, b, 0.6, { attention: 'full' }));
    expect(relError(fb.subarray(0, earlier), fa.subarray(0, earlier))).toBeGreaterThan(1e-4);
  });

  test('full and block-causal agree on a one-turn session', async () => {
    const one = [threeTurns(c)[2]];
    const pack = packSession(c, one);
    const vf = await velocity(full, ditFeeds(c, pack, 0.8, { attention: 'full' }));
    const vc = await velocity(causal, ditFeeds(c, pack, 0.8, { attention: 'block-causal' }));
    expect(relError(vc, vf)).toBeLessThanOrEqual(1e-6);
  });

  test('turn k with the cached keys/values of turns < k equals the whole session (<= 1e-4)', async () => {
    const turns = threeTurns(c);
    const whole = packSession(c, turns);
    const vWhole = await velocity(causal, ditFeeds(c, whole, 0.45, { attention: 'block-causal' }));
    // Cache turns 0 and 1 (clean tokens see t = 0, so the step's timestep does not matter here).
    const head = packSession(c, turns, { to: 2 });
    const out = await causal.session.run(ditFeeds(c, head, 0.99, { attention: 'block-causal' }));
    const past = {
      turn: BigInt64Array.from([...head.textTurn, ...head.visionTurn]),
      keys: Array.from({ length: c.layers }, (_, i) => out[`present_key_${i}`]),
      values: Array.from({ length: c.layers }, (_, i) => out[`present_value_${i}`]),
    };
    expect(out.present_key_0.dims).toEqual([1, c.heads, head.textLen + head.visionLen, c.headDim]);
    const tail = packSession(c, turns, { from: 2 });
    const vTail = await velocity(causal, ditFeeds(c, tail, 0.45, { attention: 'block-causal', past }));
    const target = whole.frames.find((f) => f.turn === 2)!;
    const want = vWhole.subarray(target.tokens[0] * patchOutDim(c), target.tokens[1] * patchOutDim(c));
    expect(vTail.length).toBe(want.length);
    expect(relError(vTail, want)).toBeLessThanOrEqual(1e-4);
  });

  test('a cache needs a block-causal graph', () => {
    const pack = packSession(c, threeTurns(c), { from: 2 });
    const past = { turn: new BigInt64Array(0), keys: [], values: [] };
    expect(() => ditFeeds(c, pack, 0.5, { attention: 'full', past })).toThrow(/block-causal/);
  });
});

describe('vincie-3b without weights', () => {
  const big = buildDit('vincie-3b', { attention: 'block-causal' });
  const cfg = big.config;

  test('has about 3B parameters (3.0e9 .. 3.6e9), counted the same by the graph and the specs', () => {
    const n = big.graph.parameterCount();
    expect(n).toBe(ditParameterCount(cfg));
    expect(n).toBeGreaterThan(3.0e9);
    expect(n).toBeLessThan(3.6e9);
  });

  test("has the reference's shapes", () => {
    const dims = (name: string) => big.graph.initializers.find((i) => i.name === name)?.dims;
    expect(mlpHidden(cfg)).toBe(6912);
    expect(dims('blocks.0.attn.proj_qkv.vid.weight')).toEqual([3 * 2560, 2560]);
    expect(dims('blocks.9.attn.proj_qkv.txt.weight')).toEqual([3 * 2560, 2560]);
    expect(dims('blocks.10.attn.proj_qkv.all.weight')).toEqual([3 * 2560, 2560]);
    expect(dims('blocks.10.attn.proj_qkv.txt.weight')).toBeUndefined();
    expect(dims('blocks.31.mlp.all.proj_in_gate.weight')).toEqual([6912, 2560]);
    expect(dims('txt_in.weight')).toEqual([2560, 5120]);
    expect(dims('turn_emb.weight')).toEqual([64, 5120]);
    expect(dims('vid_in.proj.weight')).toEqual([2560, 33 * 4]);
    expect(dims('emb_in.proj_out.weight')).toEqual([6 * 2560, 2560]);
    const out = (name: string) => big.graph.outputs.find((o) => o.name === name)?.shape;
    expect(out('velocity')).toEqual(['batch', 'vision_len', 64]);
    expect(big.graph.inputs.find((i) => i.name === 'past_key_31')?.shape).toEqual(['batch', 20, 'past_len', 128]);
    expect(big.outputNames).toContain('present_value_31');
  });

  test('every op of the graph is in the builder op table (for autodiff)', () => {
    const missing = big.graph.nodes.filter((n) => !getOp(n.opType, n.domain)).map((n) => n.opType);
    expect(missing).toEqual([]);
  });
});

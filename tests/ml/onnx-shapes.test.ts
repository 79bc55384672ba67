/** The builder's shape and dtype inference (symbolic dims included) and its build-time errors. */
import * as ort from 'onnxruntime-node';
import { GraphBuilder, ShapeError, getOp, listOps, INLINE_LIMIT } from '../../ml/onnx/index.js';

const f32 = (n: number) => new Float32Array(n);

test('symbolic dimensions flow through linear layers, reshapes and attention', () => {
  const g = new GraphBuilder({ name: 'sym' });
  const x = g.input('x', 'float32', ['batch', 'seq', 16]);
  const h = g.linear(x, g.weight('qkv.weight', f32(48 * 16), [48, 16]));
  expect(h.shape).toEqual(['batch', 'seq', 48]);
  const heads = g.transpose(g.reshape(h, [0, 0, 3, 4, 4]), [2, 0, 3, 1, 4]);
  expect(heads.shape).toEqual([3, 'batch', 4, 'seq', 4]);
  const [q, k, v] = g.split(heads, 0, 3).map((t) => g.squeeze(t, [0]));
  expect(q.shape).toEqual(['batch', 4, 'seq', 4]);
  const o = g.attention(q, k, v);
  expect(o.shape).toEqual(['batch', 4, 'seq', 4]);
  const flat = g.reshape(h, [0, -1]);
  expect(flat.shape).toEqual(['batch', '48*seq']);
  expect(g.reshape(flat, [-1, 48]).shape).toEqual(['batch*seq', 48]);
});

test('shape arithmetic (Shape -> Gather -> Concat -> Reshape) keeps exact symbolic shapes', () => {
  const g = new GraphBuilder({ name: 'shape-math' });
  const x = g.input('x', 'float32', ['n', 3, 8, 8]);
  const s = g.shape(x);
  expect(s.values).toEqual(['n', 3, 8, 8]);
  const n = g.gather(s, [0]);
  const hw = g.op('Mul', [g.gather(s, [2]), g.gather(s, [3])]);
  const y = g.reshape(x, g.concat([n, g.ints([3]), hw], 0));
  expect(y.shape).toEqual(['n', 3, 64]);
});

test('convolution, pooling and resize shapes follow ONNX arithmetic', () => {
  const g = new GraphBuilder({ name: 'conv-shapes' });
  const x = g.input('x', 'float32', ['b', 3, 64, 48]);
  expect(g.conv(x, g.weight('w1', f32(8 * 3 * 9), [8, 3, 3, 3]), undefined, { strides: [2, 2], pads: [1, 1, 1, 1] }).shape).toEqual(['b', 8, 32, 24]);
  expect(g.conv(x, g.weight('w2', f32(8 * 3 * 16), [8, 3, 4, 4]), undefined, { strides: [4, 4] }).shape).toEqual(['b', 8, 16, 12]);
  expect(g.conv(x, g.weight('w3', f32(8 * 3 * 9), [8, 3, 3, 3]), undefined, { auto_pad: 'SAME_UPPER', strides: [2, 2] }).shape).toEqual(['b', 8, 32, 24]);
  expect(g.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }).shape).toEqual(['b', 3, 32, 24]);
  expect(g.op('ConvTranspose', [x, g.weight('w4', f32(3 * 5 * 4), [3, 5, 2, 2])], { strides: [2, 2] }).shape).toEqual(['b', 5, 128, 96]);
  expect(g.resize(x, { sizes: [1, 3, 256, 256] }).shape).toEqual([1, 3, 256, 256]);
  expect(g.op('GlobalAveragePool', [x]).shape).toEqual(['b', 3, 1, 1]);
  const img = g.input('img', 'float32', ['b', 3, 'h', 'w']);
  expect(g.conv(img, g.weight('w5', f32(4 * 3 * 9), [4, 3, 3, 3]), undefined, { pads: [1, 1, 1, 1] }).shape).toEqual(['b', 4, 'h', 'w']);
});

test('dtype rules: comparisons give bool, Cast changes dtype, Shape gives int64, ArgMax gives int64', () => {
  const g = new GraphBuilder({ name: 'dtypes' });
  const x = g.input('x', 'float32', [2, 5]);
  expect(g.op('Equal', [x, g.scalar(0)]).dtype).toBe('bool');
  expect(g.cast(x, 'float16').dtype).toBe('float16');
  expect(g.shape(x).dtype).toBe('int64');
  const am = g.op('ArgMax', [x], { axis: 1, keepdims: 0 });
  expect([am.dtype, am.shape]).toEqual(['int64', [2]]);
  const [vals, idx] = g.opMulti('TopK', [x, g.ints([3])], { axis: -1 }, 2);
  expect([vals.shape, idx.dtype]).toEqual([[2, 3], 'int64']);
  const [y, mean] = g.opMulti('LayerNormalization', [x, g.weight('ln', f32(5), [5])], {}, 2);
  expect([y.shape, mean.shape]).toEqual([[2, 5], [2, 1]]);
});

test('a shape mismatch names the op, the node and both shapes', () => {
  const g = new GraphBuilder({ name: 'bad' });
  const a = g.input('a', 'float32', [2, 3]);
  const b = g.input('b', 'float32', [4]);
  let err: unknown;
  try {
    g.op('Add', [a, b], {}, { name: 'residual' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ShapeError);
  expect((err as Error).message).toMatch(/^Add node 'residual': cannot broadcast \[2,3\] with \[4\]/);
  expect((err as Error).message).toContain('a float32[2,3]');
  expect((err as Error).message).toContain('b float32[4]');
});

test.each([
  ['MatMul inner dimensions', (g: GraphBuilder) => g.matmul(g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [4, 5])), /MatMul node 'MatMul_0': inner dimensions differ: \[2,3\] x \[4,5\] \(3 vs 4\)/],
  ['Reshape element count', (g: GraphBuilder) => g.reshape(g.input('a', 'float32', [2, 3]), [4, 2]), /Reshape node .*cannot reshape \[2,3\] \(6 elements\) to \[4,2\] \(8 elements\)/],
  ['Conv channels', (g: GraphBuilder) => g.conv(g.input('a', 'float32', [1, 3, 8, 8]), g.weight('w', f32(4 * 2 * 9), [4, 2, 3, 3])), /Conv node .*X has 3 channels but W \[4,2,3,3\] with group 1 expects 2/],
  ['Concat ranks', (g: GraphBuilder) => g.concat([g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [2, 3, 1])], 0), /Concat node .*input 1 \[2,3,1\] has rank 3/],
  ['Transpose perm', (g: GraphBuilder) => g.transpose(g.input('a', 'float32', [2, 3]), [0, 0]), /Transpose node .*perm \[0,0\] is not a permutation/],
  ['Squeeze a non-1 axis', (g: GraphBuilder) => g.squeeze(g.input('a', 'float32', [2, 3]), [1]), /cannot squeeze axis 1 of \[2,3\]: its size is 3/],
  ['mixed dtypes', (g: GraphBuilder) => g.add(g.input('a', 'float32', [2]), g.input('b', 'int64', [2])), /Add node .*inputs must share a dtype, got float32 and int64/],
  ['Gelu below opset 20', (g: GraphBuilder) => g.op('Gelu', [g.input('a', 'float32', [2])]), /Gelu needs opset 20, this graph is opset 17/],
  ['an op without a rule', (g: GraphBuilder) => g.op('FancyOp', [g.input('a', 'float32', [2])]), /no shape rule for FancyOp; pass \{ outputTypes \}/],
])('%s fails while building with a clear message', (_name, build, message) => {
  expect(() => build(new GraphBuilder({ name: 'bad' }))).toThrow(message);
});

test('a weight with the wrong number of values, a duplicate name and an opset below 17 are refused', () => {
  const g = new GraphBuilder({ name: 'w' });
  expect(() => g.weight('w', f32(5), [2, 3])).toThrow("'w' has 5 values but shape [2,3] needs 6");
  g.input('x', 'float32', [1]);
  expect(() => g.input('x', 'float32', [1])).toThrow("the name 'x' is already used");
  expect(() => new GraphBuilder({ name: 'old', opset: 13 })).toThrow('opset 13 is below the supported minimum 17');
});

test('every op has a shape rule and an (empty for now) gradient slot', () => {
  const ops = listOps();
  for (const op of ['MatMul', 'Conv', 'Reshape', 'Transpose', 'Concat', 'Slice', 'Gather', 'Softmax', 'LayerNormalization', 'Cast', 'Where', 'Expand', 'Unsqueeze', 'Squeeze', 'Resize', 'Sigmoid', 'Relu', 'Erf', 'ReduceMean']) {
    expect(ops).toContain(op);
    expect(typeof getOp(op)?.infer).toBe('function');
    expect(getOp(op)).toHaveProperty('opType', op);
  }
});

test('ops outside the table work with explicit output types', async () => {
  const g = new GraphBuilder({ name: 'explicit' });
  const x = g.input('x', 'float32', [3]);
  const y = g.op('Softsign', [x], {}, { outputTypes: [{ dtype: 'float32', shape: [3] }] });
  g.output(y, 'y');
  const s = await ort.InferenceSession.create(g.toBytes());
  const out = await s.run({ x: new ort.Tensor('float32', new Float32Array([1, -3, 0]), [3]) });
  expect(Array.from(out.y.data as Float32Array)).toEqual([0.5, -0.75, 0]);
});

test('the model carries opset 17, IR 8, symbolic input dims and named weights', async () => {
  const g = new GraphBuilder({ name: 'meta', metadata: { family: 'tiny' } });
  const x = g.input('pixel_values', 'float32', ['batch', 3, 8, 8]);
  const w = g.weight('proj.weight', f32(4 * 3 * 16), [4, 3, 4, 4]);
  g.output(g.op('Conv', [x, w], { strides: [4, 4] }), 'image_embeddings');
  const s = await ort.InferenceSession.create(g.toBytes());
  expect(s.inputMetadata[0]).toMatchObject({ name: 'pixel_values', type: 'float32', shape: ['batch', 3, 8, 8] });
  expect(s.outputMetadata[0]).toMatchObject({ name: 'image_embeddings', shape: ['batch', 4, 2, 2] });
  expect(g.parameterCount()).toBe(192);
});

test('toBytes refuses weights over protobuf\'s 2 GB limit and points at save()', () => {
  const g = new GraphBuilder({ name: 'huge' });
  const x = g.input('x', 'float32', [1, 40000]);
  const w = g.weight('big.weight', null, [14000, 40000]); // declared without values: 2.24 GB
  g.output(g.linear(x, w), 'y');
  expect(g.weightBytes()).toBeGreaterThan(INLINE_LIMIT);
  expect(() => g.toBytes()).toThrow(/exceed protobuf's 2 GB limit; use save\(\), which writes them as external data/);
});

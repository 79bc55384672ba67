/**
 * The runtime: input checks before a run, the cpu fallback when a provider cannot load, device choice,
 * the session cache under its memory budget, and the device lock.
 */
import { GraphBuilder } from '../../ml/onnx/index.js';
import {
  createSession, cudaInstalled, deviceBusy, deviceConcurrency, EXECUTION_PROVIDERS, InputCheckError, ort, releaseAllSessions,
  resetProviderFailures, resolveDevice, sessionCache, setDeviceConcurrency, withDevice,
} from '../../ml/runtime/index.js';

/** A tiny model: y = x * scale + bias over [batch, seq, 4] with a mask [batch, seq]. */
function model(scale = 2): Uint8Array {
  const g = new GraphBuilder({ name: `tiny-${scale}` });
  const x = g.input('x', 'float32', ['batch', 'seq', 4]);
  const m = g.input('mask', 'int64', ['batch', 'seq']);
  const y = g.mul(g.add(g.mul(x, scale), g.weight('bias', new Float32Array(4), [4])), g.unsqueeze(g.cast(m, 'float32'), [-1]));
  g.output(y, 'y');
  return g.toBytes();
}

const x = (b: number, s: number, d = 4) => new ort.Tensor('float32', new Float32Array(b * s * d).fill(1), [b, s, d]);
const mask = (b: number, s: number) => new ort.Tensor('int64', new BigInt64Array(b * s).fill(1n), [b, s]);

afterEach(async () => { await releaseAllSessions(); });

describe('input checks', () => {
  test('a good run returns outputs and the session describes its inputs', async () => {
    const s = await createSession(model(), { device: 'cpu', name: 'tiny' });
    expect(s.inputs).toEqual([
      { name: 'x', dtype: 'float32', shape: ['batch', 'seq', 4] },
      { name: 'mask', dtype: 'int64', shape: ['batch', 'seq'] },
    ]);
    const out = await s.run({ x: x(2, 3), mask: mask(2, 3) });
    expect(out.y.dims).toEqual([2, 3, 4]);
    expect(out.y.data[0]).toBe(2);
    await s.release();
  });

  test.each([
    ['a wrong name', { x: x(1, 2), mask: mask(1, 2), masks: mask(1, 2) }, ['masks: not an input of the model']],
    ['a missing input', { x: x(1, 2) }, ['mask: missing (expected int64[batch,seq])']],
    ['a wrong dtype', { x: x(1, 2), mask: new ort.Tensor('int32', new Int32Array(2), [1, 2]) }, ['mask: expected int64[batch,seq], given int32[1,2] (dtype int32, expected int64)']],
    ['a wrong fixed dimension', { x: x(1, 2, 5), mask: mask(1, 2) }, ['x: expected float32[batch,seq,4], given float32[1,2,5] (dimension 2 is 5, expected 4)']],
    ['a wrong rank', { x: new ort.Tensor('float32', new Float32Array(8), [2, 4]), mask: mask(1, 2) }, ['x: expected float32[batch,seq,4], given float32[2,4] (rank 2, expected 3)']],
    ['inconsistent symbolic dims', { x: x(2, 3), mask: mask(2, 5) }, ["mask: expected int64[batch,seq], given int64[2,5] (dimension 1 'seq' is 5, but x bound 'seq' to 3)"]],
  ])('%s gives a readable error listing expected and given', async (_name, feeds, issues) => {
    const s = await createSession(model(), { device: 'cpu', name: 'tiny.onnx' });
    const err = await s.run(feeds as Record<string, ort.Tensor>).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputCheckError);
    expect((err as InputCheckError).issues).toEqual(issues);
    expect((err as Error).message).toContain("model 'tiny.onnx': the inputs do not match the model:");
    expect((err as Error).message).toContain('expected inputs: x float32[batch,seq,4], mask int64[batch,seq]');
    await s.release();
  });

  test('a released handle refuses to run', async () => {
    const s = await createSession(model(), { device: 'cpu' });
    await s.release();
    await expect(s.run({ x: x(1, 1), mask: mask(1, 1) })).rejects.toThrow('the session was released');
  });

  test('a missing model file is named', async () => {
    await expect(createSession('/nonexistent/dir/model.onnx', { device: 'cpu' })).rejects.toThrow('model file not found: /nonexistent/dir/model.onnx');
  });
});

describe('devices', () => {
  test('the provider table is frozen and lists cpu after each accelerator', () => {
    expect(EXECUTION_PROVIDERS).toEqual({ cpu: ['cpu'], cuda: ['cuda', 'cpu'], webgpu: ['webgpu', 'cpu'] });
    expect(Object.isFrozen(EXECUTION_PROVIDERS)).toBe(true);
    expect(Object.isFrozen(EXECUTION_PROVIDERS.cuda)).toBe(true);
  });

  test('CINEGRAPH_DEVICE sets the default; an explicit choice wins; bad names are refused', () => {
    expect(resolveDevice(undefined, { CINEGRAPH_DEVICE: 'webgpu' })).toBe('webgpu');
    expect(resolveDevice('cpu', { CINEGRAPH_DEVICE: 'webgpu' })).toBe('cpu');
    expect(resolveDevice(undefined, {})).toBe(cudaInstalled() ? 'cuda' : 'cpu');
    expect(() => resolveDevice(undefined, { CINEGRAPH_DEVICE: 'tpu' })).toThrow("CINEGRAPH_DEVICE: unknown device 'tpu'; use one of cpu, cuda, webgpu, auto");
  });

  test('asking for cuda without its provider runs on cpu with exactly one log line', async () => {
    resetProviderFailures();
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(m) };
    const s = await createSession(model(3), { device: 'cuda', log, name: 'tiny-cuda' });
    if (cudaInstalled()) {
      expect(s.device).toBe('cuda');
      expect(lines).toEqual([]);
    } else {
      expect(s.device).toBe('cpu');
      expect(s.requestedDevice).toBe('cuda');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ml\/runtime: the cuda execution provider could not load \(.+\); running 'tiny-cuda' on cpu instead$/);
    }
    const out = await s.run({ x: x(1, 2), mask: mask(1, 2) });
    expect(out.y.data[0]).toBe(3);
    await s.release();
  });
});

describe('session cache', () => {
  test('the same model on the same device shares one session, kept after release', async () => {
    const a = await createSession(model(), { device: 'cpu' });
    const b = await createSession(model(), { device: 'cpu' });
    expect(b.raw).toBe(a.raw);
    const c = await createSession(model(4), { device: 'cpu' });
    expect(c.raw).not.toBe(a.raw);
    await a.release();
    await b.release();
    await c.release();
    const again = await createSession(model(), { device: 'cpu' });
    expect(again.raw).toBe(a.raw);
    await again.release();
  });

  test('idle sessions are released least-recently-used first when the budget is exceeded; busy ones stay', async () => {
    const cache = sessionCache();
    const saved = cache.budget;
    try {
      const m1 = model(5);
      const m2 = model(6);
      const m3 = model(7);
      cache.budget = m1.length + m2.length + 16; // room for two models
      const s1 = await createSession(m1, { device: 'cpu' });
      const s2 = await createSession(m2, { device: 'cpu' });
      await s1.release();
      await s2.release();
      expect(cache.keys()).toHaveLength(2);
      const s3 = await createSession(m3, { device: 'cpu' }); // evicts m1, the least recently used
      expect(cache.keys()).toHaveLength(2);
      expect((await createSession(m2, { device: 'cpu' })).raw).toBe(s2.raw); // m2 survived
      const s1b = await createSession(m1, { device: 'cpu' }); // reloaded: a new session
      expect(s1b.raw).not.toBe(s1.raw);
      // all three are in use now: over budget, but nothing in use is released
      expect(cache.keys()).toHaveLength(3);
      const out = await s3.run({ x: x(1, 1), mask: mask(1, 1) });
      expect(out.y.data[0]).toBe(7);
      await s3.release();
      expect(cache.keys()).toHaveLength(2);
    } finally {
      cache.budget = saved;
    }
  });

  test('cache: false gives a private session released with its handle', async () => {
    const shared = await createSession(model(), { device: 'cpu' });
    const own = await createSession(model(), { device: 'cpu', cache: false });
    expect(own.raw).not.toBe(shared.raw);
    await own.release();
    await shared.release();
  });
});

describe('device lock', () => {
  /** A job that records when it starts and ends and waits for its gate. */
  function job(events: string[], name: string, device: 'cuda' | 'cpu') {
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const done = withDevice(device, async () => {
      events.push(`${name}+`);
      await gate;
      events.push(`${name}-`);
    });
    return { open, done };
  }
  const ticks = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

  test('GPU work is serialised: the second job starts after the first ends', async () => {
    const events: string[] = [];
    const a = job(events, 'a', 'cuda');
    const b = job(events, 'b', 'cuda');
    await ticks();
    expect(events).toEqual(['a+']);
    expect(deviceBusy('cuda')).toBe(1);
    b.open();
    await ticks();
    expect(events).toEqual(['a+']);
    a.open();
    await Promise.all([a.done, b.done]);
    expect(events).toEqual(['a+', 'a-', 'b+', 'b-']);
    expect(deviceBusy('cuda')).toBe(0);
  });

  test('CPU work runs concurrently up to its limit', async () => {
    const saved = deviceConcurrency('cpu');
    setDeviceConcurrency('cpu', 2);
    try {
      const events: string[] = [];
      const [a, b, c] = ['a', 'b', 'c'].map((n) => job(events, n, 'cpu'));
      await ticks();
      expect(events).toEqual(['a+', 'b+']);
      c.open();
      b.open();
      await Promise.all([b.done, c.done]);
      expect(events).toEqual(['a+', 'b+', 'b-', 'c+', 'c-']);
      a.open();
      await a.done;
    } finally {
      setDeviceConcurrency('cpu', saved);
    }
  });

  test('the lock is re-entrant: a job holding the device can run sessions on it', async () => {
    const s = await createSession(model(), { device: 'cpu' });
    const out = await withDevice('cpu', () => s.run({ x: x(1, 1), mask: mask(1, 1) }));
    expect(out.y.data[0]).toBe(2);
    await s.release();
  });

  test('a failing job releases the device', async () => {
    await expect(withDevice('cuda', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(deviceBusy('cuda')).toBe(0);
    await expect(withDevice('cuda', async () => 42)).resolves.toBe(42);
  });
});

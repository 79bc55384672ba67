import { defineNode, LruCacheStore, NodeRegistry, NullCacheStore, RunFailedError, T, runGraph } from '../../engine/index.js';
import { calls, resetCalls, testPack } from '../support/test-nodes.js';
import { graph, link, ofType, runAll } from '../support/graph.js';

/** Watches how far a producer runs ahead of its consumer. */
const lead = { produced: 0, consumed: 0, max: 0 };
const probePack = {
  name: 'probe',
  nodes: [
    defineNode({
      type: 'probe/produce',
      description: 'Streams `count` buffers of `bytes` bytes',
      inputs: { count: { type: T.INT, default: 100 }, bytes: { type: T.INT, default: 16 } },
      outputs: { value: T.ANY },
      async *stream({ count, bytes }) {
        for (let i = 0; i < count; i++) {
          lead.produced++;
          lead.max = Math.max(lead.max, lead.produced - lead.consumed);
          yield { value: new Uint8Array(bytes) };
        }
      },
    }),
    defineNode({
      type: 'probe/consume',
      description: 'Takes 1 ms per item',
      inputs: { value: { type: T.ANY } },
      outputs: { size: T.INT },
      async run({ value }) {
        await new Promise((r) => setTimeout(r, 1));
        lead.consumed++;
        return { size: (value as Uint8Array).byteLength };
      },
    }),
    defineNode({
      type: 'probe/two-lists',
      description: 'Collects two streams',
      inputs: { a: { type: T.ANY, list: true }, b: { type: T.ANY, list: true } },
      outputs: { a: T.ANY, b: T.ANY },
      output: true,
      run: ({ a, b }) => ({ a, b }),
    }),
    defineNode({
      type: 'probe/list-and-each',
      description: 'Each item divided by the length of the whole stream',
      inputs: { all: { type: T.ANY, list: true }, one: { type: T.FLOAT } },
      outputs: { share: T.FLOAT },
      run: ({ all, one }) => ({ share: one / (all as unknown[]).length }),
    }),
    defineNode({
      type: 'probe/watch-signal',
      description: 'Waits until aborted and records that it saw the abort',
      inputs: {},
      outputs: { value: T.ANY },
      output: true,
      run: (_inputs, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            calls['aborted'] = (calls['aborted'] ?? 0) + 1;
            reject(new Error('aborted'));
          });
          ctx.progress(0, 1);
        }),
    }),
  ],
};
const registry = new NodeRegistry().addPack(testPack).addPack(probePack);
const fresh = () => ({ registry, cache: new LruCacheStore() });

beforeEach(() => resetCalls());

test('nodes run in dependency order and values flow through links', async () => {
  const doc = graph({
    c: { type: 'test/add', inputs: { a: link('b', 'sum'), b: 1 } },
    a: { type: 'test/number', inputs: { value: 2 } },
    b: { type: 'test/add', inputs: { a: link('a', 'value'), b: 3 } },
    out: { type: 'test/sink', inputs: { value: link('c', 'sum') } },
  });
  const { result, events } = await runAll(doc, fresh());
  expect(result.status).toBe('succeeded');
  expect(result.outputs.out).toEqual({ value: 6 });
  expect(ofType(events, 'node-started').map((e) => e.node)).toEqual(['a', 'b', 'c', 'out']);
  expect(events[0]!.type).toBe('run-started');
  expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded', executed: 4 });
});

test('independent branches run concurrently', async () => {
  const doc = graph({
    left: { type: 'test/add', inputs: { a: 1, delay: 150 } },
    right: { type: 'test/add', inputs: { a: 2, delay: 150 } },
    l: { type: 'test/sink', inputs: { value: link('left', 'sum') } },
    r: { type: 'test/sink', inputs: { value: link('right', 'sum') } },
  });
  const { events } = await runAll(doc, fresh());
  const order = events.filter((e) => (e.type === 'node-started' || e.type === 'node-output') && (e.node === 'left' || e.node === 'right')).map((e) => e.type);
  // Both branches started before either finished.
  expect(order).toEqual(['node-started', 'node-started', 'node-output', 'node-output']);
});

test('an output shared by several links runs once', async () => {
  const doc = graph({
    n: { type: 'test/number', inputs: { value: 5 } },
    a: { type: 'test/sink', inputs: { value: link('n', 'value') } },
    b: { type: 'test/sink', inputs: { value: link('n', 'value') } },
    c: { type: 'test/add', inputs: { a: link('n', 'value'), b: link('n', 'value') } },
    d: { type: 'test/sink', inputs: { value: link('c', 'sum') } },
  });
  const { result } = await runAll(doc, fresh());
  expect(calls['test/number']).toBe(1);
  expect(result.outputs.d).toEqual({ value: 10 });
});

test('a per-item node is mapped over a stream, in order, with its concurrency', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 6 } },
    add: { type: 'test/add', inputs: { a: link('r', 'value'), b: 10, delay: 5 }, concurrency: 3 },
    out: { type: 'test/collect', inputs: { values: link('add', 'sum') } },
  });
  const { result, events } = await runAll(doc, fresh());
  expect(result.outputs.out).toEqual({ values: [10, 11, 12, 13, 14, 15] });
  expect(calls['test/add']).toBe(6);
  expect(ofType(events, 'node-output').find((e) => e.node === 'add')!.items).toBe(6);
});

test('two streams from one source are zipped item by item', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 4 } },
    add: { type: 'test/add', inputs: { a: link('r', 'value'), b: link('r', 'value') } },
    out: { type: 'test/collect', inputs: { values: link('add', 'sum') } },
  });
  const { result } = await runAll(doc, fresh());
  expect(result.outputs.out).toEqual({ values: [0, 2, 4, 6] });
});

test('a stream node mapped over a stream concatenates its sub-streams', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 4 } },
    inner: { type: 'test/range', inputs: { count: link('r', 'value') } },
    out: { type: 'test/collect', inputs: { values: link('inner', 'value') } },
  });
  const { result } = await runAll(doc, fresh());
  expect(result.outputs.out).toEqual({ values: [0, 0, 1, 0, 1, 2] });
});

test('a stream output node reports every item', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 3 } },
    s: { type: 'test/sink', inputs: { value: link('r', 'value') } },
  });
  const { result } = await runAll(doc, fresh());
  expect(result.outputs.s).toEqual([{ value: 0 }, { value: 1 }, { value: 2 }]);
});

test('memory stays bounded: a producer runs only a few items ahead of a slow consumer', async () => {
  Object.assign(lead, { produced: 0, consumed: 0, max: 0 });
  const doc = graph({
    p: { type: 'probe/produce', inputs: { count: 200, bytes: 1024 } },
    c: { type: 'probe/consume', inputs: { value: link('p', 'value') } },
    out: { type: 'test/collect', inputs: { values: link('c', 'size') } },
  });
  const { result } = await runAll(doc, { ...fresh(), window: 4 });
  expect((result.outputs.out as { values: number[] }).values).toHaveLength(200);
  expect(lead.max).toBeLessThanOrEqual(8);
});

test('two list inputs fed by one long stream do not block each other', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 50 } },
    both: { type: 'probe/two-lists', inputs: { a: link('r', 'value'), b: link('r', 'value') } },
  });
  const { result } = await runAll(doc, fresh());
  const expected = Array.from({ length: 50 }, (_, i) => i);
  expect(result.outputs.both).toEqual({ a: expected, b: expected });
});

test('a per-item node that also waits on a list of the same stream does not hang', async () => {
  // s maps over r and also needs n, which needs all of r: r's items for s must wait beyond any window.
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 40 } },
    c: { type: 'test/collect', inputs: { values: link('r', 'value') } },
    n: { type: 'test/slow', inputs: { value: link('c', 'values'), ms: 10 } },
    s: { type: 'test/add', inputs: { a: link('r', 'value'), b: 1 } },
    s2: { type: 'probe/two-lists', inputs: { a: link('s', 'sum'), b: link('n', 'value') } },
  });
  const { result } = await runAll(doc, { ...fresh(), window: 4 });
  expect(result.status).toBe('succeeded');
  expect((result.outputs.s2 as { a: number[] }).a).toHaveLength(40);
});

test('a node with a list and a per-item input from one stream does not hang', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 40 } },
    both: { type: 'probe/list-and-each', inputs: { all: link('r', 'value'), one: link('r', 'value') } },
    out: { type: 'test/collect', inputs: { values: link('both', 'share') } },
  });
  const { result } = await runAll(doc, { ...fresh(), window: 4 });
  expect(result.status).toBe('succeeded');
  expect((result.outputs.out as { values: number[] }).values).toEqual(Array.from({ length: 40 }, (_, i) => i / 40));
});

test('a failing node ends the run with an error event naming the node, its type, message and inputs', async () => {
  const doc = graph({
    n: { type: 'test/number', inputs: { value: 7 } },
    f: { type: 'test/fail', inputs: { value: link('n', 'value'), failOn: 7 } },
    out: { type: 'test/sink', inputs: { value: link('f', 'value') } },
  });
  const { result, events, run } = await runAll(doc, fresh());
  expect(result.status).toBe('failed');
  const errors = ofType(events, 'node-error');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ node: 'f', nodeType: 'test/fail', message: 'bad value 7', detail: { inputs: { value: 7, failOn: 7 } } });
  expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed', error: { node: 'f', nodeType: 'test/fail' } });
  await expect(run.outputs).rejects.toBeInstanceOf(RunFailedError);
  expect(calls['test/sink']).toBeUndefined();
});

test('a failing item ends the run under the default policy', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 5 } },
    f: { type: 'test/fail', inputs: { value: link('r', 'value'), failOn: 2 } },
    out: { type: 'test/collect', inputs: { values: link('f', 'value') } },
  });
  const { result, events } = await runAll(doc, fresh());
  expect(result.status).toBe('failed');
  expect(ofType(events, 'node-error')[0]).toMatchObject({ node: 'f', detail: { item: 2 } });
});

test('with onItemError "skip", a bad item is reported and the stream goes on', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 5 } },
    f: { type: 'test/fail', inputs: { value: link('r', 'value'), failOn: 2 }, onItemError: 'skip' },
    g: { type: 'test/add', inputs: { a: link('f', 'value'), b: link('r', 'value') } },
    out: { type: 'test/collect', inputs: { values: link('g', 'sum') } },
  });
  const { result, events } = await runAll(doc, fresh());
  expect(result.status).toBe('succeeded');
  // Item 2 is gone from f, and the zip with r drops it too instead of misaligning the rest.
  expect(result.outputs.out).toEqual({ values: [0, 2, 6, 8] });
  expect(ofType(events, 'node-item-skipped')).toEqual([expect.objectContaining({ node: 'f', item: 2, message: 'bad value 2' })]);
});

test('cancel aborts running nodes and finishes the run as cancelled', async () => {
  const doc = graph({ w: { type: 'probe/watch-signal' } });
  const run = runGraph(doc, fresh());
  run.events.subscribe((e) => e.type === 'node-progress' && run.cancel());
  const result = await run.result;
  expect(result.status).toBe('cancelled');
  expect(calls['aborted']).toBe(1);
  await expect(run.outputs).rejects.toThrow(/cancelled/);
});

test('an AbortSignal given in the options cancels the run', async () => {
  const controller = new AbortController();
  const run = runGraph(graph({ w: { type: 'probe/watch-signal' } }), { ...fresh(), signal: controller.signal });
  run.events.subscribe((e) => e.type === 'node-started' && controller.abort());
  expect((await run.result).status).toBe('cancelled');
});

test('cancelling stops a stream producer instead of draining it', async () => {
  const doc = graph({
    r: { type: 'test/range', inputs: { count: 1_000_000, delay: 1 } },
    s: { type: 'test/slow', inputs: { value: link('r', 'value'), ms: 10 } },
    out: { type: 'test/collect', inputs: { values: link('s', 'value') } },
  });
  const run = runGraph(doc, fresh());
  let seen = 0;
  run.events.subscribe((e) => e.type === 'node-progress' && ++seen === 3 && run.cancel());
  const result = await run.result;
  expect(result.status).toBe('cancelled');
  expect(calls['test/slow']).toBeLessThan(10);
});

test('progress and item counts are reported', async () => {
  const doc = graph({ s: { type: 'test/slow', inputs: { ms: 20 } }, out: { type: 'test/sink', inputs: { value: link('s', 'value') } } });
  const { events } = await runAll(doc, fresh());
  const progress = ofType(events, 'node-progress');
  expect(progress.at(-1)).toMatchObject({ node: 's', value: 10, max: 10 });
});

test('a 3000-node chain runs without exhausting the stack', async () => {
  const nodes: Record<string, { type: string; inputs: Record<string, unknown> }> = { n0: { type: 'test/number', inputs: { value: 0 } } };
  for (let i = 1; i < 3000; i++) nodes[`n${i}`] = { type: 'test/add', inputs: { a: link(`n${i - 1}`, i === 1 ? 'value' : 'sum'), b: 1 } };
  nodes.out = { type: 'test/sink', inputs: { value: link('n2999', 'sum') } };
  const { result } = await runAll(graph(nodes), fresh());
  expect(result.outputs.out).toEqual({ value: 2999 });
});

describe('caching', () => {
  const chain = (b: number, sinkNote = 0) =>
    graph({
      n: { type: 'test/number', inputs: { value: 1 } },
      a: { type: 'test/add', inputs: { a: link('n', 'value'), b } },
      r: { type: 'test/range', inputs: { count: 3 } },
      m: { type: 'test/add', inputs: { a: link('r', 'value'), b: link('a', 'sum') } },
      out: { type: 'test/collect', inputs: { values: link('m', 'sum') } },
      side: { type: 'test/add', inputs: { a: link('n', 'value'), b: sinkNote } },
      s2: { type: 'test/sink', inputs: { value: link('side', 'sum') } },
    });

  test('re-running an unchanged graph executes nothing and gives the same outputs', async () => {
    const options = fresh();
    const first = await runAll(chain(2), options);
    resetCalls();
    const second = await runAll(chain(2), options);
    expect(second.result.executed).toBe(0);
    expect(calls).toEqual({});
    expect(second.result.outputs).toEqual(first.result.outputs);
    expect(ofType(second.events, 'node-cached').map((e) => e.node).sort()).toEqual(['out', 's2']);
  });

  test('changing one widget re-executes only what lies downstream of it', async () => {
    const options = fresh();
    await runAll(chain(2), options);
    resetCalls();
    const { result, events } = await runAll(chain(2, 5), options);
    expect(ofType(events, 'node-started').map((e) => e.node).sort()).toEqual(['s2', 'side']);
    expect(result.outputs.s2).toEqual({ value: 6 });
    resetCalls();
    const changed = await runAll(chain(3, 5), options);
    expect(ofType(changed.events, 'node-started').map((e) => e.node).sort()).toEqual(['a', 'm', 'out']);
    expect(changed.result.outputs.out).toEqual({ values: [4, 5, 6] });
  });

  test('notIdempotent nodes always run, and so do their dependants', async () => {
    const doc = graph({ x: { type: 'test/random' }, s: { type: 'test/sink', inputs: { value: link('x', 'value') } } });
    const options = fresh();
    const a = await runAll(doc, options);
    const b = await runAll(doc, options);
    expect(calls['test/random']).toBe(2);
    expect(calls['test/sink']).toBe(2);
    expect(a.result.outputs.s).not.toEqual(b.result.outputs.s);
  });

  test('the null store runs everything every time', async () => {
    const options = { registry, cache: new NullCacheStore() };
    await runAll(chain(2), options);
    const second = await runAll(chain(2), options);
    expect(second.result.executed).toBe(7);
  });

  test('the LRU store evicts the least recently used entries past its byte budget', () => {
    const store = new LruCacheStore(100);
    store.set('a', { kind: 'single', values: {}, bytes: 40 });
    store.set('b', { kind: 'single', values: {}, bytes: 40 });
    store.get('a');
    store.set('c', { kind: 'single', values: {}, bytes: 40 });
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    expect(store.get('c')).toBeDefined();
    expect(store.stats().bytes).toBe(80);
    store.set('huge', { kind: 'single', values: {}, bytes: 1000 });
    expect(store.get('huge')).toBeUndefined();
  });

  test('a failed run caches nothing of the failing node', async () => {
    const options = fresh();
    const doc = graph({ f: { type: 'test/fail', inputs: { value: 1, failOn: 1 } }, s: { type: 'test/sink', inputs: { value: link('f', 'value') } } });
    await runAll(doc, options);
    await runAll(doc, options);
    expect(calls['test/fail']).toBe(2);
  });
});

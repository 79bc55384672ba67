/**
 * bench/engine: the executor's own cost, measured against a plain-loop baseline in the same run.
 *   a. overhead per node on a 10,000-node chain and a 100 x 100 grid of trivial nodes (target <= 30 µs/node)
 *   b. a second run of the same graph: wall time and nodes executed (target: 0 executed)
 *   c. peak RSS while 20,000 items of 1 MB stream through a node taking 1 ms per item (target < 300 MB)
 * Run: npm run bench:engine
 */
import { defineNode, LruCacheStore, NodeRegistry, NullCacheStore, parseGraph, runGraph, T, type GraphDocument } from '../engine/index.js';

const trivialAdd = (a: number, b: number) => ({ sum: a + b });
const pack = {
  name: 'bench',
  nodes: [
    defineNode({ type: 'bench/const', description: 'a number', inputs: { value: { type: T.FLOAT, default: 1 } }, outputs: { sum: T.FLOAT }, run: ({ value }) => ({ sum: value }) }),
    defineNode({
      type: 'bench/add',
      description: 'a + b',
      inputs: { a: { type: T.FLOAT, default: 0 }, b: { type: T.FLOAT, default: 0 } },
      outputs: { sum: T.FLOAT },
      run: ({ a, b }) => trivialAdd(a, b),
    }),
    defineNode({ type: 'bench/out', description: 'output', output: true, inputs: { value: { type: T.ANY } }, outputs: { value: T.ANY }, run: ({ value }) => ({ value }) }),
    defineNode({
      type: 'bench/megabytes',
      description: 'streams `count` fresh 1 MB buffers',
      inputs: { count: { type: T.INT, default: 1 } },
      outputs: { data: T.ANY },
      async *stream({ count }) {
        for (let i = 0; i < count; i++) {
          const data = Buffer.allocUnsafe(1024 * 1024);
          data[0] = i & 255;
          yield { data };
        }
      },
    }),
    defineNode({
      type: 'bench/slow-size',
      description: 'takes 1 ms per item, returns its byte length',
      inputs: { data: { type: T.ANY } },
      outputs: { bytes: T.INT },
      run: async ({ data }) => {
        await new Promise((r) => setTimeout(r, 1));
        return { bytes: (data as Buffer).byteLength };
      },
    }),
    defineNode({ type: 'bench/count', description: 'counts a stream', output: true, inputs: { items: { type: T.ANY, stream: true } }, outputs: { count: T.INT }, run: async ({ items }) => {
      let n = 0;
      for await (const _ of items as AsyncIterable<unknown>) n++;
      return { count: n };
    } }),
  ],
};
const registry = new NodeRegistry().addPack(pack);
const link = (from: string) => ({ from, output: 'sum' });

function chain(n: number): GraphDocument {
  const nodes: Record<string, unknown> = { n0: { type: 'bench/const', inputs: { value: 1 } } };
  for (let i = 1; i < n; i++) nodes[`n${i}`] = { type: 'bench/add', inputs: { a: link(`n${i - 1}`), b: 1 } };
  nodes.out = { type: 'bench/out', inputs: { value: { from: `n${n - 1}`, output: 'sum' } } };
  return parseGraph({ format: 'cinegraph.graph', version: 1, nodes });
}

function grid(size: number): GraphDocument {
  const nodes: Record<string, unknown> = {};
  const id = (r: number, c: number) => `g${r}_${c}`;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (r === 0 && c === 0) nodes[id(r, c)] = { type: 'bench/const', inputs: { value: 1 } };
      else nodes[id(r, c)] = { type: 'bench/add', inputs: { a: r > 0 ? link(id(r - 1, c)) : 0, b: c > 0 ? link(id(r, c - 1)) : 0 } };
    }
  }
  nodes.out = { type: 'bench/out', inputs: { value: { from: id(size - 1, size - 1), output: 'sum' } } };
  return parseGraph({ format: 'cinegraph.graph', version: 1, nodes });
}

/** The same functions called in a plain loop: what the work costs without an engine. */
function baselineMicros(count: number, rounds = 20): number {
  let best = Infinity;
  for (let k = 0; k < rounds; k++) {
    const start = process.hrtime.bigint();
    let v = 1;
    for (let i = 1; i < count; i++) v = trivialAdd(v, 1).sum;
    if (v !== count) throw new Error('baseline broke');
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000);
  }
  return best;
}

async function timeRun(doc: GraphDocument, cache = new NullCacheStore() as LruCacheStore | NullCacheStore) {
  const start = process.hrtime.bigint();
  const result = await runGraph(doc, { registry, cache }).result;
  if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error?.message}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

async function overhead(name: string, doc: GraphDocument, nodes: number) {
  await timeRun(doc); // warm-up
  let best = Infinity;
  for (let k = 0; k < 3; k++) best = Math.min(best, (await timeRun(doc)).ms);
  const base = baselineMicros(nodes);
  const perNode = (best * 1000) / nodes;
  const ratio = (best * 1000) / Math.max(base, 1e-3);
  console.log(`a. ${name}: ${nodes} nodes in ${best.toFixed(1)} ms = ${perNode.toFixed(2)} µs/node (target <= 30) ${perNode <= 30 ? 'OK' : 'OVER'}; plain loop ${base.toFixed(1)} µs; ratio ${ratio.toFixed(0)}x`);
  return perNode;
}

async function rerun() {
  const doc = chain(10_000);
  const cache = new LruCacheStore();
  const first = await timeRun(doc, cache);
  const second = await timeRun(doc, cache);
  console.log(
    `b. second run of the 10,000-node chain: ${second.ms.toFixed(1)} ms, ${second.result.executed} nodes executed (target 0) ${second.result.executed === 0 ? 'OK' : 'OVER'}; first run ${first.ms.toFixed(1)} ms; ratio ${(second.ms / first.ms).toFixed(3)}`,
  );
}

async function streamMemory() {
  const doc = parseGraph({
    format: 'cinegraph.graph',
    version: 1,
    nodes: {
      src: { type: 'bench/megabytes', inputs: { count: 20_000 } },
      slow: { type: 'bench/slow-size', inputs: { data: { from: 'src', output: 'data' } } },
      out: { type: 'bench/count', inputs: { items: { from: 'slow', output: 'bytes' } } },
    },
  });
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = Date.now();
  const { result } = await timeRun(doc);
  clearInterval(timer);
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const count = (result.outputs.out as { count: number }).count;
  console.log(`c. 20,000 x 1 MB items through a 1 ms/item node: ${count} items in ${((Date.now() - start) / 1000).toFixed(1)} s, peak RSS ${mb(peak)} MB (target < 300) ${peak < 300 * 1024 * 1024 ? 'OK' : 'OVER'}; RSS before ${mb(baseline)} MB`);
}

const only = process.argv[2];
console.log(`bench/engine on node ${process.version}`);
if (!only || only === 'a') {
  await overhead('10,000-node chain', chain(10_000), 10_001);
  await overhead('100 x 100 grid', grid(100), 10_001);
}
if (!only || only === 'b') await rerun();
if (!only || only === 'c') await streamMemory();

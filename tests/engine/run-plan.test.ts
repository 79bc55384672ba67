import { LruCacheStore, NodeRegistry, planRun } from '../../engine/index.js';
import { testPack } from '../support/test-nodes.js';
import { graph, link, runAll } from '../support/graph.js';

const registry = new NodeRegistry().addPack(testPack);
const doc = graph({
  n: { type: 'test/number', inputs: { value: 1 } },
  r: { type: 'test/range', inputs: { count: 3 } },
  m: { type: 'test/add', inputs: { a: link('r', 'value'), b: link('n', 'value') } },
  twice: { type: 'test/add', inputs: { a: link('m', 'sum'), b: link('m', 'sum') } },
  out: { type: 'test/collect', inputs: { values: link('twice', 'sum') } },
  s: { type: 'test/sink', inputs: { value: link('m', 'sum') } },
  unused: { type: 'test/number', inputs: { value: 9 } },
});

test('streams, needs and consumer slots are planned before anything runs', () => {
  const plan = planRun(doc, registry, new LruCacheStore());
  expect(plan.order.indexOf('r')).toBeLessThan(plan.order.indexOf('m'));
  expect([...plan.streaming].filter(([, s]) => s).map(([id]) => id).sort()).toEqual(['m', 'r', 's', 'twice']);
  expect([...plan.needed].sort()).toEqual(['m', 'n', 'out', 'r', 's', 'twice']);
  // m feeds twice through two links and s through one; s is a streaming output node and collects itself.
  expect(Object.fromEntries(plan.consumers)).toEqual({ r: 1, m: 3, twice: 1, s: 1 });
  expect(plan.hits.size).toBe(0);
});

test('a cached output needs nothing upstream', async () => {
  const cache = new LruCacheStore();
  await runAll(doc, { registry, cache });
  const plan = planRun(doc, registry, cache);
  expect([...plan.needed].sort()).toEqual(['out', 's']);
  expect([...plan.hits.keys()].sort()).toEqual(['out', 's']);
  expect(Object.fromEntries(plan.consumers)).toEqual({ s: 1 });
});

/**
 * The run display: on a terminal, live lines with a bar and percent redrawn in place and a final summary;
 * elsewhere, plain lines per node start, finish and error.
 */
import { createProgressDisplay } from '../../bin/progress.js';
import type { RunEvent } from '../../index.js';

const base = { runId: 'r1', time: Date.now() };
const node = (id: string) => ({ ...base, node: id, nodeType: 'test/slow' });
const events: RunEvent[] = [
  { ...base, type: 'run-started', nodes: 2, cached: 1 },
  { ...node('a'), type: 'node-cached', outputs: {} },
  { ...node('b'), type: 'node-started' },
  { ...node('b'), type: 'node-progress', value: 3, max: 4 },
  { ...node('b'), type: 'node-items', count: 12 },
  { ...node('b'), type: 'node-output', outputs: {}, items: 12, ms: 1500 },
  { ...node('c'), type: 'node-started' },
  { ...node('c'), type: 'node-error', message: 'no such file', detail: { inputs: {} } },
  { ...base, type: 'run-finished', status: 'failed', executed: 2, cached: 1, ms: 2000 },
];

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 120, write: (text: string) => chunks.push(text) } };
}

test('on a terminal: a live line per running node with percent, bar and items, redrawn in place', () => {
  const { chunks, stream } = sink(true);
  const display = createProgressDisplay(stream);
  for (const e of events.slice(0, 5)) display.event(e);
  const live = chunks.at(-1)!;
  expect(live).toMatch(/^\r\x1b\[1A\x1b\[J/); // moved up over the previous live line and erased it
  expect(live).toContain('b (test/slow)  75% [');
  expect(live).toContain('] 3/4 · 12 items');
  for (const e of events.slice(5)) display.event(e);
  display.stop();
  const all = chunks.join('');
  expect(all).toContain('a (test/slow) cached');
  expect(all).toContain('✓\x1b[0m b (test/slow) 1.50s · 12 items');
  expect(all).toContain('✗ c (test/slow): no such file');
  expect(all).toContain('run failed in 2.00s (2 executed, 1 cached)');
});

test('elsewhere: plain lines per node start, finish, cache hit and error, without escape codes', () => {
  const { chunks, stream } = sink(false);
  const display = createProgressDisplay(stream);
  for (const e of events) display.event(e);
  display.stop();
  expect(chunks.join('')).toBe(
    [
      'cached   a (test/slow)',
      'started  b (test/slow)',
      'finished b (test/slow) in 1.50s · 12 items',
      'started  c (test/slow)',
      'error    c (test/slow): no such file',
      'run failed in 2.00s (2 executed, 1 cached)',
      '',
    ].join('\n'),
  );
});

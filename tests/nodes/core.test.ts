import { fillTemplate, parseTemplateValues } from '../../nodes/core/text-template.js';
import { eventsOf, graphOf, link, runDoc, tempDir } from '../fixtures/images/helpers.js';

let out: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => (out = await tempDir('core')));
afterAll(() => out.cleanup());

/** Runs `nodes` plus a core/collect of `from.output`; returns the collected items (or the failed result). */
async function collect(nodes: Parameters<typeof graphOf>[0], from: string, output: string) {
  // A stream that never stops pulling would otherwise run on: cancel it, and the assertions fail.
  const signal = AbortSignal.timeout(10_000);
  const { result, events } = await runDoc(graphOf({ ...nodes, out: { type: 'core/collect', inputs: { items: link(from, output) } } }), out.dir, signal);
  const items = result.status === 'succeeded' ? ((result.outputs.out as { items: unknown[] }).items) : undefined;
  return { result, events, items };
}

describe('core primitives', () => {
  test.each([
    ['core/int', 42],
    ['core/float', 0.25],
    ['core/string', 'two\nlines'],
    ['core/boolean', true],
  ])('%s passes its widget value on', async (type, value) => {
    const { items } = await collect({ v: { type, inputs: { value } } }, 'v', 'value');
    expect(items).toEqual([value]);
  });

  test('a primitive without a value gives its default', async () => {
    const { items } = await collect({ v: { type: 'core/int' } }, 'v', 'value');
    expect(items).toEqual([0]);
  });
});

describe('core/text-template', () => {
  test('fills placeholders from a JSON object', async () => {
    const { items } = await collect(
      { t: { type: 'core/text-template', inputs: { template: 'Based on <IMG{i}>, {instruction}.', values: '{"i": 2, "instruction": "add a red hat"}' } } },
      't',
      'text',
    );
    expect(items).toEqual(['Based on <IMG2>, add a red hat.']);
  });

  test('takes name=value lines and values linked from another node', async () => {
    const { items } = await collect(
      {
        vals: { type: 'core/string', inputs: { value: 'who = a cat\nwhere=on the mat' } },
        t: { type: 'core/text-template', inputs: { template: '{who} sat {where}', values: link('vals', 'value') } },
      },
      't',
      'text',
    );
    expect(items).toEqual(['a cat sat on the mat']);
  });

  test('a placeholder without a value fails the run, naming the placeholder and the node', async () => {
    const { result, events } = await collect(
      { t: { type: 'core/text-template', inputs: { template: 'Based on <IMG{i}>, {instruction}.', values: '{"i": 0}' } } },
      't',
      'text',
    );
    expect(result.status).toBe('failed');
    expect(result.error?.node).toBe('t');
    expect(result.error?.message).toContain('{instruction}');
    expect(result.error?.message).toContain('values has i');
    expect(eventsOf(events, 'node-error', 't')).toHaveLength(1);
  });

  test('double braces are literal and non-string values are printed', () => {
    expect(fillTemplate('{{x}} = {x}; {obj}', { x: 1.5, obj: { a: 1 } })).toBe('{x} = 1.5; {"a":1}');
  });

  test('bad values text is an error that says what is expected', () => {
    expect(() => parseTemplateValues('{"i": ')).toThrow(/not valid JSON/);
    expect(() => parseTemplateValues('just words')).toThrow(/line 1 "just words" is not name=value/);
    expect(() => parseTemplateValues('[1, 2]')).toThrow(/line 1/);
  });
});

describe('core/text-join', () => {
  test('joins a stream of strings with an escaped separator', async () => {
    const { items } = await collect(
      {
        r: { type: 'core/range', inputs: { start: 1, stop: 4 } },
        j: { type: 'core/text-join', inputs: { texts: link('r', 'value'), separator: '\\n' } },
      },
      'j',
      'text',
    );
    expect(items).toEqual(['1\n2\n3']);
  });

  test('joins a literal list', async () => {
    const { items } = await collect({ j: { type: 'core/text-join', inputs: { texts: ['a', 'b', 'c'], separator: ' + ' } } }, 'j', 'text');
    expect(items).toEqual(['a + b + c']);
  });
});

describe('core/lines', () => {
  test('streams non-empty trimmed lines', async () => {
    const { items } = await collect({ l: { type: 'core/lines', inputs: { text: ' a.png \r\n\n  b.png\n' } } }, 'l', 'line');
    expect(items).toEqual(['a.png', 'b.png']);
  });
});

describe('core/range', () => {
  test.each([
    [0, 5, 1, [0, 1, 2, 3, 4]],
    [2, 11, 3, [2, 5, 8]],
    [3, -3, -2, [3, 1, -1]],
    [5, 5, 1, []],
  ])('range(%i, %i, %i)', async (start, stop, step, expected) => {
    const { items } = await collect({ r: { type: 'core/range', inputs: { start, stop, step } } }, 'r', 'value');
    expect(items).toEqual(expected);
  });

  test('a step of 0 is an error, not an endless run', async () => {
    const { result } = await collect({ r: { type: 'core/range', inputs: { start: 0, stop: 5, step: 0 } } }, 'r', 'value');
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/step must not be 0/);
  });
});

describe('core/take', () => {
  test('takes the first items of a billion-item range and stops pulling it', async () => {
    const { result, items, events } = await collect(
      {
        r: { type: 'core/range', inputs: { start: 0, stop: 1e9 } },
        t: { type: 'core/take', inputs: { items: link('r', 'value'), count: 5 } },
      },
      't',
      'item',
    );
    expect(result.status).toBe('succeeded');
    expect(items).toEqual([0, 1, 2, 3, 4]);
    // The range reports how many items it produced when it was stopped: the 5 taken plus at most a
    // window's worth read ahead, nowhere near a billion.
    const produced = eventsOf(events, 'node-output', 'r').map((e) => e.items ?? 0);
    expect(produced).toHaveLength(1);
    expect(produced[0]).toBeGreaterThanOrEqual(5);
    expect(produced[0]).toBeLessThan(20);
  });

  test('passes a shorter stream through whole, and count 0 takes nothing', async () => {
    const all = await collect(
      { r: { type: 'core/range', inputs: { stop: 3 } }, t: { type: 'core/take', inputs: { items: link('r', 'value'), count: 10 } } },
      't',
      'item',
    );
    expect(all.items).toEqual([0, 1, 2]);
    const none = await collect(
      { r: { type: 'core/range', inputs: { stop: 3 } }, t: { type: 'core/take', inputs: { items: link('r', 'value'), count: 0 } } },
      't',
      'item',
    );
    expect(none.items).toEqual([]);
  });

  test('per-item nodes downstream of take run only for the taken items', async () => {
    const { items } = await collect(
      {
        r: { type: 'core/range', inputs: { start: 10, stop: 1e9 } },
        t: { type: 'core/take', inputs: { items: link('r', 'value'), count: 3 } },
        show: { type: 'core/show', inputs: { value: link('t', 'item') } },
      },
      'show',
      'text',
    );
    expect(items).toEqual(['10', '11', '12']);
  });
});

describe('core/collect and core/show', () => {
  test('collect reports a whole stream as one array output', async () => {
    const { result } = await runDoc(
      graphOf({ r: { type: 'core/range', inputs: { stop: 4 } }, c: { type: 'core/collect', inputs: { items: link('r', 'value') } } }),
      out.dir,
    );
    expect(result.outputs.c).toEqual({ items: [0, 1, 2, 3] });
  });

  test('show prints strings as they are, images as their size and objects as JSON', async () => {
    const { result } = await runDoc(
      graphOf({
        s: { type: 'core/string', inputs: { value: 'hello' } },
        showS: { type: 'core/show', inputs: { value: link('s', 'value') } },
        r: { type: 'core/range', inputs: { stop: 2 } },
        c: { type: 'core/collect', inputs: { items: link('r', 'value') } },
        showC: { type: 'core/show', inputs: { value: link('c', 'items') } },
      }),
      out.dir,
    );
    expect(result.outputs.showS).toEqual({ text: 'hello' });
    expect(JSON.parse((result.outputs.showC as { text: string }).text)).toEqual([0, 1]);
  });
});

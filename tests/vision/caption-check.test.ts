/** The caption structure check and the tolerant JSON extraction: each problem named exactly. */
import { backoffDelay, checkCaption, extractJson, retryAfterMs, transitionPrompt } from '../../ml/vlm/index.js';

const good = {
  source: 'A man sits at a desk.',
  target: 'The man stands beside the desk.',
  differences: ['the man stood up'],
  instruction: 'Make the man stand up',
  regions: [{ phrase: 'man', frame: 'both' }],
};

describe('checkCaption', () => {
  test('a good caption passes, trimmed, frame values lower-cased, unknown fields dropped', () => {
    const check = checkCaption({ ...good, instruction: '  Make the man stand up ', regions: [{ phrase: 'man', frame: 'Both' }], confidence: 0.9 });
    expect(check).toEqual({ ok: true, caption: good });
  });

  test.each([
    [{ ...good, instruction: undefined }, 'field "instruction" is missing'],
    [{ ...good, instruction: '   ' }, 'field "instruction" is empty'],
    [{ ...good, instruction: 42 }, 'field "instruction" must be a string, got number 42'],
    [{ ...good, source: { characters: ['man'] } }, 'field "source" must be a string, got an object'],
    [{ ...good, differences: 'he stood up' }, 'field "differences" must be an array, got a string "he stood up"'],
    [{ ...good, differences: [] }, 'field "differences" is empty: list at least one difference'],
    [{ ...good, differences: ['ok', null] }, 'field "differences[1]" must be a string, got null'],
    [{ ...good, regions: undefined }, 'field "regions" is missing'],
    [{ ...good, regions: ['man'] }, 'field "regions[0]" must be an object {phrase, frame}, got a string "man"'],
    [{ ...good, regions: [{ phrase: 'man' }] }, 'field "regions[0].frame" is missing (one of "source", "target", "both")'],
    [{ ...good, regions: [{ phrase: 'man', frame: 'after' }] }, 'field "regions[0].frame" must be one of "source", "target", "both", got "after"'],
    [{ ...good, regions: [{ phrase: '', frame: 'source' }] }, 'field "regions[0].phrase" is empty'],
    [[good], 'the answer must be a JSON object, got an array'],
  ])('names the problem: %j', (value, problem) => {
    const check = checkCaption(value);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problems).toEqual([problem]);
  });

  test('every problem is listed, not just the first', () => {
    const check = checkCaption({ source: 'x' });
    expect(!check.ok && check.problems).toEqual([
      'field "target" is missing',
      'field "differences" is missing',
      'field "instruction" is missing',
      'field "regions" is missing',
    ]);
  });

  test('an empty regions list is allowed (a global change such as lighting)', () => {
    expect(checkCaption({ ...good, regions: [] }).ok).toBe(true);
  });
});

describe('extractJson', () => {
  const text = JSON.stringify(good);

  test.each([
    ['plain', text],
    ['fenced with a language', '```json\n' + text + '\n```'],
    ['fenced without a language', '```\n' + text + '\n```'],
    ['leading prose', 'Let me think step by step. Step 1: ... Final answer: ' + text],
    ['prose on both sides with braces in strings', 'Answer {below}:\n' + JSON.stringify({ ...good, source: 'a {curly} sign' }) + '\nDone.'],
    ['a fence left open (cut answer) around a complete object', 'Here:\n```json\n' + text],
  ])('finds the object: %s', (_, answer) => {
    const extracted = extractJson(answer);
    expect(extracted.ok).toBe(true);
    expect(extracted.ok && (extracted.value as typeof good).instruction).toBe('Make the man stand up');
  });

  test('empty answers, prose without JSON, and cut JSON are told apart', () => {
    expect(extractJson('  ')).toEqual({ ok: false, problem: 'the answer was empty' });
    expect(extractJson('The frames show a man.')).toEqual({ ok: false, problem: 'no JSON object found in the answer (it starts "The frames show a man.")' });
    expect(extractJson('{"source": "a man", "target": "a ma')).toMatchObject({ ok: false, problem: expect.stringMatching(/^the JSON is malformed: /) });
    expect(extractJson('Sure: {"source": {"a": 1}')).toMatchObject({ ok: false, problem: expect.stringMatching(/not closed/) });
  });
});

test('the prompt has the three steps, the regions and the JSON format', () => {
  const prompt = transitionPrompt();
  expect(prompt).toMatch(/1\. Describe each frame: the characters, the objects, their attributes .*interact.*scene/);
  expect(prompt).toMatch(/2\. List the differences/);
  expect(prompt).toMatch(/3\. Summarise the differences as ONE short instruction-style edit/);
  expect(prompt).toMatch(/"frame": "source" \| "target" \| "both"/);
});

describe('backoff', () => {
  test('exponential with equal jitter, capped', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 500 }, () => 0))).toEqual([50, 100, 200, 250]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 500 }, () => 1))).toEqual([100, 200, 400, 500]);
  });

  test('Retry-After as seconds or an HTTP date, retry-after-ms first; unreadable is ignored', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': '2', 'retry-after-ms': '150' }))).toBe(150);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

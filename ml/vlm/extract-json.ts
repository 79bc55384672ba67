/**
 * Tolerant extraction of one JSON object from a model's text: models wrap JSON in code fences, put prose
 * before or after it, or think aloud first.
 */

/** The outcome of extraction: the parsed value, or why nothing usable was found. */
export type Extracted = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Finds and parses the JSON object in a model's answer. Tries, in order: the whole text, each fenced code
 * block (```json ... ```), then each balanced `{...}` span outside strings; the first that parses wins.
 *
 * @example
 * extractJson('Sure! ```json\n{"instruction": "Open the door"}\n```') // { ok: true, value: { instruction: 'Open the door' } }
 */
export function extractJson(text: string): Extracted {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'the answer was empty' };

  let firstError: string | undefined;
  const attempt = (candidate: string): { value: unknown } | undefined => {
    try {
      return { value: JSON.parse(candidate) };
    } catch (error) {
      firstError ??= (error as Error).message;
      return undefined;
    }
  };

  const whole = /^[[{]/.test(trimmed) ? attempt(trimmed) : undefined;
  if (whole) return { ok: true, value: whole.value };
  for (const block of fencedBlocks(trimmed)) {
    const parsed = block.startsWith('{') || block.startsWith('[') ? attempt(block) : undefined;
    if (parsed) return { ok: true, value: parsed.value };
  }
  const spans = objectSpans(trimmed);
  for (const span of spans) {
    const parsed = attempt(span);
    if (parsed) return { ok: true, value: parsed.value };
  }
  if (firstError !== undefined) return { ok: false, problem: `the JSON is malformed: ${firstError}` };
  if (trimmed.includes('{')) return { ok: false, problem: 'the JSON object is not closed (a "{" without its matching "}"; was the answer cut at the token limit?)' };
  return { ok: false, problem: `no JSON object found in the answer (it starts ${JSON.stringify(trimmed.slice(0, 60))})` };
}

/** The contents of every fenced code block, in order. */
function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const fence = /```[\w-]*[ \t]*\r?\n?([\s\S]*?)```/g;
  for (let m = fence.exec(text); m; m = fence.exec(text)) blocks.push(m[1]!.trim());
  // An opening fence without its closing one (the answer was cut): take the rest.
  const open = text.lastIndexOf('```');
  if (blocks.length === 0 && open >= 0) blocks.push(text.slice(open).replace(/^```[\w-]*/, '').trim());
  return blocks;
}

/** Every top-level balanced `{...}` span, skipping braces inside JSON strings. */
function objectSpans(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && depth > 0) {
      if (--depth === 0) spans.push(text.slice(start, i + 1));
    }
  }
  return spans;
}

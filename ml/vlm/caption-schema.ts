/**
 * The checked structure a transition caption must have, and its validator: every problem is named with
 * its path (`regions[1].frame`), what was expected and what was found.
 */

/** Which frame a changed region is visible in. */
export type RegionFrame = 'source' | 'target' | 'both';

/** The frames a region may name, in prompt order. */
export const REGION_FRAMES: readonly RegionFrame[] = ['source', 'target', 'both'];

/**
 * A changed region, named by a short noun phrase that a grounding model can find.
 *
 * @example const region: CaptionRegion = { phrase: 'red cup', frame: 'target' };
 */
export interface CaptionRegion {
  phrase: string;
  frame: RegionFrame;
}

/**
 * The method's transition caption: a description of each frame, the differences, one instruction-style
 * edit, and the changed regions.
 *
 * @example
 * const caption: TransitionCaption = {
 *   source: 'A woman holds an empty cup in a kitchen.', target: 'The woman pours coffee into the cup.',
 *   differences: ['the cup now holds coffee'], instruction: 'Pour coffee into the cup',
 *   regions: [{ phrase: 'cup', frame: 'both' }],
 * };
 */
export interface TransitionCaption {
  source: string;
  target: string;
  differences: string[];
  instruction: string;
  regions: CaptionRegion[];
}

/** The outcome of checking a parsed value: the normalised caption, or every problem found. */
export type CaptionCheck = { ok: true; caption: TransitionCaption } | { ok: false; problems: string[] };

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : `a string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
};

/**
 * Checks a parsed JSON value against the caption structure. Strings are trimmed, `frame` values are
 * lower-cased, and unknown fields are dropped; nothing else is guessed.
 *
 * @example
 * const check = checkCaption(JSON.parse(text));
 * if (!check.ok) console.log(check.problems.join('; ')); // 'field "instruction" is missing'
 */
export function checkCaption(value: unknown): CaptionCheck {
  const problems: string[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problems: [`the answer must be a JSON object, got ${describe(value)}`] };
  }
  const record = value as Record<string, unknown>;

  const text = (path: string, v: unknown): string => {
    if (v === undefined) problems.push(`field "${path}" is missing`);
    else if (typeof v !== 'string') problems.push(`field "${path}" must be a string, got ${describe(v)}`);
    else if (v.trim() === '') problems.push(`field "${path}" is empty`);
    else return v.trim();
    return '';
  };
  const list = (path: string, v: unknown): unknown[] => {
    if (v === undefined) problems.push(`field "${path}" is missing`);
    else if (!Array.isArray(v)) problems.push(`field "${path}" must be an array, got ${describe(v)}`);
    else return v;
    return [];
  };

  const source = text('source', record.source);
  const target = text('target', record.target);
  const differenceValues = list('differences', record.differences);
  if (Array.isArray(record.differences) && differenceValues.length === 0) problems.push('field "differences" is empty: list at least one difference');
  const differences = differenceValues.map((d, i) => text(`differences[${i}]`, d));
  const instruction = text('instruction', record.instruction);
  const regions = list('regions', record.regions).map((r, i): CaptionRegion => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      problems.push(`field "regions[${i}]" must be an object {phrase, frame}, got ${describe(r)}`);
      return { phrase: '', frame: 'both' };
    }
    const region = r as Record<string, unknown>;
    const phrase = text(`regions[${i}].phrase`, region.phrase);
    const frame = regionFrame(`regions[${i}].frame`, region.frame, problems);
    return { phrase, frame };
  });

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, caption: { source, target, differences, instruction, regions } };
}

function regionFrame(path: string, value: unknown, problems: string[]): RegionFrame {
  const allowed = REGION_FRAMES.map((f) => `"${f}"`).join(', ');
  if (value === undefined) problems.push(`field "${path}" is missing (one of ${allowed})`);
  else if (typeof value !== 'string') problems.push(`field "${path}" must be one of ${allowed}, got ${describe(value)}`);
  else {
    const frame = value.trim().toLowerCase();
    if ((REGION_FRAMES as readonly string[]).includes(frame)) return frame as RegionFrame;
    problems.push(`field "${path}" must be one of ${allowed}, got ${JSON.stringify(value)}`);
  }
  return 'both';
}

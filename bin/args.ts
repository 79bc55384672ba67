/**
 * Command-line parsing over node's util.parseArgs, with messages that say what to type instead.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Exit codes: 0 success, 1 a failed run, 2 an invalid graph or bad arguments, 130 interrupted.
 * @example return { code: EXIT.invalid, stdout: '' };
 */
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;

/**
 * A mistake on the command line: printed with a pointer to the help, exit code 2.
 * @example throw new UsageError('run needs a graph FILE', 'run');
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type OptionValue<S> = S extends { type: 'string' } ? string : boolean;

/** Parsed flags by name (`multiple` ones as arrays), plus `help`. */
export type FlagValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { multiple: true } ? OptionValue<O[K]>[] : OptionValue<O[K]>;
} & { help?: boolean };

/**
 * Parses one command's arguments; unknown options, missing values and extra arguments become UsageErrors.
 * @example parseCommand('run', ['g.json', '--json'], { json: { type: 'boolean' } }, 1)
 */
export function parseCommand<O extends Options>(
  command: string,
  args: string[],
  options: O,
  maxPositionals: number,
): { values: FlagValues<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(explain(error as Error & { code?: string }, Object.keys(options)), command);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `"${a}"`).join(' ')}`, command);
  }
  return { values: parsed.values as FlagValues<O>, positionals: parsed.positionals };
}

function explain(error: Error & { code?: string }, known: string[]): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = quoted.replace(/^-+/, '').split('=')[0] ?? '';
      const guess = closest(name, known);
      return `unknown option ${quoted}${guess ? `; did you mean --${guess}?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `option ${quoted.split(' ')[0]} needs a value (${quoted})` : error.message;
    default:
      return error.message;
  }
}

/**
 * The candidate nearest to `word` by edit distance, if it is near enough to be a likely typo.
 * @example closest('rnu', ['run', 'nodes']) // 'run'
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(word.length >= 3 ? 2 : 1, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * Turns `--set name=value` flags into a record (values stay strings; the graph's types coerce them).
 * @example parseSets(['video=a.mp4', 'count=3']) // { video: 'a.mp4', count: '3' }
 */
export function parseSets(sets: readonly string[] | undefined, command: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const set of sets ?? []) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes name=value, got "${set}"`, command);
    values[set.slice(0, eq).trim()] = set.slice(eq + 1);
  }
  return values;
}

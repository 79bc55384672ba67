/**
 * Captions one frame pair: the three-step prompt, tolerant JSON extraction, the structure check, and
 * exactly one repair turn when the answer is unusable.
 */
import type { RawImage } from '../../engine/index.js';
import type { VlmBackend, VlmTurn } from './backend.js';
import { checkCaption, type TransitionCaption } from './caption-schema.js';
import { extractJson } from './extract-json.js';
import { CAPTION_SYSTEM, repairPrompt, transitionPrompt } from './prompt.js';

/** Options of one caption call. */
export interface CaptionOptions {
  /** Names the pair in errors and logs, e.g. `frame 3 (1.20 s) -> frame 4 (2.40 s) of clip.mp4`. */
  pair?: string;
  maxTokens?: number;
  temperature?: number;
  /** Ask the backend for a JSON object (OpenAI `response_format`). */
  json?: boolean;
  signal?: AbortSignal;
  log?: { debug(message: string): void; warn(message: string): void };
}

/** A checked caption, with the model's answers (the repaired one last). */
export interface CaptionResult {
  caption: TransitionCaption;
  /** 1, or 2 when the repair turn was needed. */
  attempts: number;
  answers: string[];
}

/**
 * The answer stayed unusable after the repair turn. Its message names the pair and both problems.
 *
 * @example
 * try { await captionTransition(backend, a, b, { pair: 'frames 3 -> 4' }); }
 * catch (e) { if (e instanceof CaptionError) console.log(e.problems); }
 */
export class CaptionError extends Error {
  override readonly name = 'CaptionError';
  constructor(
    readonly pair: string,
    readonly problems: string[],
    readonly answers: string[],
  ) {
    super(`caption for ${pair}: the model's answer was unusable after one repair turn: ${problems.at(-1)} (first answer: ${problems[0]})`);
  }
}

/** Parses and checks one answer; a problem string when unusable. */
function read(answer: string): { caption: TransitionCaption } | { problem: string } {
  const extracted = extractJson(answer);
  if (!extracted.ok) return { problem: extracted.problem };
  const check = checkCaption(extracted.value);
  return check.ok ? { caption: check.caption } : { problem: check.problems.join('; ') };
}

/**
 * Asks the backend what changed between `source` and `target` and returns the checked caption. A backend
 * error (HTTP, timeout, model load) is rethrown with the pair named.
 *
 * @example
 * const { caption } = await captionTransition(backend, frames[0], frames[1], { pair: 'frames 0 -> 1', maxTokens: 768 });
 * caption.instruction // 'Open the door'
 */
export async function captionTransition(backend: VlmBackend, source: RawImage, target: RawImage, options: CaptionOptions = {}): Promise<CaptionResult> {
  const pair = options.pair ?? 'the frame pair';
  const base = { system: CAPTION_SYSTEM, maxTokens: options.maxTokens ?? 768, temperature: options.temperature ?? 0, json: options.json, signal: options.signal };
  const ask = async (turn: { prompt: string; images: RawImage[]; history?: VlmTurn[] }) => {
    try {
      return await backend.generate({ ...base, ...turn });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`caption for ${pair} (${backend.name}): ${message}`, { cause: error });
    }
  };

  const prompt = transitionPrompt();
  const images = [source, target];
  const first = await ask({ prompt, images });
  const firstRead = read(first);
  if ('caption' in firstRead) return { caption: firstRead.caption, attempts: 1, answers: [first] };

  options.log?.warn(`caption for ${pair}: unusable answer (${firstRead.problem}); asking once for a repair`);
  const history: VlmTurn[] = [
    { role: 'user', text: prompt, images },
    { role: 'assistant', text: first },
  ];
  const second = await ask({ prompt: repairPrompt(firstRead.problem), images: [], history });
  const secondRead = read(second);
  if ('caption' in secondRead) return { caption: secondRead.caption, attempts: 2, answers: [first, second] };
  throw new CaptionError(pair, [firstRead.problem, secondRead.problem], [first, second]);
}

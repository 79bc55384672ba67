/**
 * The method's transition prompt (DESIGN.md §9): a chain of thought in three steps — describe each frame,
 * list the differences, summarise them as one short instruction-style edit — plus the changed regions,
 * answered as one JSON object. And the follow-up turn that asks for a repair.
 */

/**
 * The system message: the model's role and the answer format.
 *
 * @example backend.generate({ system: CAPTION_SYSTEM, prompt: transitionPrompt(), images: [a, b], maxTokens: 768 })
 */
export const CAPTION_SYSTEM =
  'You annotate pairs of video frames for training an image-editing model. You look carefully, describe only what ' +
  'is visible, and answer with one JSON object and nothing else.';

/** The JSON shape shown to the model, with one line per field. */
export const CAPTION_FORMAT = `{
  "source": "<step 1: the first image: characters, objects, their attributes, their interactions, the scene>",
  "target": "<step 1: the second image, the same way>",
  "differences": ["<step 2: one difference between the two images>", "..."],
  "instruction": "<step 3: one short imperative edit that turns the first image into the second>",
  "regions": [{ "phrase": "<a short noun phrase naming a changed region>", "frame": "source" | "target" | "both" }]
}`;

/**
 * The user turn that comes with the two images (source first, target second).
 *
 * @example transitionPrompt() // 'The first image is the SOURCE frame ...'
 */
export function transitionPrompt(): string {
  return [
    'The first image is the SOURCE frame and the second image is the TARGET frame, taken later from the same video.',
    'Think in three steps:',
    '1. Describe each frame: the characters, the objects, their attributes (colour, pose, expression, state), how they interact, and the scene.',
    '2. List the differences between the two frames (what appeared, disappeared, moved, changed state or appearance; camera or scene changes).',
    '3. Summarise the differences as ONE short instruction-style edit, in the imperative, as a user would ask an image editor ' +
      '(e.g. "Make the man raise his left hand", "Add a red cup on the table"). Do not describe the frames in the instruction.',
    'Also name the changed regions with short noun phrases an object detector can find ("red cup", "man\'s left hand"), ' +
      'each with the frame it is visible in: "source" (only before the change), "target" (only after) or "both".',
    'Answer with one JSON object exactly in this format, with no text before or after it:',
    CAPTION_FORMAT,
  ].join('\n');
}

/**
 * The follow-up turn after an unusable answer: quotes the problem and asks for the corrected object only.
 *
 * @example repairPrompt('field "instruction" is missing')
 */
export function repairPrompt(problem: string): string {
  return [
    `Your answer could not be used: ${problem}.`,
    'Reply again with only the corrected JSON object (no code fences, no text before or after it), in this format:',
    CAPTION_FORMAT,
    '"instruction" must be a non-empty string, "differences" a non-empty array of strings, and every region\'s "frame" one of "source", "target", "both".',
  ].join('\n');
}

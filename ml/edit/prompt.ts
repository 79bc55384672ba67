/** The method's prompt templates (VINCIE: one text per turn naming the images it reads and writes). */

/**
 * The text of edit turn i (1-based): `Based on <IMG{i-1}>, {instruction}. Output <IMG{i}>: `, the
 * reference's template with the source image as <IMG0>. A trailing period of the instruction is not doubled.
 * @example editPrompt(1, 'make the cup red') // 'Based on <IMG0>, make the cup red. Output <IMG1>: '
 */
export function editPrompt(turn: number, instruction: string): string {
  if (!Number.isInteger(turn) || turn < 1) throw new Error(`editPrompt: turn must be a positive integer, got ${turn}`);
  return `Based on <IMG${turn - 1}>, ${trimInstruction(instruction)}. Output <IMG${turn}>: `;
}

/**
 * The text of a composition from n reference images (<IMG0> .. <IMG{n-1}>) into <IMG{n}>.
 * @example composePrompt(2, 'the cat on the sofa') // 'Based on <IMG0> and <IMG1>, the cat on the sofa. Output <IMG2>: '
 */
export function composePrompt(references: number, prompt: string): string {
  if (!Number.isInteger(references) || references < 1) throw new Error(`composePrompt: need at least one reference image, got ${references}`);
  const names = Array.from({ length: references }, (_, i) => `<IMG${i}>`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Based on ${list}, ${trimInstruction(prompt)}. Output <IMG${references}>: `;
}

/**
 * The text of story frame i (0-based): the first frame from its prompt alone, later ones based on the frame before.
 * @example storyPrompt(0, 'a fox in the snow') // 'a fox in the snow. Output <IMG0>: '
 * @example storyPrompt(1, 'it starts to run') // 'Based on <IMG0>, it starts to run. Output <IMG1>: '
 */
export function storyPrompt(frame: number, prompt: string): string {
  if (!Number.isInteger(frame) || frame < 0) throw new Error(`storyPrompt: frame must be a non-negative integer, got ${frame}`);
  return frame === 0 ? `${trimInstruction(prompt)}. Output <IMG0>: ` : `Based on <IMG${frame - 1}>, ${trimInstruction(prompt)}. Output <IMG${frame}>: `;
}

/**
 * The non-empty lines of a multiline text, trimmed (one instruction or prompt per line).
 * @example splitLines('make it red\n\n add a hat ') // ['make it red', 'add a hat']
 */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}

function trimInstruction(s: string): string {
  return s.trim().replace(/[.\s]+$/, '');
}

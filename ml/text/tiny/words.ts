/** The words the tiny text encoders know as whole tokens: the method's prompt template and common edits. */
export const TINY_TEXT_WORDS: readonly string[] = [
  'based', 'on', 'output', 'img', 'the', 'a', 'an', 'and', 'of', 'to', 'in', 'with', 'make', 'add', 'remove',
  'change', 'turn', 'into', 'color', 'red', 'green', 'blue', 'yellow', 'white', 'black', 'circle', 'square',
  'triangle', 'cup', 'car', 'person', 'left', 'right', 'bigger', 'smaller', 'move',
];

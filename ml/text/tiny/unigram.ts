/**
 * A T5-style tokenizer in the format t5-small and the T5 v1.1 exports ship (`tokenizer.json`: a
 * SentencePiece Unigram model with the Metaspace pre-tokenizer and an `</s>` template; ids 0 `<pad>`,
 * 1 `</s>`, 2 `<unk>`, then the pieces, then `<extra_id_N>` sentinels). Only the vocabulary is tiny: each
 * word is one piece (`▁red`), other text falls back to single characters.
 */
import type { TokenizerFiles } from '../../models/tiny/tokenizers.js';

const SPACE = '\u2581';
const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?:;\'"-()<>{}/_';

/**
 * T5's tokenizer files with `words` as whole-word pieces and `extraIds` sentinel tokens.
 * @example const { tokenizer, config, vocab } = t5Tokenizer(['based', 'on', 'red']); vocab.get('▁red') // 3
 */
export function t5Tokenizer(words: readonly string[], extraIds = 10): TokenizerFiles {
  const pieces: [string, number][] = [
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
  ];
  const seen = new Set(pieces.map(([p]) => p));
  const add = (piece: string, score: number) => {
    if (!seen.has(piece)) seen.add(piece), pieces.push([piece, score]);
  };
  // Whole words score far above their letters, so the Unigram model keeps each known word as one piece.
  for (const w of words) add(SPACE + w, -2);
  add(SPACE, -4);
  for (const c of CHARS) add(c, -10);
  for (const c of CHARS) add(SPACE + c, -10.5);
  const sentinels = Array.from({ length: extraIds }, (_, i) => `<extra_id_${extraIds - 1 - i}>`);
  for (const s of sentinels) add(s, 0);
  const vocab = new Map(pieces.map(([p], i) => [p, i]));
  const addedToken = (content: string) => ({ id: vocab.get(content)!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const metaspace = { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'always', split: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<pad>', '</s>', '<unk>', ...sentinels].map(addedToken),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: 2, vocab: pieces, byte_fallback: false },
  };
  const config = {
    additional_special_tokens: sentinels,
    clean_up_tokenization_spaces: true,
    eos_token: '</s>',
    extra_ids: extraIds,
    model_max_length: 512,
    pad_token: '<pad>',
    tokenizer_class: 'T5Tokenizer',
    unk_token: '<unk>',
  };
  return { tokenizer, config, vocab };
}

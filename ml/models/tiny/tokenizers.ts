/**
 * Small tokenizer files in the formats the real exports ship (`tokenizer.json` of the Hugging Face
 * tokenizers library): a BERT WordPiece tokenizer (GroundingDINO's text side) and a GPT-2 style
 * byte-level BPE tokenizer (SmolLM, the text side of SmolVLM). Only the vocabularies are tiny.
 */

/** One entry of `added_tokens`. */
export interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

const added = (id: number, content: string, special = true): AddedToken => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: !special,
  special,
});

/** The files of one tokenizer: `tokenizer.json` and `tokenizer_config.json` contents, and the vocabulary. */
export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
  vocab: Map<string, number>;
}

/** BERT's special tokens, in BERT's order. */
export const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * A lower-casing WordPiece tokenizer with `[CLS] … [SEP]` templates, as bert-base-uncased ships it.
 * Every word in `words` is one token; other words fall back to letters (`c`, `##a`, `##t`).
 * @example const { tokenizer, config, vocab } = wordPieceTokenizer(['red', 'square']);
 */
export function wordPieceTokenizer(words: readonly string[]): TokenizerFiles {
  const vocab = new Map<string, number>();
  const add = (t: string) => vocab.has(t) || vocab.set(t, vocab.size);
  BERT_SPECIALS.forEach(add);
  for (const p of ['.', ',', '!', '?', '-', "'"]) add(p);
  for (const w of words) add(w.toLowerCase());
  for (let c = 97; c <= 122; c++) add(String.fromCharCode(c));
  for (let c = 97; c <= 122; c++) add(`##${String.fromCharCode(c)}`);
  for (let d = 0; d <= 9; d++) add(String(d));
  for (let d = 0; d <= 9; d++) add(`##${d}`);
  const id = (t: string) => vocab.get(t)!;
  const special = (t: string) => ({ SpecialToken: { id: t, type_id: 0 } });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BERT_SPECIALS.map((t) => added(id(t), t)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  };
  const config = {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: 512,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
  return { tokenizer, config, vocab };
}

/** GPT-2's reversible byte -> printable character table (`bytes_to_unicode`). */
export function byteLevelAlphabet(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const table: string[] = new Array(256);
  for (const b of bs) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  return table;
}

/**
 * A byte-level BPE tokenizer (every text encodes; decoding is exact), with `specials` as added special
 * tokens first, `words` as added non-special tokens, then the 256 byte symbols. No merges: each byte
 * that is not part of an added token is one token.
 * @example const t = byteLevelBpeTokenizer(['<|endoftext|>', '<end_of_utterance>'], ['Assistant:'], { eos_token: '<end_of_utterance>' });
 */
export function byteLevelBpeTokenizer(
  specials: readonly string[],
  words: readonly string[],
  config: Record<string, unknown>,
): TokenizerFiles {
  const vocab = new Map<string, number>();
  const addedTokens: AddedToken[] = [];
  for (const t of specials) addedTokens.push(added(vocab.size, t, true)), vocab.set(t, vocab.size);
  for (const t of words) addedTokens.push(added(vocab.size, t, false)), vocab.set(t, vocab.size);
  for (const ch of byteLevelAlphabet()) if (!vocab.has(ch)) vocab.set(ch, vocab.size);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: [],
    },
  };
  const fullConfig = {
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(addedTokens.map((t) => [String(t.id), { ...t, id: undefined }])),
    clean_up_tokenization_spaces: false,
    model_max_length: 8192,
    tokenizer_class: 'GPT2Tokenizer',
    ...config,
  };
  return { tokenizer, config: fullConfig, vocab };
}

/** The value of the TEXT_EMBEDDING socket: one text's token embeddings, padded to a fixed length. */

/**
 * Token embeddings of one text: `data[i * dim + j]` is feature j of token i; `mask[i]` is 1 for a real
 * token and 0 for padding; `ids` are the token ids (padding included).
 * @example const e: TextEmbedding = { data, tokens: 150, dim: 4096, mask, ids, text: 'make it red' };
 */
export interface TextEmbedding {
  data: Float32Array;
  tokens: number;
  dim: number;
  mask: Uint8Array;
  ids: Int32Array;
  text: string;
}

/**
 * Checks that a value is a well-formed text embedding (for node inputs).
 * @example assertTextEmbedding(inputs.text, 'input "text"');
 */
export function assertTextEmbedding(value: unknown, where = 'text embedding'): asserts value is TextEmbedding {
  const v = value as Partial<TextEmbedding> | null;
  if (!v || typeof v !== 'object' || !(v.data instanceof Float32Array) || !(v.mask instanceof Uint8Array)) {
    throw new Error(`${where}: expected a text embedding {data: Float32Array, tokens, dim, mask: Uint8Array}`);
  }
  if (!Number.isInteger(v.tokens) || !Number.isInteger(v.dim) || v.data.length !== v.tokens! * v.dim! || v.mask.length !== v.tokens) {
    throw new Error(`${where}: ${v.tokens} tokens x ${v.dim} features do not match data of ${v.data.length} values and a mask of ${v.mask.length}`);
  }
}

/**
 * The text-encoder families `dit/encode-text` loads, as data (like ml/models/families.ts): the
 * `model_type` values that identify each in config.json and the files a folder must hold.
 */
import { TEXT_EMBEDDING_MODEL_TYPE } from './tiny/embedding.js';

/** A text-encoder family: a T5-family encoder run by transformers.js, or the DiT's own embedding table. */
export type TextEncoderFamily = 't5' | 'embedding';

/** One family's entry. */
export interface TextEncoderSpec {
  readonly family: TextEncoderFamily;
  readonly modelTypes: readonly string[];
  readonly configFiles: readonly string[];
  /** ONNX files under onnx/ (stems). */
  readonly sessions: readonly string[];
  /** A real model of the family on the hub, where one exists. */
  readonly example?: string;
}

/** The families, by name. */
export const TEXT_ENCODER_FAMILIES: Readonly<Record<TextEncoderFamily, TextEncoderSpec>> = Object.freeze({
  t5: {
    family: 't5',
    modelTypes: ['t5', 'mt5', 'umt5'],
    configFiles: ['config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sessions: ['encoder_model'],
    example: 'Xenova/t5-small',
  },
  embedding: {
    family: 'embedding',
    modelTypes: [TEXT_EMBEDDING_MODEL_TYPE],
    configFiles: ['config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sessions: ['embed_tokens'],
  },
});

/**
 * The files a folder of a family must hold.
 * @example textEncoderFiles('t5') // ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/encoder_model.onnx']
 */
export function textEncoderFiles(family: TextEncoderFamily): string[] {
  const spec = TEXT_ENCODER_FAMILIES[family];
  return [...spec.configFiles, ...spec.sessions.map((s) => `onnx/${s}.onnx`)];
}

/**
 * The family a config.json's `model_type` names, if any.
 * @example textEncoderFamilyOf('t5') // 't5'
 */
export function textEncoderFamilyOf(modelType: unknown): TextEncoderFamily | undefined {
  return (Object.values(TEXT_ENCODER_FAMILIES) as TextEncoderSpec[]).find((f) => f.modelTypes.includes(String(modelType)))?.family;
}

/**
 * The model families Cinegraph loads through transformers.js, as data: what each is for, the
 * `model_type` values that identify it in config.json, and the files a model folder must hold (the
 * layout of the onnx-community / Xenova exports transformers.js reads).
 */

/** A family of models. */
export type ModelFamily = 'grounding-dino' | 'sam' | 'sam2' | 'smolvlm';

/** What a node asks a model for. */
export type ModelTask = 'ground' | 'segment' | 'caption';

/** ONNX weight variants, by the file-name suffix transformers.js gives them. */
export const DTYPE_SUFFIX = Object.freeze({ fp32: '', fp16: '_fp16', q8: '_quantized', int8: '_int8', uint8: '_uint8', q4: '_q4', q4f16: '_q4f16' });
/** An ONNX weight variant. */
export type ModelDtype = keyof typeof DTYPE_SUFFIX;

/** One family's entry in the table. */
export interface FamilySpec {
  readonly family: ModelFamily;
  readonly task: ModelTask;
  /** `model_type` values in config.json. */
  readonly modelTypes: readonly string[];
  /** JSON files the folder must hold. */
  readonly configFiles: readonly string[];
  /** ONNX sessions, as file stems under onnx/. */
  readonly sessions: readonly string[];
  /** A real model of the family on the Hugging Face hub. */
  readonly example: string;
}

/** The families, by name. */
export const FAMILIES: Readonly<Record<ModelFamily, FamilySpec>> = Object.freeze({
  'grounding-dino': {
    family: 'grounding-dino',
    task: 'ground',
    modelTypes: ['grounding-dino'],
    configFiles: ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sessions: ['model'],
    example: 'onnx-community/grounding-dino-tiny-ONNX',
  },
  sam: {
    family: 'sam',
    task: 'segment',
    modelTypes: ['sam'],
    configFiles: ['config.json', 'preprocessor_config.json'],
    sessions: ['vision_encoder', 'prompt_encoder_mask_decoder'],
    example: 'Xenova/slimsam-77-uniform',
  },
  sam2: {
    family: 'sam2',
    task: 'segment',
    modelTypes: ['sam2', 'sam2_video', 'edgetam', 'sam3_tracker'],
    configFiles: ['config.json', 'preprocessor_config.json'],
    sessions: ['vision_encoder', 'prompt_encoder_mask_decoder'],
    example: 'onnx-community/sam2.1-hiera-tiny-ONNX',
  },
  smolvlm: {
    family: 'smolvlm',
    task: 'caption',
    modelTypes: ['smolvlm', 'idefics3'],
    configFiles: ['config.json', 'generation_config.json', 'preprocessor_config.json', 'processor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
    example: 'HuggingFaceTB/SmolVLM-256M-Instruct',
  },
});

/** The default model of each task (a hub id; a local folder or another id is a widget change). */
export const DEFAULT_MODELS: Readonly<Record<ModelTask, string>> = Object.freeze({
  ground: FAMILIES['grounding-dino'].example,
  segment: FAMILIES.sam2.example,
  caption: FAMILIES.smolvlm.example,
});

/**
 * The files a model folder of `family` must hold for `dtype`.
 * @example familyFiles('sam2') // ['config.json', 'preprocessor_config.json', 'onnx/vision_encoder.onnx', 'onnx/prompt_encoder_mask_decoder.onnx']
 */
export function familyFiles(family: ModelFamily, dtype: ModelDtype = 'fp32'): string[] {
  const spec = FAMILIES[family];
  return [...spec.configFiles, ...spec.sessions.map((s) => `onnx/${s}${DTYPE_SUFFIX[dtype]}.onnx`)];
}

/**
 * The family a config.json's `model_type` names, if Cinegraph loads it.
 * @example familyOf('sam2') // 'sam2'
 */
export function familyOf(modelType: unknown): ModelFamily | undefined {
  return (Object.values(FAMILIES) as FamilySpec[]).find((f) => f.modelTypes.includes(String(modelType)))?.family;
}

/** The families that serve a task. */
export function familiesFor(task: ModelTask): ModelFamily[] {
  return (Object.values(FAMILIES) as FamilySpec[]).filter((f) => f.task === task).map((f) => f.family);
}

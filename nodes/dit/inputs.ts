/** Widgets shared by the dit nodes: the VAE folder, the text encoder, the device. */
import { T } from '../../engine/index.js';
import { MODEL_DEVICES } from '../../ml/models/index.js';
import { TEXT_ENCODER_FAMILIES, TEXT_TOKENS_PER_TURN } from '../../ml/text/index.js';

/** The VAE widget: a folder in the Optimum/diffusers ONNX layout. */
export const vaeInput = {
  type: T.STRING,
  default: '',
  description: 'VAE folder (vae_encoder/model.onnx, vae_decoder/model.onnx, config.json with scaling_factor and shift_factor): a patch VAE or an SD3-style export',
} as const;

/** The text-encoder widget: a T5-family hub id or folder, or an embedding-table folder. */
export const textEncoderInput = {
  type: T.STRING,
  default: TEXT_ENCODER_FAMILIES.t5.example!,
  description: 'text encoder: a T5-family hub id (downloaded into the model cache on first use) or folder, or an embedding-table folder',
} as const;

/** Tokens per text. */
export const maxTokensInput = {
  type: T.INT,
  default: TEXT_TOKENS_PER_TURN,
  min: 1,
  max: 4096,
  description: 'tokens per text after padding or truncation (150 per turn in VINCIE)',
} as const;

/** The device widget. */
export const deviceInput = {
  type: T.STRING,
  default: 'auto',
  choices: MODEL_DEVICES,
  description: 'auto (CINEGRAPH_DEVICE, else CUDA when installed, else cpu), cpu, cuda or webgpu; falls back to cpu with a log line',
} as const;

/**
 * What the caption nodes share: their backend widgets, and the VlmBackend those widgets describe (an
 * OpenAI-compatible endpoint, or the local VLM of ml/models/vlm.ts loaded on first use).
 */
import { T, type NodeContext, type RawImage } from '../../engine/index.js';
import { createEndpointVlm, type VlmBackend } from '../../ml/vlm/index.js';
import { createLocalVlm } from '../../ml/models/vlm.js';

/** The backend widgets of `vision/caption-transition` and `vision/caption-frame-set`. */
export const captionBackendInputs = {
  backend: { type: T.STRING, default: 'endpoint', choices: ['endpoint', 'local'], description: 'an OpenAI-compatible chat endpoint, or a local VLM run by transformers.js' },
  baseUrl: { type: T.STRING, default: 'http://127.0.0.1:8000/v1', description: 'endpoint: the API root (vLLM :8000/v1, Ollama :11434/v1, llama.cpp :8080/v1, https://api.openai.com/v1)' },
  model: { type: T.STRING, default: 'Qwen/Qwen2-VL-7B-Instruct', description: 'endpoint: the model name it serves' },
  apiKeyEnv: { type: T.STRING, default: 'OPENAI_API_KEY', description: 'endpoint: the NAME of the environment variable holding the API key (never the key itself); unset: no key sent' },
  localModel: { type: T.STRING, default: 'HuggingFaceTB/SmolVLM-256M-Instruct', description: 'local: a hub id or a model folder' },
  device: { type: T.STRING, default: 'auto', choices: ['auto', 'cpu', 'cuda', 'webgpu'], description: 'local: where the model runs' },
  maxTokens: { type: T.INT, default: 768, min: 16, max: 8192, description: 'the most tokens per answer' },
  temperature: { type: T.FLOAT, default: 0, min: 0, max: 2, step: 0.05, description: 'sampling temperature (0: greedy)' },
  timeoutSeconds: { type: T.FLOAT, default: 120, min: 1, max: 3600, description: 'endpoint: per request attempt' },
  retries: { type: T.INT, default: 3, min: 0, max: 10, description: 'endpoint: retries on 429, 5xx and network errors, with backoff' },
  concurrency: { type: T.INT, default: 4, min: 1, max: 64, description: 'requests in flight at once to this endpoint (shared by every node using it)' },
  jsonMode: { type: T.BOOLEAN, default: false, description: "endpoint: send response_format {type: 'json_object'} (vLLM, Ollama, OpenAI support it)" },
  imageFormat: { type: T.STRING, default: 'jpeg', choices: ['jpeg', 'png'], description: 'endpoint: how frames are encoded in the request' },
  maxImageSide: { type: T.INT, default: 1024, min: 64, max: 4096, description: 'endpoint: frames are shrunk to fit this side' },
} as const;

/** The widget values `backendFor` reads. */
export interface CaptionBackendValues {
  backend: string;
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  localModel: string;
  device: string;
  timeoutSeconds: number;
  retries: number;
  concurrency: number;
  imageFormat: string;
  maxImageSide: number;
}

/**
 * The local VLM. Not cached here: ml/models keeps loaded models (until releaseModels()), so a second
 * cache would outlive a release and hand out a model whose sessions are gone.
 */
async function localVlm(model: string, device: string): Promise<VlmBackend> {
  if (!model.trim()) throw new Error('input "localModel" is empty: give a hub id or a model folder');
  return createLocalVlm({ model, device });
}

/**
 * The backend the widgets describe.
 *
 * @example const vlm = await backendFor(inputs, ctx); await vlm.generate({ prompt, images, maxTokens: 256 });
 */
export async function backendFor(values: CaptionBackendValues, ctx: NodeContext): Promise<VlmBackend> {
  if (values.backend === 'local') return localVlm(values.localModel, values.device);
  if (values.backend !== 'endpoint') throw new Error(`input "backend" must be "endpoint" or "local", got ${JSON.stringify(values.backend)}`);
  return createEndpointVlm({
    baseUrl: values.baseUrl,
    model: values.model,
    apiKeyEnv: values.apiKeyEnv,
    timeoutMs: values.timeoutSeconds * 1000,
    retries: values.retries,
    concurrency: values.concurrency,
    images: { format: values.imageFormat === 'png' ? 'png' : 'jpeg', maxSide: values.maxImageSide },
    log: ctx.log,
  });
}

/** How a frame is named in errors: `frame 3 (1.20 s)` for FRAMEs, `a 256x192 image` otherwise. */
export function frameLabel(img: RawImage): string {
  const f = img as Partial<{ index: number; time: number }>;
  return typeof f.index === 'number' && typeof f.time === 'number' ? `frame ${f.index} (${f.time.toFixed(2)} s)` : `a ${img.width}x${img.height} image`;
}

/** Names a pair in errors: `frame 3 (1.20 s) -> frame 4 (2.40 s) of clip.mp4`. */
export function pairLabel(source: RawImage, target: RawImage): string {
  const from = (source as Partial<{ source: string }>).source;
  return `${frameLabel(source)} -> ${frameLabel(target)}${typeof from === 'string' && from ? ` of ${from}` : ''}`;
}

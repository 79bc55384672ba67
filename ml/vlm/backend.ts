/**
 * The contract between the transition captioner and whatever answers it: a local vision-language model
 * (ml/models/vlm.ts, `createLocalVlm`) or an OpenAI-compatible chat endpoint (ml/vlm/endpoint.ts).
 */
import type { RawImage } from '../../engine/index.js';

/**
 * One chat turn with images, as the captioner asks it.
 *
 * @example
 * const request: VlmRequest = { system: 'You answer in JSON.', prompt: 'Describe both frames.', images: [a, b], maxTokens: 512 };
 */
export interface VlmRequest {
  /** The system message, when the backend supports one (local models may prepend it to the prompt). */
  system?: string;
  /** The user's text; the images come before it in the same turn, in order. */
  prompt: string;
  /** The images of this turn, in order (RGB or RGBA, 8-bit interleaved). */
  images: RawImage[];
  /** The most tokens the model may generate. */
  maxTokens: number;
  /** Sampling temperature; 0 or absent means greedy/deterministic where the backend allows. */
  temperature?: number;
  /** Aborts the request (the run was cancelled or timed out). */
  signal?: AbortSignal;
  /**
   * Earlier turns of the same conversation, oldest first (used by the repair retry: the model's previous
   * answer and the problem found in it). Backends that cannot hold a conversation must flatten them into
   * one turn with `flattenTurns(request)`; `history` is absent on a first turn.
   */
  history?: VlmTurn[];
  /** Ask for a JSON object (OpenAI `response_format: {type: 'json_object'}`); backends may ignore it. */
  json?: boolean;
}

/**
 * One earlier turn of a conversation. The user turn of the first exchange carries the images; later turns
 * are text only.
 *
 * @example
 * const turn: VlmTurn = { role: 'assistant', text: '{"source": ...' };
 */
export interface VlmTurn {
  role: 'user' | 'assistant';
  text: string;
  /** Images of this turn (user turns only), in order. */
  images?: RawImage[];
}

/**
 * A vision-language model that answers one chat turn with images.
 *
 * @example
 * const text = await backend.generate({ prompt: 'What changed?', images: [source, target], maxTokens: 256, signal });
 */
export interface VlmBackend {
  /** A short human name for logs and errors, e.g. `endpoint http://127.0.0.1:8000/v1 (qwen2-vl)`. */
  readonly name: string;
  /** One chat turn with images; returns the model's text. */
  generate(request: VlmRequest): Promise<string>;
}

/**
 * Flattens a conversation (history + this turn) into one turn for backends that take a single prompt:
 * every image of every turn, in order, then the turns' texts labelled by role.
 *
 * @example
 * const { prompt, images } = flattenTurns(request); // request.history may be undefined: returns prompt and images as given
 */
export function flattenTurns(request: Pick<VlmRequest, 'prompt' | 'images' | 'history'>): { prompt: string; images: RawImage[] } {
  const history = request.history ?? [];
  if (history.length === 0) return { prompt: request.prompt, images: request.images };
  const images = [...history.flatMap((t) => t.images ?? []), ...request.images];
  const parts = history.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.text}`);
  parts.push(`User: ${request.prompt}`);
  return { prompt: parts.join('\n\n'), images };
}

/**
 * ml/vlm: transition captioning with vision-language models — the method's three-step prompt, the checked
 * caption structure, tolerant JSON extraction with one repair turn, and the OpenAI-compatible endpoint
 * backend. The local backend (`createLocalVlm`) lives in ml/models/vlm.ts and implements `VlmBackend`.
 */

// The backend contract
export { flattenTurns } from './backend.js';
export type { VlmBackend, VlmRequest, VlmTurn } from './backend.js';

// Captioning a pair
export { captionTransition, CaptionError } from './caption.js';
export type { CaptionOptions, CaptionResult } from './caption.js';
export { checkCaption, REGION_FRAMES } from './caption-schema.js';
export type { TransitionCaption, CaptionRegion, RegionFrame, CaptionCheck } from './caption-schema.js';
export { extractJson } from './extract-json.js';
export type { Extracted } from './extract-json.js';
export { CAPTION_SYSTEM, CAPTION_FORMAT, transitionPrompt, repairPrompt } from './prompt.js';

// The chat-completions endpoint
export { createEndpointVlm, EndpointError } from './endpoint.js';
export type { EndpointOptions } from './endpoint.js';
export { imageDataUrl } from './images.js';
export type { ImageEncoding } from './images.js';
export { Semaphore, endpointLimit } from './limit.js';
export { backoffDelay, retryAfterMs, sleep } from './retry.js';
export type { BackoffOptions } from './retry.js';

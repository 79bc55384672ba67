/**
 * The video library: finding ffmpeg, probing, lazy decoding to RGB frames, and the pure frame maths
 * (differences, borders, session sampling) that the video nodes are thin declarations over.
 */

// Tools and processes
export { locateFfmpeg } from './locate.js';
export type { FfmpegTools } from './locate.js';
export { spawnTool, runTool, KILL_GRACE_MS } from './process.js';
export type { ToolProcess, ToolResult } from './process.js';

// Probing and decoding
export { VideoError } from './errors.js';
export type { VideoProblem } from './errors.js';
export { probeVideo, checkVideoFile, parseFfmpegBanner, videoDecoders } from './probe.js';
export type { VideoInfo, ToolOptions } from './probe.js';
export { decodeFrames, decodeArgs, outputSize, DEFAULT_MAX_SIDE } from './decode.js';
export type { DecodedFrame, DecodeOptions } from './decode.js';
export { fitArea, presetArea, AREA_PRESETS } from './size.js';
export type { AreaPreset } from './size.js';

// Frame maths (pure)
export { signature, histogramDistance, pixelChange, ssim, compareSignatures, isChange, isDuplicate, DEFAULT_THRESHOLDS, THUMB_WIDTH } from './metrics.js';
export type { Pixels, FrameSignature, FrameDistance, ChangeThresholds } from './metrics.js';
export { detectBorders, commonBorders, hasBorders, cropBox, crop } from './borders.js';
export type { Borders, BorderOptions } from './borders.js';
export { SessionSampler, pickEvenly, cropCommonBorders } from './sampler.js';
export type { SamplerOptions, SampledSession, SamplingStrategy, TimedPixels } from './sampler.js';

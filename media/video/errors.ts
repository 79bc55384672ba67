/** Errors of the video layer: each names the file and what is wrong with it. */

/** What went wrong with a video, for callers that react differently (skip, retry, report). */
export type VideoProblem =
  | 'missing'
  | 'empty'
  | 'not-a-video'
  | 'truncated'
  | 'no-video-stream'
  | 'unsupported-codec'
  | 'too-large'
  | 'bad-option'
  | 'decode-failed'
  | 'no-ffmpeg';

/**
 * A video that cannot be probed or decoded. The message reads `video "<path>": <what is wrong>`.
 * @example
 * try { await probeVideo('clip.mp4'); } catch (e) { if (e instanceof VideoError && e.problem === 'missing') ... }
 */
export class VideoError extends Error {
  override readonly name = 'VideoError';
  constructor(
    readonly path: string,
    readonly problem: VideoProblem,
    what: string,
  ) {
    super(`video "${path}": ${what}`);
  }
}

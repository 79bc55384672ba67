import { socketType, registerType, registerConversion, type RawImage } from '../../engine/index.js';
/** A decoded video frame: pixels plus where it came from. A FRAME is also an IMAGE. */
export interface Frame extends RawImage { time: number; index: number; source: string }
/** Frames picked from one video for one session (2..20), in time order. */
export interface FrameSet { source: string; frames: Frame[]; /** why each boundary was chosen */ reason: 'transitions' | 'interval' | 'count' }
export const FRAME = socketType<Frame>('FRAME', { color: '#5c9ded', sizeOf: (f) => f.data.byteLength + 96, summarize: (f) => ({ width: f.width, height: f.height, time: f.time, index: f.index }) });
export const FRAME_SET = socketType<FrameSet>('FRAME_SET', { color: '#7e57c2', sizeOf: (s) => s.frames.reduce((n, f) => n + f.data.byteLength + 96, 64), summarize: (s) => ({ source: s.source, frames: s.frames.length, times: s.frames.map((f) => f.time) }) });
registerType(FRAME); registerType(FRAME_SET);
registerConversion('FRAME', 'IMAGE', (f) => f);

/**
 * Sessions: the method's interleaved record (frames, transition texts, region phrases, masks), its JSON
 * Schema and validator, stable keys, and assembly from frames and annotations.
 */
export { SESSION_FORMAT, SESSION_VERSION, MIN_FRAMES, MAX_FRAMES, memberName, memberSuffix } from './record.js';
export type { Session, SessionRecord, SessionFrame, SessionTransition, SessionAnnotators, SessionBox, MaskPair } from './record.js';
export { sessionSchema, validateSession, assertSession } from './schema.js';
export { sessionKey } from './key.js';
export { assembleSession } from './assemble.js';
export type { AssembleInput, TimedFrame } from './assemble.js';
export { truthBetween, resizeNearest } from './truth.js';
export type { TruthAnnotation } from './truth.js';

/**
 * The SESSION socket type, typed: a session record plus its frames and masks (media/session).
 * It keeps the engine's id "SESSION", so links typed with `T.SESSION` connect to it.
 */
import { registerType, socketType } from '../../engine/index.js';
import type { Session } from '../../media/session/index.js';

/**
 * A session: the record (JSON), frames I0..IK and mask pairs (M_i0, M_i1).
 * @example outputs: { session: SESSION }
 */
export const SESSION = socketType<Session>('SESSION', {
  color: '#f06292',
  sizeOf: (s) => s.frames.reduce((n, f) => n + f.data.byteLength, 0) + s.masks.reduce((n, m) => n + (m.source?.data.byteLength ?? 0) + (m.target?.data.byteLength ?? 0), 2048),
  summarize: (s) => ({
    key: s.record.key,
    source: s.record.source.path,
    frames: s.record.frames.length,
    size: `${s.record.width}x${s.record.height}`,
    texts: s.record.transitions.map((t) => t.text),
    annotators: s.record.annotators,
  }),
});
registerType(SESSION);

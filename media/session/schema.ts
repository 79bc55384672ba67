/**
 * The JSON Schema of a session record and its validator (schema checks plus the cross-field rules a schema
 * cannot say: one transition between each pair of frames, member names that match the key).
 */
import { Ajv } from 'ajv';
import { MAX_FRAMES, MIN_FRAMES, SESSION_FORMAT, SESSION_VERSION, memberSuffix, type SessionRecord } from './record.js';

const box = {
  type: 'object',
  required: ['x', 'y', 'width', 'height'],
  additionalProperties: false,
  properties: {
    x: { type: 'integer', minimum: 0 },
    y: { type: 'integer', minimum: 0 },
    width: { type: 'integer', minimum: 1 },
    height: { type: 'integer', minimum: 1 },
  },
} as const;

const memberOrNull = { anyOf: [{ type: 'string', pattern: '^\\d+\\.mask[01]\\.png$' }, { type: 'null' }] } as const;

/** The JSON Schema (draft-07) of a session record, version 1. */
export const sessionSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://cinegraph.dev/schema/session-v1.json',
  title: 'Cinegraph session record',
  type: 'object',
  required: ['format', 'version', 'key', 'source', 'width', 'height', 'frames', 'transitions', 'annotators'],
  additionalProperties: false,
  properties: {
    format: { const: SESSION_FORMAT },
    version: { const: SESSION_VERSION },
    key: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    source: {
      type: 'object',
      required: ['path', 'sampling'],
      additionalProperties: false,
      properties: { path: { type: 'string', minLength: 1 }, sampling: { type: 'string', minLength: 1 } },
    },
    width: { type: 'integer', minimum: 1 },
    height: { type: 'integer', minimum: 1 },
    frames: {
      type: 'array',
      minItems: MIN_FRAMES,
      maxItems: MAX_FRAMES,
      items: {
        type: 'object',
        required: ['time', 'index', 'file'],
        additionalProperties: false,
        properties: {
          time: { type: 'number', minimum: 0 },
          index: { type: 'integer', minimum: -1 },
          file: { type: 'string', pattern: '^\\d+\\.(png|jpg)$' },
        },
      },
    },
    transitions: {
      type: 'array',
      maxItems: MAX_FRAMES - 1,
      items: {
        type: 'object',
        required: ['text', 'regions', 'boxes', 'masks'],
        additionalProperties: false,
        properties: {
          text: { type: 'string' },
          kind: { type: 'string' },
          regions: {
            type: 'object',
            required: ['source', 'target'],
            additionalProperties: false,
            properties: { source: { type: 'string' }, target: { type: 'string' } },
          },
          boxes: {
            type: 'object',
            required: ['source', 'target'],
            additionalProperties: false,
            properties: { source: { type: 'array', items: box }, target: { type: 'array', items: box } },
          },
          masks: {
            type: 'object',
            required: ['source', 'target'],
            additionalProperties: false,
            properties: { source: memberOrNull, target: memberOrNull },
          },
        },
      },
    },
    annotators: {
      type: 'object',
      required: ['text', 'regions', 'masks'],
      additionalProperties: { type: 'string' },
      properties: { text: { type: 'string', minLength: 1 }, regions: { type: 'string', minLength: 1 }, masks: { type: 'string', minLength: 1 } },
    },
    extra: { type: 'object' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const check = ajv.compile(sessionSchema);

/**
 * Every problem of a session record (empty when it is valid), each naming the field.
 * @example validateSession(JSON.parse(text)) // [] or ['/frames: must NOT have fewer than 2 items', ...]
 */
export function validateSession(value: unknown): string[] {
  if (!check(value)) return (check.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
  const r = value as SessionRecord;
  const issues: string[] = [];
  if (r.transitions.length !== r.frames.length - 1) issues.push(`/transitions: ${r.frames.length} frames need ${r.frames.length - 1} transitions, got ${r.transitions.length}`);
  r.frames.forEach((f, i) => {
    if (!new RegExp(`^${i}\\.(png|jpg)$`).test(f.file)) issues.push(`/frames/${i}/file: expected "${i}.png" or "${i}.jpg", got "${f.file}"`);
    if (i > 0 && f.time < r.frames[i - 1]!.time) issues.push(`/frames/${i}/time: ${f.time} is before the previous frame's ${r.frames[i - 1]!.time}`);
  });
  r.transitions.forEach((t, i) => {
    for (const side of ['source', 'target'] as const) {
      const m = t.masks[side];
      const want = memberSuffix(i, side === 'source' ? 'mask0' : 'mask1');
      if (m !== null && m !== want) issues.push(`/transitions/${i}/masks/${side}: expected "${want}", got "${m}"`);
      for (const [k, b] of t.boxes[side].entries()) {
        if (b.x + b.width > r.width || b.y + b.height > r.height) issues.push(`/transitions/${i}/boxes/${side}/${k}: box leaves the ${r.width}x${r.height} frame`);
      }
    }
  });
  return issues;
}

/**
 * Throws an Error listing every problem when the record is not a valid session.
 * @example assertSession(record, 'shard-000001.tar: abc.json');
 */
export function assertSession(value: unknown, where = 'session record'): asserts value is SessionRecord {
  const issues = validateSession(value);
  if (issues.length) throw new Error(`${where} is not a valid session: ${issues.join('; ')}`);
}

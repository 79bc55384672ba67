/**
 * A session as shard members and back: `{key}.json`, `{key}.{i}.png|jpg` (frame i),
 * `{key}.{i}.mask0.png` (M_i0, aligned with frame i) and `{key}.{i}.mask1.png` (M_i1, aligned with frame i + 1).
 */
import sharp from 'sharp';
import { encodeImage, decodeImage } from '../image/io.js';
import { fromSharp, toChannels, type RawImage } from '../image/raw.js';
import { assertSession, type MaskPair, type Session, type SessionRecord } from '../session/index.js';

/** A named member of a shard. */
export interface Member {
  name: string;
  data: Buffer;
}

/**
 * Encodes a session's record and pictures. Frames are written in the format the record names (png or jpg).
 * @example const members = await sessionMembers(session);
 */
export async function sessionMembers(session: Session, jpegQuality = 90): Promise<Member[]> {
  const { record } = session;
  const key = record.key;
  const out: Member[] = [{ name: `${key}.json`, data: Buffer.from(JSON.stringify(record)) }];
  for (const [i, frame] of session.frames.entries()) {
    const file = record.frames[i]!.file;
    const data = file.endsWith('.jpg') ? await encodeImage(toChannels(frame, 3), 'jpeg', { quality: jpegQuality }) : await encodeImage(frame, 'png');
    out.push({ name: `${key}.${file}`, data });
  }
  for (const [i, pair] of session.masks.entries()) {
    const t = record.transitions[i]!;
    if (pair.source && t.masks.source) out.push({ name: `${key}.${t.masks.source}`, data: await encodeImage(toChannels(pair.source, 1), 'png') });
    if (pair.target && t.masks.target) out.push({ name: `${key}.${t.masks.target}`, data: await encodeImage(toChannels(pair.target, 1), 'png') });
  }
  return out;
}

/**
 * Splits a member name into its key and its suffix (at the first dot, as WebDataset does).
 * @example splitMember('abc.0.mask1.png') // ['abc', '0.mask1.png']
 */
export function splitMember(name: string): [string, string] {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot < 0 ? [base, ''] : [base.slice(0, dot), base.slice(dot + 1)];
}

async function decodeMask(data: Buffer, where: string): Promise<RawImage> {
  try {
    return await fromSharp(sharp(data).extractChannel(0));
  } catch (error) {
    throw new Error(`cannot decode the mask ${where}: ${(error as Error).message}`);
  }
}

/**
 * Rebuilds a session from its members (suffix -> bytes). `where` names the shard in errors.
 * With `decode: false` the pictures are left out (frames and masks empty) and only the record is checked.
 * @example const session = await sessionFromMembers(new Map([['json', buf], ['0.png', png], ...]), 'shard-000001.tar');
 */
export async function sessionFromMembers(members: Map<string, Buffer>, where: string, decode = true): Promise<Session> {
  const json = members.get('json');
  if (!json) throw new Error(`${where}: a session has no .json member (members: ${[...members.keys()].join(', ')})`);
  let record: SessionRecord;
  try {
    record = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new Error(`${where}: the .json member is not JSON: ${(error as Error).message}`);
  }
  assertSession(record, `${where}: ${String((record as { key?: string })?.key ?? '?')}.json`);
  if (!decode) return { record, frames: [], masks: [] };
  const need = (suffix: string) => {
    const data = members.get(suffix);
    if (!data) throw new Error(`${where}: session ${record.key} lacks member ${record.key}.${suffix}`);
    return data;
  };
  const frames = await Promise.all(record.frames.map((f) => decodeImage(need(f.file), `${where}: ${record.key}.${f.file}`).then((img) => toChannels(img, 3))));
  const masks: MaskPair[] = await Promise.all(
    record.transitions.map(async (t) => ({
      source: t.masks.source ? await decodeMask(need(t.masks.source), `${where}: ${record.key}.${t.masks.source}`) : null,
      target: t.masks.target ? await decodeMask(need(t.masks.target), `${where}: ${record.key}.${t.masks.target}`) : null,
    })),
  );
  return { record, frames, masks };
}

/**
 * A minimal ustar writer over a file handle: regular files only, names under 100 bytes. Written by hand so
 * the shard writer controls every byte, its size accounting, and the fsync before a shard is renamed.
 */
import type { FileHandle } from 'node:fs/promises';

const BLOCK = 512;

/**
 * Bytes one member takes in a tar archive: a header block plus its data padded to whole blocks.
 * @example tarMemberSize(1000) // 1536
 */
export function tarMemberSize(dataBytes: number): number {
  return BLOCK + Math.ceil(dataBytes / BLOCK) * BLOCK;
}

/** Bytes of the end-of-archive marker (two zero blocks). */
export const TAR_TRAILER = 2 * BLOCK;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/**
 * The ustar header block of a regular file.
 * @example tarHeader('abc.json', 120, 1700000000)
 */
export function tarHeader(name: string, size: number, mtime: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar member name "${name}" is longer than 100 bytes`);
  if (size > 0o77777777777) throw new Error(`tar member "${name}" is too large (${size} bytes)`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.max(0, Math.floor(mtime)), 12), 136, 'ascii');
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/**
 * Appends members to an open file and ends the archive.
 * @example const w = new TarWriter(await open('a.tar', 'w')); await w.add('a.txt', buf); await w.finish();
 */
export class TarWriter {
  /** Bytes written so far (without the trailer). */
  bytes = 0;

  constructor(
    private readonly file: FileHandle,
    private readonly mtime = Math.floor(Date.now() / 1000),
  ) {}

  /** Writes one regular file member. */
  async add(name: string, data: Uint8Array): Promise<void> {
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    const chunks = [tarHeader(name, data.length, this.mtime), data, Buffer.alloc(pad)];
    await this.file.writev(chunks);
    this.bytes += BLOCK + data.length + pad;
  }

  /** Writes the end-of-archive marker and flushes the file to disk (fsync); the caller closes it. */
  async finish(): Promise<void> {
    await this.file.write(Buffer.alloc(TAR_TRAILER));
    this.bytes += TAR_TRAILER;
    await this.file.sync();
  }
}

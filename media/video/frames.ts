/**
 * Cutting ffmpeg's raw output into whole frames, with a bounded number of frames waiting. Reads can land
 * straight in the frame being filled (a socket made with `onread`: no copy at all) or be copied out of the
 * chunks of a plain pipe.
 */
import type { Readable } from 'node:stream';

/**
 * How many whole frames may wait here before reading stops: about 4 MiB, 2 to 32 frames. The deep queue
 * is on ffmpeg's side (see `queuedFrames`), outside this heap: every frame waiting here is external
 * memory that V8 weighs when it decides to run a full garbage collection.
 */
export function readyFrames(frameBytes: number): number {
  return Math.max(2, Math.min(32, Math.floor((4 * 1024 * 1024) / frameBytes)));
}

/**
 * How many frames ffmpeg's own output queue holds: about 16 MiB, 2 to 64 frames. While it has room,
 * ffmpeg decodes on even when this process is slow to read for a moment (a garbage collection, a busy
 * consumer); with no queue at all, a full pipe stalled ffmpeg for an event-loop turn per resume (about
 * 35% of the throughput of a 256x256-area decode).
 */
export function queuedFrames(frameBytes: number): number {
  return Math.max(2, Math.min(64, Math.floor((16 * 1024 * 1024) / frameBytes)));
}

/** A plain Uint8Array over fresh, non-zeroed memory (decoding overwrites every byte). */
function uninitialized(bytes: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Whole frames of `frameBytes` out of a byte stream. At most `window` frames wait; then reading stops, the
 * writer blocks, and the consumer's pace drives decoding. A partial frame at the end is dropped.
 * @example
 * const reader = new FrameReader(w * h * 3);
 * const socket = net.connect({ path, onread: reader.onread }); // or: reader.attach(child.stdout, true)
 * reader.attach(socket, false);
 * for (let f = await reader.next(); f; f = await reader.next()) use(f);
 */
export class FrameReader {
  private readonly ready: Uint8Array[] = [];
  private frame: Uint8Array;
  private filled = 0;
  private stream: Readable | undefined;
  private held = false;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  /**
   * `onread` options for a net.Socket: each read lands in the unfilled rest of the current frame, and
   * returning false stops reading while the window is full.
   */
  readonly onread = {
    buffer: (): Uint8Array => this.frame.subarray(this.filled),
    callback: (bytes: number): boolean => {
      this.filled += bytes;
      if (this.filled === this.frameBytes) this.complete();
      this.held = this.ready.length >= this.window;
      return !this.held;
    },
  };

  constructor(
    readonly frameBytes: number,
    readonly window = readyFrames(frameBytes),
  ) {
    this.frame = uninitialized(frameBytes);
  }

  /**
   * Follows `stream` to its end. With `copy`, its 'data' chunks are copied into frames (a stream that was
   * not made with `onread`); without, the reads already land through `onread`.
   */
  attach(stream: Readable, copy: boolean): this {
    this.stream = stream;
    if (copy) stream.on('data', (chunk: Buffer) => this.take(chunk));
    stream.once('end', () => this.finish());
    stream.once('close', () => this.finish());
    stream.once('error', (error) => this.finish(error));
    return this;
  }

  private take(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.frame.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) this.complete();
    }
    if (this.ready.length >= this.window) {
      this.held = true;
      this.stream?.pause();
    }
  }

  private complete(): void {
    this.ready.push(this.frame);
    this.frame = uninitialized(this.frameBytes);
    this.filled = 0;
    this.signal();
  }

  private finish(error?: Error): void {
    this.ended = true;
    this.failure ??= error;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The next whole frame, or undefined at the end of the stream. */
  async next(): Promise<Uint8Array | undefined> {
    for (;;) {
      const frame = this.ready.shift();
      if (frame) {
        if (this.held && this.ready.length < this.window) {
          this.held = false;
          this.stream?.resume();
        }
        return frame;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

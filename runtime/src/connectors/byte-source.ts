// Where the FileStream source reads its bytes from: a file (read at explicit
// positions, so the offset alone says where to resume and no seek state can
// drift) or a stream such as stdin (no positions: it cannot be resumed).
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ReadInto } from './line-reader.js';

export interface ByteSource {
  /** Reads what is available now into the target; 0 means nothing yet (or end of stream). */
  readonly read: ReadInto;
  close(): Promise<void>;
}

export class FileByteSource implements ByteSource {
  private constructor(private readonly handle: FileHandle) {}

  /** Opens `path` for reading; rejects with the fs error (ENOENT when missing). */
  static async open(path: string): Promise<FileByteSource> {
    return new FileByteSource(await open(path, 'r'));
  }

  // Reading at an explicit position means a file that grows is simply read
  // further on the next call: a read at the end returns 0 until more is
  // appended, and the handle stays open across polls.
  readonly read: ReadInto = async (target, offset, length, position) =>
    length === 0 ? 0 : (await this.handle.read(target, offset, length, position)).bytesRead;

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * Reads a Readable in paused mode: read() takes whatever the stream has
 * buffered without waiting, which suits a poll loop that waits on its own.
 * The stream is not closed by close() because it is not ours (stdin).
 */
export class StreamByteSource implements ByteSource {
  private leftover: Buffer | null = null;
  private error: Error | null = null;
  private readonly onReadable = (): void => {};
  private readonly onError = (err: Error): void => {
    this.error = err;
  };

  constructor(private readonly stream: Readable) {
    // A 'readable' listener is what makes a paused stream start reading.
    stream.on('readable', this.onReadable);
    stream.on('error', this.onError);
  }

  readonly read: ReadInto = async (target, offset, length) => {
    if (this.error) throw this.error;
    let chunk = this.leftover ?? (this.stream.read() as Buffer | string | null);
    this.leftover = null;
    if (chunk === null || length === 0) {
      this.leftover = chunk === null ? null : toBuffer(chunk);
      return 0;
    }
    chunk = toBuffer(chunk);
    const n = chunk.copy(target, offset, 0, Math.min(length, chunk.length));
    if (n < chunk.length) this.leftover = chunk.subarray(n);
    return n;
  };

  async close(): Promise<void> {
    this.stream.off('readable', this.onReadable);
    this.stream.off('error', this.onError);
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

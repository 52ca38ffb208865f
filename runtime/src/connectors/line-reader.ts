// Splits a byte stream into lines while tracking the exact byte position after
// each line, which is what the FileStream source stores as its offset.
//
// Kafka's FileStreamSourceTask works on a char buffer and counts chars, so its
// offsets drift on multi-byte UTF-8; here every position is a byte count, and
// a line is only decoded once it is complete, so a multi-byte character split
// across two reads is never decoded in halves.

const LF = 0x0a;
const CR = 0x0d;

/** No terminator of that kind in the bytes read so far. */
const NONE = -1;
/** Not searched since the last fill. */
const UNKNOWN = -2;

/** Reads up to `length` bytes into `target` at `offset`; `position` is the stream position of the first byte. */
export type ReadInto = (target: Buffer, offset: number, length: number, position: number) => Promise<number>;

export const DEFAULT_READ_SIZE = 256 * 1024;

export class LineReader {
  private buf: Buffer;
  /** The stream position of buf[0]. */
  private base: number;
  /** First byte not yet returned as part of a line. */
  private start = 0;
  /** One past the last byte read. */
  private end = 0;
  /** `buf` cut at `end`, so that indexOf never sees stale bytes beyond it. */
  private data: Buffer;
  // The next LF and CR at or after `start`, cached: searching for the CR on
  // every line would rescan the whole chunk each time when there is none.
  private nextLf = UNKNOWN;
  private nextCr = UNKNOWN;

  /**
   * @param position the stream position of the first byte that will be read
   * @param readSize how many bytes one fill() asks for, at least
   */
  constructor(
    position = 0,
    private readonly readSize = DEFAULT_READ_SIZE,
  ) {
    this.base = position;
    this.buf = Buffer.allocUnsafe(Math.max(1, readSize));
    this.data = this.buf.subarray(0, 0);
  }

  /** The stream position right after the last line returned (or the start position). */
  get position(): number {
    return this.base + this.start;
  }

  /** The stream position of the next byte to read. */
  get readPosition(): number {
    return this.base + this.end;
  }

  /** Bytes read but not yet returned as a line (a partial line, or a lone trailing CR). */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /**
   * Reads once more from the stream, after the bytes already held. Returns
   * how many bytes were read; 0 means nothing is available now.
   */
  async fill(read: ReadInto): Promise<number> {
    this.makeRoom();
    const n = await read(this.buf, this.end, this.buf.length - this.end, this.base + this.end);
    if (n > 0) {
      this.end += n;
      this.data = this.buf.subarray(0, this.end);
      // A cached NONE only covered the old bytes; the new ones may hold terminators.
      if (this.nextLf === NONE) this.nextLf = UNKNOWN;
      if (this.nextCr === NONE) this.nextCr = UNKNOWN;
    }
    return n;
  }

  /** Appends bytes directly (used by tests and by callers that already hold a chunk). */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.makeRoom();
      const n = chunk.copy(this.buf, this.end, offset);
      offset += n;
      this.end += n;
    }
    this.data = this.buf.subarray(0, this.end);
    if (this.nextLf === NONE) this.nextLf = UNKNOWN;
    if (this.nextCr === NONE) this.nextCr = UNKNOWN;
  }

  /**
   * The next complete line without its terminator, or null when the bytes
   * held end in a partial line. A line ends at LF, CR or CRLF; a CR that is
   * the last byte held is not taken as a terminator yet, because an LF may
   * follow in the next read and the pair must count as one terminator (else
   * the offset would point between them and a restart would see an extra
   * empty line). Like Kafka, a final line without a terminator is never
   * returned: the file may still be being written.
   */
  nextLine(): string | null {
    const start = this.start;
    if (start === this.end) return null;
    let lf = this.nextLf;
    if (lf === UNKNOWN || (lf !== NONE && lf < start)) lf = this.nextLf = this.data.indexOf(LF, start);
    let cr = this.nextCr;
    if (cr === UNKNOWN || (cr !== NONE && cr < start)) cr = this.nextCr = this.data.indexOf(CR, start);

    let until: number;
    let next: number;
    if (cr !== NONE && (lf === NONE || cr < lf)) {
      if (cr + 1 >= this.end) return null;
      until = cr;
      next = cr + 1 === lf ? cr + 2 : cr + 1;
    } else if (lf !== NONE) {
      until = lf;
      next = lf + 1;
    } else {
      return null;
    }
    this.start = next;
    return this.buf.toString('utf8', start, until);
  }

  /**
   * Makes space after `end`: moves the unreturned bytes (usually less than
   * one line) to the front, and grows the buffer only when a single long
   * line fills most of it, as Kafka does, so memory stays bounded by the
   * longest line.
   */
  private makeRoom(): void {
    if (this.end < this.buf.length && this.buf.length - this.end >= this.readSize / 2) return;
    const pending = this.end - this.start;
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.base += this.start;
      if (this.nextLf >= 0) this.nextLf -= this.start;
      if (this.nextCr >= 0) this.nextCr -= this.start;
      this.start = 0;
      this.end = pending;
    }
    if (this.buf.length - this.end < this.readSize / 2) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + this.readSize));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    this.data = this.buf.subarray(0, this.end);
  }
}

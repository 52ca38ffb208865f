// Kafka's primitive wire types (big-endian), as Kafka's own
// org.apache.kafka.common.protocol.types.Type writes them: the Connect group
// protocol's member metadata and assignments are built from these, and the
// Java workers read them byte for byte.
import { SchemaError } from '../errors.js';

/** Appends Kafka primitives to a growing list of chunks; `toBuffer()` joins them. */
export class WireWriter {
  private readonly chunks: Buffer[] = [];

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.push(b);
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.push(b);
  }

  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    return this.push(b);
  }

  /** STRING: int16 byte length, then UTF-8. Kafka's STRING is not nullable. */
  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 0x7fff) throw new SchemaError(`string longer than 32767 bytes (${bytes.length})`);
    return this.int16(bytes.length).push(bytes);
  }

  /** NULLABLE_BYTES: int32 length (-1 for null), then the bytes. */
  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).push(value);
  }

  /** ARRAY (nullable or not): int32 count (-1 for null), then each element. */
  array<T>(items: readonly T[] | null, each: (item: T, w: this) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(item, this);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
}

/** Reads Kafka primitives from a buffer, failing with SchemaError on truncation. */
export class WireReader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  /** Kafka's "tolerate missing fields with defaults" schemas check exactly this. */
  hasRemaining(): boolean {
    return this.offset < this.buf.length;
  }

  int16(): number {
    return this.take(2).readInt16BE();
  }

  int32(): number {
    return this.take(4).readInt32BE();
  }

  int64(): bigint {
    return this.take(8).readBigInt64BE();
  }

  string(): string {
    const length = this.int16();
    if (length < 0) throw new SchemaError('null value for a non-nullable string');
    return this.take(length).toString('utf8');
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    return Buffer.from(this.take(length));
  }

  nullableArray<T>(each: (r: this) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    // Each element takes at least one byte: a bogus count must not allocate.
    if (count > this.buf.length - this.offset)
      throw new SchemaError(`array count ${count} exceeds the remaining bytes`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(each(this));
    return out;
  }

  array<T>(each: (r: this) => T): T[] {
    const items = this.nullableArray(each);
    if (items === null) throw new SchemaError('null value for a non-nullable array');
    return items;
  }

  private take(n: number): Buffer {
    if (this.offset + n > this.buf.length)
      throw new SchemaError(`buffer underflow: need ${n} bytes at offset ${this.offset} of ${this.buf.length}`);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

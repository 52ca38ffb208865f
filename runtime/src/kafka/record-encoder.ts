// A faster kafkajs 2.2.4 record encoder (src/protocol/recordBatch/record/v0/
// index.js), same bytes. kafkajs builds every record in a new zero-filled
// 512-byte Encoder that is re-allocated (zero-filled again, and copied) when
// the value is bigger, one more Encoder per header, and a Buffer per varint:
// ~15% of a source worker's CPU and much of its garbage at 20k records/s.
// Here a record's size is computed first and it is written into one buffer of
// exactly that size. A record kafkajs's producer never makes (a Long
// timestamp delta, or one beyond 2^52) goes to kafkajs's own encoder.
// Installed by client.ts before kafkajs loads.
type Bytes = Buffer | string | null | undefined;

/** A record as kafkajs's produce request hands it to the encoder. */
export interface RecordFields {
  offsetDelta?: number;
  timestampDelta?: unknown;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}

/** What kafkajs's batch encoder reads of an encoded record (an Encoder: `buf`, `offset`, `buffer`, `size()`). */
interface EncoderLike {
  buf: Buffer;
  offset: number;
}

export type RecordEncoder = (record: RecordFields) => EncoderLike;

const SAFE_VARLONG = 2 ** 52;

/** Bytes of an unsigned LEB128 varint of 0 <= u < 2^53. */
function sizeOfUnsigned(u: number): number {
  let size = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

/** Kafka's zigzag of a 32-bit signed int, as an unsigned number. */
const zigzag32 = (v: number): number => ((v << 1) ^ (v >> 31)) >>> 0;

/** Kafka's zigzag of a 64-bit signed int whose magnitude is below 2^52 (exact in a double). */
const zigzag64 = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

function writeUnsigned(buf: Buffer, pos: number, u: number): number {
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

/** A key, value or header value as bytes (kafkajs writes a non-Buffer as String(value) in UTF-8). */
function toBytes(value: Bytes): Buffer | null {
  if (value == null) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
}

/** Size of kafkajs's writeVarIntBytes: a zigzag length (-1 for null), then the bytes. */
const sizeOfVarIntBytes = (b: Buffer | null): number =>
  b === null ? 1 : sizeOfUnsigned(zigzag32(b.length)) + b.length;

function writeVarIntBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeUnsigned(buf, pos, zigzag32(-1));
  pos = writeUnsigned(buf, pos, zigzag32(b.length));
  b.copy(buf, pos);
  return pos + b.length;
}

/**
 * The encoder to install. `fallback` is kafkajs's own, for what this one
 * does not take; `encoderPrototype` is kafkajs's Encoder's, so that the result
 * is an Encoder to kafkajs (`size()`, `buffer`) without its allocation.
 */
export function createRecordEncoder(fallback: RecordEncoder, encoderPrototype: object): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, headers = {} } = record;
    if (
      typeof timestampDelta !== 'number' ||
      !(Math.abs(timestampDelta) < SAFE_VARLONG) ||
      !Number.isInteger(timestampDelta)
    )
      return fallback(record);
    const key = toBytes(record.key);
    const value = toBytes(record.value);
    // Headers in kafkajs's order: by key, an array value as one header per item.
    const headerKeys: Buffer[] = [];
    const headerValues: Array<Buffer | null> = [];
    for (const name of Object.keys(headers)) {
      const v = headers[name];
      const nameBytes = Buffer.from(name, 'utf8');
      for (const item of Array.isArray(v) ? v : [v]) {
        headerKeys.push(nameBytes);
        headerValues.push(toBytes(item));
      }
    }
    let headersSize = sizeOfUnsigned(zigzag32(headerKeys.length));
    for (let i = 0; i < headerKeys.length; i++)
      headersSize += sizeOfVarIntBytes(headerKeys[i]!) + sizeOfVarIntBytes(headerValues[i]!);
    const body =
      1 + // attributes
      sizeOfUnsigned(zigzag64(timestampDelta)) +
      sizeOfUnsigned(zigzag32(offsetDelta)) +
      sizeOfVarIntBytes(key) +
      sizeOfVarIntBytes(value) +
      headersSize;
    const buf = Buffer.allocUnsafe(sizeOfUnsigned(zigzag32(body)) + body);
    let pos = writeUnsigned(buf, 0, zigzag32(body));
    buf[pos++] = 0; // attributes: none are used in a record
    pos = writeUnsigned(buf, pos, zigzag64(timestampDelta));
    pos = writeUnsigned(buf, pos, zigzag32(offsetDelta));
    pos = writeVarIntBytes(buf, pos, key);
    pos = writeVarIntBytes(buf, pos, value);
    pos = writeUnsigned(buf, pos, zigzag32(headerKeys.length));
    for (let i = 0; i < headerKeys.length; i++) {
      pos = writeVarIntBytes(buf, pos, headerKeys[i]!);
      pos = writeVarIntBytes(buf, pos, headerValues[i]!);
    }
    const encoder = Object.create(encoderPrototype) as EncoderLike;
    encoder.buf = buf;
    encoder.offset = pos;
    return encoder;
  };
}

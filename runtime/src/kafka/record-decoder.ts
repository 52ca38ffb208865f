// A faster kafkajs 2.2.4 record decoder (src/protocol/recordBatch/record/v0/
// decoder.js), same output. kafkajs computes every record's timestamp and
// offset as Long.fromValue(<batch base as a decimal string>).add(delta)
// .toString(), and reads the timestamp delta as a Long built byte by byte:
// three string-to-Long parses and a dozen Long objects per record, ~10% of
// a sink task's CPU and much of its garbage. Here the batch bases are parsed
// once per batch and the arithmetic is done on plain numbers whenever it is
// exact (below 2^53, i.e. always in practice); otherwise kafkajs's Long path
// runs as before. Installed by client.ts before kafkajs loads.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface KafkaJsLong {
  add(other: unknown): KafkaJsLong;
  toString(): string;
}
interface LongClass {
  fromValue(v: unknown): KafkaJsLong;
}
interface Decoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): KafkaJsLong;
  readVarIntBytes(): Buffer | null;
  readVarIntArray<T>(reader: (d: Decoder) => T): T[];
}
interface BatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}

const LOG_APPEND_TIME = 1;

/** The batch bases as numbers, parsed once per batch (the context object is shared by the batch's records). */
const bases = new WeakMap<object, { offset: number; timestamp: number }>();

function baseOf(context: BatchContext): { offset: number; timestamp: number } {
  let b = bases.get(context);
  if (!b) {
    b = { offset: Number(context.firstOffset), timestamp: Number(context.firstTimestamp) };
    bases.set(context, b);
  }
  return b;
}

/** A zigzag varlong as a number, or undefined (offset unchanged) when it needs more than 49 bits. */
function readSmallVarLong(decoder: Decoder): number | undefined {
  const buf = decoder.buffer;
  let pos = decoder.offset;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const byte = buf[pos++]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      decoder.offset = pos;
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    scale *= 128;
  }
  return undefined;
}

/** `base + delta` as kafkajs writes it, exact or through Long. */
function sum(baseNumber: number, baseText: string | undefined, delta: number | KafkaJsLong, Long: LongClass): string {
  if (typeof delta === 'number') {
    const n = baseNumber + delta;
    if (Number.isSafeInteger(baseNumber) && Number.isSafeInteger(n)) return String(n);
  }
  return Long.fromValue(baseText).add(delta).toString();
}

export function createRecordDecoder(): (decoder: Decoder, batchContext?: BatchContext) => unknown {
  const Long = require('kafkajs/src/utils/long.js') as LongClass;
  const HeaderDecoder = require('kafkajs/src/protocol/recordBatch/header/v0/decoder.js') as (d: Decoder) => {
    key: string;
    value: Buffer | null;
  };
  return (decoder, batchContext = {}) => {
    const {
      firstOffset,
      firstTimestamp,
      magicByte,
      isControlBatch = false,
      timestampType,
      maxTimestamp,
    } = batchContext;
    const base = baseOf(batchContext);
    const attributes = decoder.readInt8();
    const timestampDelta = readSmallVarLong(decoder) ?? decoder.readVarLong();
    const timestamp =
      timestampType === LOG_APPEND_TIME && maxTimestamp
        ? maxTimestamp
        : sum(base.timestamp, firstTimestamp, timestampDelta, Long);
    const offsetDelta = decoder.readVarInt();
    const offset = sum(base.offset, firstOffset, offsetDelta, Long);
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
    for (const { key: k, value: v } of decoder.readVarIntArray(HeaderDecoder)) {
      const had = headers[k];
      headers[k] = had === undefined ? v : Array.isArray(had) ? had.concat([v]) : [had, v];
    }
    return {
      magicByte,
      attributes,
      timestamp,
      offset,
      key,
      value,
      headers,
      isControlRecord: isControlBatch,
      batchContext,
    };
  };
}

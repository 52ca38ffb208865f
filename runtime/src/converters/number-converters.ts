// Kafka's NumberConverter family (org.apache.kafka.connect.converters.*):
// fixed-width big-endian values as Kafka's Short/Integer/Long/Float/Double
// serializers write them, plus BooleanConverter's single byte.
import { ConfigDef, DataError, Schemas, type Schema, type SchemaAndValue } from '../sdk/index.js';
import { converterConfigDef } from './converter-config.js';
import { describe } from './logical-types.js';
import { RecordAndHeaderConverter } from './record-and-header-converter.js';

interface Codec {
  /** Kafka's type name in messages, e.g. "integer". */
  readonly typeName: string;
  readonly deserializer: string;
  readonly size: number;
  readonly schema: Schema;
  /** Writes `value` or returns false when it is not of this type. */
  write(value: unknown): Buffer | false;
  read(bytes: Buffer): unknown;
}

function intCodec(typeName: string, deserializer: string, size: 2 | 4, schema: Schema): Codec {
  const max = 2 ** (size * 8 - 1);
  return {
    typeName,
    deserializer,
    size,
    schema,
    write(value) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -max || value >= max) return false;
      const out = Buffer.allocUnsafe(size);
      if (size === 2) out.writeInt16BE(value);
      else out.writeInt32BE(value);
      return out;
    },
    read: (b) => (size === 2 ? b.readInt16BE(0) : b.readInt32BE(0)),
  };
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const LONG: Codec = {
  typeName: 'long',
  deserializer: 'LongDeserializer',
  size: 8,
  schema: Schemas.OPTIONAL_INT64,
  write(value) {
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value);
    else return false;
    if (BigInt.asIntN(64, v) !== v) return false;
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(v);
    return out;
  },
  read(b) {
    const v = b.readBigInt64BE(0);
    return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
  },
};

function floatCodec(typeName: string, deserializer: string, size: 4 | 8, schema: Schema): Codec {
  return {
    typeName,
    deserializer,
    size,
    schema,
    write(value) {
      if (typeof value !== 'number') return false;
      const out = Buffer.allocUnsafe(size);
      if (size === 4) out.writeFloatBE(value);
      else out.writeDoubleBE(value);
      return out;
    },
    read: (b) => (size === 4 ? b.readFloatBE(0) : b.readDoubleBE(0)),
  };
}

const BOOLEAN: Codec = {
  typeName: 'boolean',
  deserializer: 'BooleanDeserializer',
  size: 1,
  schema: Schemas.OPTIONAL_BOOLEAN,
  write: (value) => (typeof value === 'boolean' ? Buffer.from([value ? 1 : 0]) : false),
  read(b) {
    if (b[0] === 0) return false;
    if (b[0] === 1) return true;
    throw new DataError(`Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: ${b[0]}`);
  },
};

abstract class FixedWidthConverter extends RecordAndHeaderConverter {
  protected abstract readonly codec: Codec;

  config(): ConfigDef {
    return converterConfigDef();
  }

  configure(): void {}

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (this.codec === BOOLEAN && schema && schema.type !== 'boolean')
      throw new DataError(`Invalid schema type for BooleanConverter: ${schema.type.toUpperCase()}`);
    if (value === null || value === undefined) return null;
    const out = this.codec.write(value);
    if (out === false) throw new DataError(`Failed to serialize to ${this.codec.typeName} (was ${describe(value)})`);
    return out;
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    if (value === null || value === undefined) return { schema: this.codec.schema, value: null };
    if (value.length !== this.codec.size)
      throw new DataError(
        `Failed to deserialize ${this.codec.typeName}: Size of data received by ${this.codec.deserializer} is not ${this.codec.size}`,
      );
    return { schema: this.codec.schema, value: this.codec.read(value) };
  }
}

export class ShortConverter extends FixedWidthConverter {
  protected readonly codec = intCodec('short', 'ShortDeserializer', 2, Schemas.OPTIONAL_INT16);
}

export class IntegerConverter extends FixedWidthConverter {
  protected readonly codec = intCodec('integer', 'IntegerDeserializer', 4, Schemas.OPTIONAL_INT32);
}

export class LongConverter extends FixedWidthConverter {
  protected readonly codec = LONG;
}

export class FloatConverter extends FixedWidthConverter {
  protected readonly codec = floatCodec('float', 'FloatDeserializer', 4, Schemas.OPTIONAL_FLOAT32);
}

export class DoubleConverter extends FixedWidthConverter {
  protected readonly codec = floatCodec('double', 'DoubleDeserializer', 8, Schemas.OPTIONAL_FLOAT64);
}

export class BooleanConverter extends FixedWidthConverter {
  protected readonly codec = BOOLEAN;
}

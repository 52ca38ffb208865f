// org.apache.kafka.connect.converters.ByteArrayConverter: bytes pass through.
import { ConfigDef, DataError, Schemas, type Schema, type SchemaAndValue } from '../sdk/index.js';
import { converterConfigDef } from './converter-config.js';
import { describe } from './logical-types.js';
import { RecordAndHeaderConverter } from './record-and-header-converter.js';

export class ByteArrayConverter extends RecordAndHeaderConverter {
  config(): ConfigDef {
    return converterConfigDef();
  }

  configure(): void {}

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (schema && schema.type !== 'bytes')
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type.toUpperCase()}`);
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw new DataError(`ByteArrayConverter is not compatible with objects of type ${describe(value)}`);
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_BYTES, value: value ?? null };
  }
}

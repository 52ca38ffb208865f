// Apache's built-in converters (String, ByteArray, Json, the number converters) are header converters
// too: a header is converted exactly as a record's value is. This base class says that once.
import type { Converter, HeaderConverter, Header, Schema, SchemaAndValue } from '../sdk/index.js';

export abstract class RecordAndHeaderConverter implements Converter, HeaderConverter {
  abstract configure(props: Record<string, string>, isKey?: boolean): void;

  abstract fromConnectData(
    topic: string,
    schema: Schema | null | undefined,
    value: unknown,
    headers?: readonly Header[],
  ): Buffer | null;

  abstract toConnectData(topic: string, value: Buffer | null, headers?: readonly Header[]): SchemaAndValue;

  fromConnectHeader(
    topic: string,
    _headerKey: string,
    schema: Schema | null | undefined,
    value: unknown,
  ): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }
}

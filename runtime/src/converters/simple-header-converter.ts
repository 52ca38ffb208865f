// org.apache.kafka.connect.storage.SimpleHeaderConverter, the default header
// converter: values travel as UTF-8 text and are re-typed by parsing.
import { ConfigDef, Schemas, type HeaderConverter, type Schema, type SchemaAndValue } from '../sdk/index.js';
import { convertToString, parseString } from './values.js';

const NULL: SchemaAndValue = Object.freeze({ schema: null, value: null });

export class SimpleHeaderConverter implements HeaderConverter {
  config(): ConfigDef {
    return new ConfigDef();
  }

  configure(): void {}

  fromConnectHeader(
    _topic: string,
    _headerKey: string,
    schema: Schema | null | undefined,
    value: unknown,
  ): Buffer | null {
    const text = convertToString(schema, value);
    return text === null ? null : Buffer.from(text, 'utf8');
  }

  toConnectHeader(_topic: string, _headerKey: string, value: Buffer | null): SchemaAndValue {
    if (value === null || value === undefined) return NULL;
    if (value.length === 0) return { schema: Schemas.STRING, value: '' };
    const text = value.toString('utf8');
    try {
      return parseString(text);
    } catch {
      // Kafka logs and falls back to the raw string.
      return { schema: Schemas.STRING, value: text };
    }
  }
}

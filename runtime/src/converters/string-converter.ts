// org.apache.kafka.connect.storage.StringConverter: values are written as
// their string form; everything read is an optional string.
import { ConfigDef, Schemas, type Schema, type SchemaAndValue } from '../sdk/index.js';
import { charsetFor, UTF8, type Charset } from './charset.js';
import { ENCODING_CONFIG, TYPE_CONFIG, converterConfigDef, withType } from './converter-config.js';
import { javaToString } from './java-to-string.js';
import { RecordAndHeaderConverter } from './record-and-header-converter.js';

export function stringConverterConfigDef(): ConfigDef {
  return converterConfigDef().define({
    name: ENCODING_CONFIG,
    type: 'STRING',
    defaultValue: 'UTF-8',
    importance: 'HIGH',
    documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
    group: 'Converter',
    orderInGroup: 1,
    width: 'MEDIUM',
    displayName: 'Character encoding',
  });
}

export class StringConverter extends RecordAndHeaderConverter {
  private charset: Charset = UTF8;

  config(): ConfigDef {
    return stringConverterConfigDef();
  }

  configure(props: Record<string, string>, isKey?: boolean): void {
    const full = isKey === undefined ? { [TYPE_CONFIG]: 'header', ...props } : withType(props, isKey);
    const parsed = stringConverterConfigDef().parse(full);
    this.charset = charsetFor(ENCODING_CONFIG, parsed[ENCODING_CONFIG] as string);
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return this.charset.encode(value);
    // Raw bytes are already a string form; Java would print "[B@hash" instead.
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return this.charset.encode(javaToString(value, schema ?? null));
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_STRING, value: value == null ? null : this.charset.decode(value) };
  }
}

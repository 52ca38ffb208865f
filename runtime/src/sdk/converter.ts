// Converters: between Kafka's bytes and Connect's schema + value.
import type { ConfigDef } from './config-def.js';
import type { Header } from './record.js';
import type { Schema } from './schema.js';

export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export interface Converter {
  configure(props: Record<string, string>, isKey: boolean): void;
  fromConnectData(
    topic: string,
    schema: Schema | null | undefined,
    value: unknown,
    headers?: readonly Header[],
  ): Buffer | null;
  toConnectData(topic: string, value: Buffer | null, headers?: readonly Header[]): SchemaAndValue;
  config?(): ConfigDef;
}

export interface HeaderConverter {
  configure(props: Record<string, string>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null | undefined, value: unknown): Buffer | null;
  toConnectHeader(topic: string, headerKey: string, value: Buffer | null): SchemaAndValue;
  config?(): ConfigDef;
}

export type ConverterClass = new () => Converter;
export type HeaderConverterClass = new () => HeaderConverter;

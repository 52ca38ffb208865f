// org.apache.kafka.connect.json.JsonConverter.
import { ConfigDef, DataError, Validators, type Schema, type SchemaAndValue } from '../sdk/index.js';
import { converterConfigDef, withType } from './converter-config.js';
import { parseJson, readJson } from './json-read.js';
import { JsonSchemaCodec } from './json-schema.js';
import { writeJson, type JsonWriteOptions } from './json-write.js';
import { LruCache } from './lru-cache.js';
import { RecordAndHeaderConverter } from './record-and-header-converter.js';

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_PREFIX = ',"payload":';
const NULL: SchemaAndValue = Object.freeze({ schema: null, value: null });

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

export function jsonConverterConfigDef(): ConfigDef {
  return converterConfigDef()
    .define({
      name: 'schemas.enable',
      type: 'BOOLEAN',
      defaultValue: true,
      importance: 'HIGH',
      documentation: 'Include schemas within each of the serialized values and keys.',
      group: 'Schemas',
      orderInGroup: 0,
      width: 'MEDIUM',
      displayName: 'Enable Schemas',
    })
    .define({
      name: 'schemas.cache.size',
      type: 'INT',
      defaultValue: 1000,
      importance: 'HIGH',
      documentation: 'The maximum number of schemas that can be cached in this converter instance.',
      group: 'Schemas',
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Schema Cache Size',
    })
    .define({
      name: 'decimal.format',
      type: 'STRING',
      defaultValue: 'BASE64',
      validator: Validators.oneOf('BASE64', 'NUMERIC'),
      importance: 'LOW',
      documentation:
        "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
      group: 'Serialization',
      orderInGroup: 0,
      width: 'MEDIUM',
      displayName: 'Decimal Format',
    })
    .define({
      name: 'replace.null.with.default',
      type: 'BOOLEAN',
      defaultValue: true,
      importance: 'LOW',
      documentation:
        'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
      group: 'Serialization',
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Replace null with default',
    });
}

export class JsonConverter extends RecordAndHeaderConverter {
  private schemasEnabled = true;
  private opts: JsonWriteOptions = { decimalNumeric: false, replaceNullWithDefault: true };
  private codec = new JsonSchemaCodec(1000, this.opts);
  private schemasByText = new LruCache<string, Schema | null>(1000);
  private lastSchemaText: string | undefined;
  private lastSchema: Schema | null = null;
  private lastWrittenSchema: Schema | null | undefined;
  private lastWrittenPrefix: string | undefined;

  config(): ConfigDef {
    return jsonConverterConfigDef();
  }

  configure(props: Record<string, string>, isKey?: boolean): void {
    const parsed = jsonConverterConfigDef().parse(isKey === undefined ? props : withType(props, isKey));
    this.schemasEnabled = parsed['schemas.enable'] as boolean;
    this.opts = {
      decimalNumeric: String(parsed['decimal.format']).toUpperCase() === 'NUMERIC',
      replaceNullWithDefault: parsed['replace.null.with.default'] as boolean,
    };
    this.codec = new JsonSchemaCodec(parsed['schemas.cache.size'] as number, this.opts);
    this.schemasByText = new LruCache(parsed['schemas.cache.size'] as number);
    this.lastSchemaText = undefined;
    this.lastWrittenPrefix = undefined;
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (value == null) {
      if (!schema) return null;
      // Without an envelope a null stays a tombstone unless a default stands in for it.
      if (!this.schemasEnabled && !(schema.defaultValue != null && this.opts.replaceNullWithDefault)) return null;
    }
    const payload = writeJson(schema, value, this.opts);
    if (!this.schemasEnabled) return Buffer.from(payload, 'utf8');
    if (schema !== this.lastWrittenSchema || this.lastWrittenPrefix === undefined) {
      this.lastWrittenSchema = schema;
      this.lastWrittenPrefix = SCHEMA_PREFIX + this.codec.toJson(schema) + PAYLOAD_PREFIX;
    }
    const text = this.lastWrittenPrefix + payload + '}';
    return Buffer.from(text, 'utf8');
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    if (value === null || value === undefined) return NULL;
    // Jackson reads no bytes as a missing node: null without an envelope, an envelope error with one.
    if (value.length === 0) {
      if (this.schemasEnabled) throw new DataError(ENVELOPE_ERROR);
      return NULL;
    }
    const text = value.toString('utf8');
    if (this.schemasEnabled) {
      try {
        const fast = this.readCompactEnvelope(text);
        if (fast) return fast;
      } catch {
        // The general path below re-reads the text and reports Kafka's error for it.
      }
    }
    const json = parse(text, this.schemasEnabled);
    if (!this.schemasEnabled) return { schema: null, value: json };
    if (!isEnvelope(json)) throw new DataError(ENVELOPE_ERROR);
    const schema = this.codec.toConnect(json.schema);
    return { schema, value: readJson(schema, json.payload, this.opts.replaceNullWithDefault) };
  }

  /**
   * Envelopes as Kafka writes them ({"schema":...,"payload":...}, no
   * whitespace) are split without parsing the schema: its text is the cache
   * key, so a known schema costs a string comparison instead of a parse. A
   * wrong split (',"payload":' inside the schema) cannot parse as a whole
   * object, so it never reaches the cache and the caller falls back.
   */
  private readCompactEnvelope(text: string): SchemaAndValue | undefined {
    if (!text.startsWith(SCHEMA_PREFIX) || text.charCodeAt(text.length - 1) !== 125 /* } */) return undefined;
    const end = text.indexOf(PAYLOAD_PREFIX, SCHEMA_PREFIX.length);
    if (end < 0) return undefined;
    const schemaText = text.slice(SCHEMA_PREFIX.length, end);
    let schema: Schema | null | undefined;
    // Consecutive records mostly share a schema; equal strings compare faster than they hash.
    if (schemaText === this.lastSchemaText) schema = this.lastSchema;
    else {
      schema = this.schemasByText.get(schemaText);
      if (schema === undefined) {
        schema = this.codec.toConnect(parse(schemaText, true));
        this.schemasByText.set(schemaText, schema);
      }
      this.lastSchemaText = schemaText;
      this.lastSchema = schema;
    }
    const payload = parse(text.slice(end + PAYLOAD_PREFIX.length, -1), true);
    return { schema, value: readJson(schema, payload, this.opts.replaceNullWithDefault) };
  }
}

function parse(text: string, keepRaw: boolean): unknown {
  try {
    return parseJson(text, keepRaw);
  } catch (err) {
    throw new DataError(
      `Converting byte[] to Kafka Connect data failed due to serialization error: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function isEnvelope(json: unknown): json is { schema: unknown; payload: unknown } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  let count = 0;
  for (const key in json) {
    if (key !== 'schema' && key !== 'payload') return false;
    count++;
  }
  return count === 2;
}

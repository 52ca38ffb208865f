// Connect data -> JSON text, byte for byte what Kafka's JsonConverter (via
// Jackson) writes. Text is built directly rather than through an
// intermediate tree: this runs for every record.
import { DataError, type Schema } from '../sdk/index.js';
import { jacksonText, javaDouble, javaFloat, quote } from './java-text.js';
import {
  DATE,
  DECIMAL,
  TIME,
  TIMESTAMP,
  dateToDays,
  describe,
  javaDecimal,
  schemaScale,
  timeToMillis,
  timestampToMillis,
  toUnscaled,
  unscaledToBytes,
} from './logical-types.js';

export interface JsonWriteOptions {
  readonly decimalNumeric: boolean;
  readonly replaceNullWithDefault: boolean;
}

const fieldPrefixes = new WeakMap<Schema, string[]>();

/** JSON text for `value`, validated against `schema` (inferred from the value when there is none). */
export function writeJson(schema: Schema | null | undefined, value: unknown, opts: JsonWriteOptions): string {
  if (value === null || value === undefined) {
    if (!schema) return 'null';
    if (schema.defaultValue != null && opts.replaceNullWithDefault) return writeJson(schema, schema.defaultValue, opts);
    if (schema.optional) return 'null';
    throw new DataError('Conversion error: null value for field that is required and has no default value');
  }
  if (!schema) return writeSchemaless(value);
  if (schema.name !== undefined) {
    const logical = writeLogical(schema, value, opts);
    if (logical !== undefined) return logical;
  }
  switch (schema.type) {
    case 'int8':
      return writeInt(value, -128, 127, 'INT8');
    case 'int16':
      return writeInt(value, -32768, 32767, 'INT16');
    case 'int32':
      return writeInt(value, -2147483648, 2147483647, 'INT32');
    case 'int64':
      if (typeof value === 'bigint') {
        if (BigInt.asIntN(64, value) !== value) throw invalid('INT64', value);
        return value.toString();
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('INT64', value);
      return String(value);
    case 'float32':
      if (typeof value !== 'number') throw invalid('FLOAT32', value);
      return Number.isFinite(value) ? javaFloat(value) : `"${javaDouble(value)}"`;
    case 'float64':
      if (typeof value !== 'number') throw invalid('FLOAT64', value);
      // Jackson quotes non-finite numbers (QUOTE_NON_NUMERIC_NUMBERS).
      return Number.isFinite(value) ? javaDouble(value) : `"${javaDouble(value)}"`;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid('BOOLEAN', value);
      return value ? 'true' : 'false';
    case 'string':
      if (typeof value !== 'string') throw invalid('STRING', value);
      return quote(value);
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw new DataError(`Invalid type for bytes type: ${describe(value)}`);
      return `"${base64(value)}"`;
    case 'array': {
      if (!Array.isArray(value)) throw invalid('ARRAY', value);
      const elem = schema.valueSchema;
      let out = '[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out += ',';
        out += writeJson(elem, value[i], opts);
      }
      return out + ']';
    }
    case 'map':
      return writeMap(schema, value, opts);
    case 'struct':
      return writeStruct(schema, value, opts);
  }
}

function writeInt(value: unknown, min: number, max: number, type: string): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(type, value);
  return String(value);
}

function invalid(type: string, value: unknown): DataError {
  return new DataError(`Invalid type for ${type}: ${describe(value)}`);
}

function base64(bytes: Uint8Array): string {
  return Buffer.isBuffer(bytes)
    ? bytes.toString('base64')
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function writeLogical(schema: Schema, value: unknown, opts: JsonWriteOptions): string | undefined {
  switch (schema.name) {
    case DECIMAL: {
      const scale = schemaScale(schema);
      const unscaled = toUnscaled(value, scale);
      return opts.decimalNumeric ? javaDecimal(unscaled, scale) : `"${unscaledToBytes(unscaled).toString('base64')}"`;
    }
    case DATE:
      return String(dateToDays(value));
    case TIME:
      return String(timeToMillis(value));
    case TIMESTAMP:
      return String(timestampToMillis(value));
    default:
      return undefined;
  }
}

function writeMap(schema: Schema, value: unknown, opts: JsonWriteOptions): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array)
    throw invalid('MAP', value);
  const keySchema = schema.keySchema;
  const valueSchema = schema.valueSchema;
  const entries = value instanceof Map ? value.entries() : Object.entries(value);
  // String-keyed maps are JSON objects; any other key type becomes [[k, v], ...].
  if (keySchema?.type === 'string') {
    let out = '{';
    let first = true;
    for (const [k, v] of entries) {
      if (typeof k !== 'string') writeJson(keySchema, k, opts);
      out += (first ? '' : ',') + quote(String(k)) + ':' + writeJson(valueSchema, v, opts);
      first = false;
    }
    return out + '}';
  }
  let out = '[';
  let first = true;
  for (const [k, v] of entries) {
    out += (first ? '[' : ',[') + writeJson(keySchema, k, opts) + ',' + writeJson(valueSchema, v, opts) + ']';
    first = false;
  }
  return out + ']';
}

function writeStruct(schema: Schema, value: unknown, opts: JsonWriteOptions): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Map)
    throw invalid('STRUCT', value);
  const fields = schema.fields ?? [];
  let prefixes = fieldPrefixes.get(schema);
  if (!prefixes) {
    prefixes = fields.map((f, i) => (i === 0 ? '{' : ',') + quote(f.name) + ':');
    fieldPrefixes.set(schema, prefixes);
  }
  if (fields.length === 0) return '{}';
  const record = value as Record<string, unknown>;
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    out += prefixes[i]! + writeJson(field.schema, record[field.name], opts);
  }
  return out + '}';
}

/**
 * Schemaless: values made only of JSON-native types take the native
 * JSON.stringify path; Buffers, bigints, Maps, undefined and non-finite
 * numbers need the walker.
 */
export function writeSchemaless(value: unknown): string {
  if (isJsonNative(value)) {
    return jacksonText(JSON.stringify(value));
  }
  return walk(value);
}

function isJsonNative(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isJsonNative(v[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) {
        const e = (v as Record<string, unknown>)[k];
        if (e === undefined || !isJsonNative(e)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function walk(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'null';
    case 'string':
      return quote(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : `"${javaDouble(v)}"`;
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return `"${base64(v)}"`;
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + walk(v[i]);
        return out + ']';
      }
      if (v instanceof Map) return walkMap(v);
      if (v instanceof Date) throw new DataError('Class Date does not have corresponding schema type.');
      let out = '{';
      let first = true;
      for (const k of Object.keys(v)) {
        out += (first ? '' : ',') + quote(k) + ':' + walk((v as Record<string, unknown>)[k]);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new DataError(`Class ${typeof v} does not have corresponding schema type.`);
  }
}

function walkMap(map: Map<unknown, unknown>): string {
  let stringKeys = true;
  for (const k of map.keys())
    if (typeof k !== 'string') {
      stringKeys = false;
      break;
    }
  let out = stringKeys ? '{' : '[';
  let first = true;
  for (const [k, v] of map) {
    if (!first) out += ',';
    out += stringKeys ? quote(k as string) + ':' + walk(v) : '[' + walk(k) + ',' + walk(v) + ']';
    first = false;
  }
  return out + (stringKeys ? '}' : ']');
}

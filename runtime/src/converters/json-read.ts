// Parsed JSON -> Connect data, mirroring JsonConverter.convertToConnect.
// Parsed arrays and objects are ours alone, so they are converted in place
// instead of copied.
import { DataError, type Schema } from '../sdk/index.js';
import {
  DATE,
  DECIMAL,
  TIME,
  TIMESTAMP,
  bytesToUnscaled,
  daysToDate,
  describe,
  parseDecimal,
  plainDecimal,
  schemaScale,
  toUnscaled,
} from './logical-types.js';

/** A JSON number kept as source text because a JS number would lose digits. */
export class RawNumber {
  constructor(readonly source: string) {}
}

const BIG_NUMBER = /\d[\d.eE+-]{15}/;
const MAX_SAFE_DIGITS = 15;
// Set by the last parseJson: lets schemaless reads skip the normalizing walk.
let rawSeen = false;

/**
 * JSON.parse that keeps precision: integers beyond 2^53 become bigints and,
 * with `keepRaw`, long non-integers become RawNumbers. The reviver (slow) only
 * runs when the text holds a long enough run of digits.
 */
export function parseJson(text: string, keepRaw: boolean): unknown {
  rawSeen = false;
  if (!BIG_NUMBER.test(text)) return JSON.parse(text);
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value !== 'number' || context?.source === undefined) return value;
    const source = context.source;
    if (Number.isSafeInteger(value) || significantDigits(source) <= MAX_SAFE_DIGITS) return value;
    if (/^-?\d+$/.test(source)) return BigInt(source);
    if (!keepRaw) return value;
    rawSeen = true;
    return new RawNumber(source);
  } as (key: string, value: unknown) => unknown);
}

function significantDigits(source: string): number {
  const mantissa = source.split(/[eE]/)[0]!.replace(/[-.]/g, '').replace(/^0+/, '');
  return mantissa.length;
}

/** Replaces RawNumbers left in schemaless data by plain numbers. */
function normalizeSchemaless(v: unknown): unknown {
  if (v instanceof RawNumber) return Number(v.source);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = normalizeSchemaless(o[k]);
  }
  return v;
}

export function readJson(schema: Schema | null, json: unknown, replaceNullWithDefault: boolean): unknown {
  if (!schema) return rawSeen ? normalizeSchemaless(json) : json;
  if (json === null || json === undefined) {
    if (schema.defaultValue != null && replaceNullWithDefault) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataError(`Invalid null value for required ${schema.type.toUpperCase()} field`);
  }
  if (schema.name !== undefined) {
    const logical = readLogical(schema, json);
    if (logical !== undefined) return logical;
  }
  switch (schema.type) {
    case 'boolean':
      if (typeof json !== 'boolean') throw mismatch(schema, json);
      return json;
    case 'int8':
      return (toInteger(schema, json) << 24) >> 24;
    case 'int16':
      return (toInteger(schema, json) << 16) >> 16;
    case 'int32':
      return toInteger(schema, json) | 0;
    case 'int64':
      return toLong(schema, json);
    case 'float32':
    case 'float64':
      return toDouble(schema, json);
    case 'string':
      if (typeof json !== 'string') throw mismatch(schema, json);
      return json;
    case 'bytes':
      if (typeof json !== 'string') throw new DataError('Invalid bytes field');
      return Buffer.from(json, 'base64');
    case 'array': {
      if (!Array.isArray(json)) throw mismatch(schema, json);
      const elem = schema.valueSchema ?? null;
      for (let i = 0; i < json.length; i++) json[i] = readJson(elem, json[i], replaceNullWithDefault);
      return json;
    }
    case 'map':
      return readMap(schema, json, replaceNullWithDefault);
    case 'struct': {
      if (typeof json !== 'object' || Array.isArray(json))
        throw new DataError(`Structs should be encoded as JSON objects, but found ${nodeType(json)}`);
      const src = json as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of schema.fields ?? []) {
        const v = readJson(field.schema, src[field.name], replaceNullWithDefault);
        // Plain assignment of "__proto__" would replace the prototype instead.
        if (field.name === '__proto__')
          Object.defineProperty(out, field.name, { value: v, enumerable: true, writable: true, configurable: true });
        else out[field.name] = v;
      }
      return out;
    }
  }
}

function readMap(schema: Schema, json: unknown, replace: boolean): unknown {
  const keySchema = schema.keySchema ?? null;
  const valueSchema = schema.valueSchema ?? null;
  if (!keySchema || keySchema.type === 'string') {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new DataError(`Maps with string fields should be encoded as JSON objects, but found ${nodeType(json)}`);
    const o = json as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = readJson(valueSchema, o[k], replace);
    return o;
  }
  if (!Array.isArray(json))
    throw new DataError(
      `Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeType(json)}`,
    );
  const out = new Map<unknown, unknown>();
  for (const entry of json) {
    if (!Array.isArray(entry))
      throw new DataError(`Found invalid map entry instead of array tuple: ${nodeType(entry)}`);
    if (entry.length !== 2)
      throw new DataError(`Found invalid map entry, expected length 2 but found :${entry.length}`);
    out.set(readJson(keySchema, entry[0], replace), readJson(valueSchema, entry[1], replace));
  }
  return out;
}

function readLogical(schema: Schema, json: unknown): unknown {
  switch (schema.name) {
    case DECIMAL: {
      const scale = schemaScale(schema);
      if (typeof json === 'number' || json instanceof RawNumber || typeof json === 'bigint') {
        const text = json instanceof RawNumber ? json.source : String(json);
        const parsed = parseDecimal(text);
        // Render at the schema's scale when that loses nothing, else at the number's own.
        const target = Math.max(scale, parsed.scale);
        return plainDecimal(toUnscaled(parsed, target), target);
      }
      if (typeof json === 'string') {
        try {
          return plainDecimal(bytesToUnscaled(Buffer.from(json, 'base64')), scale);
        } catch (err) {
          throw new DataError('Invalid bytes for Decimal field', { cause: err });
        }
      }
      throw new DataError(
        `Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeType(json)}`,
      );
    }
    case DATE:
      if (!Number.isInteger(json)) throw logicalMismatch('Date', 'integer', json);
      return daysToDate(json as number);
    case TIME:
      if (!Number.isInteger(json)) throw logicalMismatch('Time', 'integer', json);
      return new Date(json as number);
    case TIMESTAMP:
      if (!Number.isInteger(json) && typeof json !== 'bigint') throw logicalMismatch('Timestamp', 'integral', json);
      return new Date(Number(json));
    default:
      return undefined;
  }
}

function logicalMismatch(type: string, expected: string, json: unknown): DataError {
  return new DataError(
    `Invalid type for ${type}, underlying representation should be ${expected} but was ${nodeType(json)}`,
  );
}

function toInteger(schema: Schema, json: unknown): number {
  if (typeof json === 'number') return Math.trunc(json);
  if (typeof json === 'bigint') return Number(BigInt.asIntN(32, json));
  if (json instanceof RawNumber) return Math.trunc(Number(json.source));
  throw mismatch(schema, json);
}

function toLong(schema: Schema, json: unknown): number | bigint {
  if (typeof json === 'number') return Math.trunc(json);
  if (typeof json === 'bigint') {
    const v = BigInt.asIntN(64, json);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (json instanceof RawNumber) return Math.trunc(Number(json.source));
  throw mismatch(schema, json);
}

function toDouble(schema: Schema, json: unknown): number {
  if (typeof json === 'number') return json;
  if (typeof json === 'bigint') return Number(json);
  if (json instanceof RawNumber) return Number(json.source);
  // Jackson writes non-finite numbers as strings; accept them back.
  if (json === 'NaN' || json === 'Infinity' || json === '-Infinity') return Number(json);
  throw mismatch(schema, json);
}

function mismatch(schema: Schema, json: unknown): DataError {
  return new DataError(`Invalid JSON ${nodeType(json)} for ${schema.type.toUpperCase()} field (${describe(json)})`);
}

/** Jackson's JsonNodeType names, used in Kafka's messages. */
function nodeType(json: unknown): string {
  if (json === null || json === undefined) return 'NULL';
  if (Array.isArray(json)) return 'ARRAY';
  if (typeof json === 'object') return json instanceof RawNumber ? 'NUMBER' : 'OBJECT';
  if (typeof json === 'string') return 'STRING';
  if (typeof json === 'boolean') return 'BOOLEAN';
  return 'NUMBER';
}

// The parts of Kafka's org.apache.kafka.connect.data.Values that
// SimpleHeaderConverter needs: convertToString and a subset of parseString.
//
// parseString subset: booleans, "null", integers (INT8..INT64 by size, then
// Decimal with scale 0), non-integral numbers (FLOAT32 when in float range, as
// Kafka picks; the JS value keeps double precision), ISO dates / times /
// timestamps in Kafka's patterns, and [..] / {..} of these and quoted
// strings. Anything else is a STRING of the original text. Arrays and maps
// whose elements share no common schema get a null schema (Kafka builds an
// "array of null" schema the SDK cannot express).
import { DataError, Schemas, arraySchema, mapSchema, type Schema, type SchemaAndValue } from '../sdk/index.js';
import { isoDate, isoForDate, isoTime, isoTimestamp, javaDouble, javaFloat } from './java-text.js';
import {
  DATE,
  DATE_SCHEMA,
  TIME,
  TIMESTAMP,
  TIME_SCHEMA,
  TIMESTAMP_SCHEMA,
  decimalSchema,
  parseDecimal,
  plainDecimal,
} from './logical-types.js';

const MAX_FLOAT = 3.4028234663852886e38;

/** Values.convertToString: how SimpleHeaderConverter renders a header value. */
export function convertToString(schema: Schema | null | undefined, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return append(schema ?? null, value, false);
}

function append(schema: Schema | null, value: unknown, embedded: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return embedded ? '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"' : value;
    case 'number':
      if (schema?.type === 'float64') return javaDouble(value);
      if (schema?.type === 'float32') return javaFloat(value);
      return String(value);
    case 'bigint':
    case 'boolean':
      return String(value);
  }
  if (value instanceof Uint8Array) {
    const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return embedded ? '"' + b64 + '"' : b64;
  }
  if (value instanceof Date) {
    switch (schema?.name) {
      case DATE:
        return isoDate(value);
      case TIME:
        return isoTime(value);
      case TIMESTAMP:
        return isoTimestamp(value);
      default:
        return isoForDate(value);
    }
  }
  if (Array.isArray(value)) {
    const elem = schema?.valueSchema ?? null;
    return '[' + value.map((v) => append(elem, v, true)).join(',') + ']';
  }
  if (schema?.type === 'struct') {
    const record = value as Record<string, unknown>;
    const parts = (schema.fields ?? []).map(
      (f) => append(null, f.name, true) + ':' + append(f.schema, record[f.name], true),
    );
    return '{' + parts.join(',') + '}';
  }
  if (typeof value === 'object') {
    const keySchema = schema?.keySchema ?? null;
    const valueSchema = schema?.valueSchema ?? null;
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    return (
      '{' + entries.map(([k, v]) => append(keySchema, k, true) + ':' + append(valueSchema, v, true)).join(',') + '}'
    );
  }
  return String(value);
}

const TIME_RE = /^\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Bare tokens inside [..] / {..}; time literals contain the ':' delimiter, so they go first.
const BARE_TOKEN = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z|\d{2}:\d{2}:\d{2}\.\d{3}Z|[^,:[\]{}"]*/y;

/** Values.parseString (subset, see above); never throws for top-level text. */
export function parseString(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const p = new Parser(text);
      const result = p.value();
      p.skipSpace();
      if (p.done() && result) return result;
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
    }
    return { schema: Schemas.STRING, value: text };
  }
  return scalar(trimmed) ?? { schema: Schemas.STRING, value: text };
}

/** A bare scalar, or undefined when the token is none of the recognised forms. */
function scalar(token: string): SchemaAndValue | undefined {
  if (token === 'null') return { schema: null, value: null };
  if (token === 'true' || token === 'false') return { schema: Schemas.BOOLEAN, value: token === 'true' };
  if (token.length === 0) return undefined;
  const temporal = parseTemporal(token);
  if (temporal) return temporal;
  if (NUMBER_RE.test(token)) return parseNumber(token);
  return undefined;
}

function parseTemporal(token: string): SchemaAndValue | undefined {
  let ms: number;
  let schema: Schema;
  if (TIMESTAMP_RE.test(token)) {
    ms = Date.parse(token);
    schema = TIMESTAMP_SCHEMA;
  } else if (DATE_RE.test(token)) {
    ms = Date.parse(token + 'T00:00:00.000Z');
    schema = DATE_SCHEMA;
  } else if (TIME_RE.test(token)) {
    ms = Date.parse('1970-01-01T' + token);
    schema = TIME_SCHEMA;
  } else return undefined;
  return Number.isNaN(ms) ? undefined : { schema, value: new Date(ms) };
}

function parseNumber(token: string): SchemaAndValue {
  const { unscaled, scale } = parseDecimal(token);
  const divisor = scale > 0 ? 10n ** BigInt(scale) : 1n;
  if (unscaled % divisor === 0n) {
    const integral = scale > 0 ? unscaled / divisor : unscaled * 10n ** BigInt(-scale);
    if (integral >= -128n && integral <= 127n) return { schema: Schemas.INT8, value: Number(integral) };
    if (integral >= -32768n && integral <= 32767n) return { schema: Schemas.INT16, value: Number(integral) };
    if (integral >= -2147483648n && integral <= 2147483647n) return { schema: Schemas.INT32, value: Number(integral) };
    if (BigInt.asIntN(64, integral) === integral) {
      const safe = integral >= BigInt(Number.MIN_SAFE_INTEGER) && integral <= BigInt(Number.MAX_SAFE_INTEGER);
      return { schema: Schemas.INT64, value: safe ? Number(integral) : integral };
    }
  }
  const n = Number(token);
  if (scale !== 0 && Math.abs(n) <= MAX_FLOAT) return { schema: Schemas.FLOAT32, value: n };
  if (scale !== 0 && Number.isFinite(n)) return { schema: Schemas.FLOAT64, value: n };
  return { schema: decimalSchema(scale), value: plainDecimal(unscaled, scale) };
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private eat(c: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  /** One embedded value; null stands for the literal null. */
  value(): SchemaAndValue | null {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '[') return this.array();
    if (c === '{') return this.map();
    if (c === '"') return { schema: Schemas.STRING, value: this.quoted() };
    BARE_TOKEN.lastIndex = this.pos;
    const token = BARE_TOKEN.exec(this.text)![0];
    this.pos += token.length;
    const parsed = scalar(token.trim());
    if (!parsed) throw new DataError('Failed to parse embedded value');
    return parsed.schema === null ? null : parsed;
  }

  private quoted(): string {
    let out = '';
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === '\\' && i + 1 < this.text.length) out += this.text[++i];
      else if (c === '"') {
        this.pos = i + 1;
        return out;
      } else out += c;
    }
    throw new DataError('Unterminated string');
  }

  private array(): SchemaAndValue {
    this.pos++;
    const values: unknown[] = [];
    const common = new CommonSchema();
    if (this.eat(']')) return { schema: null, value: values };
    for (;;) {
      const elem = this.value();
      values.push(elem?.value ?? null);
      common.add(elem);
      if (this.eat(']')) break;
      if (!this.eat(',')) throw new DataError("Array is missing terminating ']'");
    }
    return { schema: common.schema ? arraySchema(common.schema) : null, value: values };
  }

  private map(): SchemaAndValue {
    this.pos++;
    const entries: [unknown, unknown][] = [];
    const keys = new CommonSchema();
    const values = new CommonSchema();
    if (!this.eat('}')) {
      for (;;) {
        const key = this.value();
        if (key === null) throw new DataError('Map entry may not have a null key');
        if (!this.eat(':')) throw new DataError("Map entry is missing ':'");
        const value = this.value();
        entries.push([key.value, value?.value ?? null]);
        keys.add(key);
        values.add(value);
        if (this.eat('}')) break;
        if (!this.eat(',')) throw new DataError("Map is missing terminating '}'");
      }
    }
    const schema = keys.schema && values.schema ? mapSchema(keys.schema, values.schema) : null;
    if (entries.every(([k]) => typeof k === 'string')) {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of entries)
        Object.defineProperty(obj, k as string, { value: v, enumerable: true, writable: true, configurable: true });
      return { schema, value: obj };
    }
    return { schema, value: new Map(entries) };
  }
}

const NUMERIC_RANK: Partial<Record<string, number>> = { int8: 1, int16: 2, int32: 3, int64: 4, float32: 5, float64: 6 };

/** Values.commonSchemaFor: numbers widen; anything else must match exactly. */
class CommonSchema {
  schema: Schema | null = null;
  private conflict = false;

  add(next: SchemaAndValue | null): void {
    if (next === null || next.schema === null) {
      if (next !== null) this.conflict = true;
      return;
    }
    if (this.conflict) return;
    const prev = this.schema;
    if (prev === null) {
      this.schema = next.schema;
      return;
    }
    const a = NUMERIC_RANK[prev.type];
    const b = NUMERIC_RANK[next.schema.type];
    if (a !== undefined && b !== undefined && prev.name === undefined && next.schema.name === undefined) {
      if (b > a) this.schema = next.schema;
      return;
    }
    if (JSON.stringify(prev) !== JSON.stringify(next.schema)) {
      this.schema = null;
      this.conflict = true;
    }
  }
}

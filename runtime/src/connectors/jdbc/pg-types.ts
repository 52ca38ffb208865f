// Connect schemas (Kafka's and Debezium's logical types) to PostgreSQL
// column types, and Connect values to `pg` query parameters (pure).
import { DataError, type Schema } from '../../sdk/index.js';

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const K_DATE = 'org.apache.kafka.connect.data.Date';
const K_TIME = 'org.apache.kafka.connect.data.Time';
const K_TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
const DBZ = 'io.debezium.';

/** The column type for a field (schemaless: typed from the sample value). */
export function pgType(schema: Schema | null, sample: unknown): string {
  if (!schema) return inferType(sample);
  switch (schema.name) {
    case DECIMAL: {
      const precision = schema.parameters?.['connect.decimal.precision'];
      const scale = schema.parameters?.['scale'];
      return precision && scale ? `numeric(${Number(precision)},${Number(scale)})` : 'numeric';
    }
    case `${DBZ}data.VariableScaleDecimal`:
      return 'numeric';
    case K_DATE:
    case `${DBZ}time.Date`:
      return 'date';
    case K_TIME:
    case `${DBZ}time.Time`:
    case `${DBZ}time.MicroTime`:
    case `${DBZ}time.NanoTime`:
      return 'time';
    case K_TIMESTAMP:
    case `${DBZ}time.Timestamp`:
    case `${DBZ}time.MicroTimestamp`:
    case `${DBZ}time.NanoTimestamp`:
      return 'timestamp';
    case `${DBZ}time.ZonedTimestamp`:
      return 'timestamptz';
    case `${DBZ}time.ZonedTime`:
      return 'timetz';
    case `${DBZ}time.MicroDuration`:
      return 'interval';
    case `${DBZ}data.Uuid`:
      return 'uuid';
    case `${DBZ}data.Json`:
      return 'json';
    case `${DBZ}data.Xml`:
      return 'xml';
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    case 'bytes':
      return 'bytea';
    case 'array': {
      const inner = schema.valueSchema ? pgType(schema.valueSchema, null) : 'text';
      return /^(smallint|integer|bigint|real|double precision|boolean|text|numeric|date|timestamp|uuid)$/.test(inner)
        ? `${inner}[]`
        : 'jsonb';
    }
    default:
      return 'jsonb';
  }
}

function inferType(v: unknown): string {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint') return 'bigint';
  if (typeof v === 'number') return Number.isInteger(v) ? 'bigint' : 'double precision';
  if (Buffer.isBuffer(v)) return 'bytea';
  if (v instanceof Date) return 'timestamptz';
  if (v !== null && typeof v === 'object') return 'jsonb';
  return 'text';
}

/** The query parameter for a value (text for time types, so the server parses them in the column's type). */
export function pgValue(schema: Schema | null, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (!schema) {
    if (typeof value === 'bigint') return value.toString();
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date))
      return JSON.stringify(value);
    return value;
  }
  switch (schema.name) {
    case DECIMAL:
      return Buffer.isBuffer(value)
        ? unscaledToDecimal(value, Number(schema.parameters?.['scale'] ?? 0))
        : String(value);
    case `${DBZ}data.VariableScaleDecimal`: {
      const v = value as { scale?: number; value?: unknown };
      if (!Buffer.isBuffer(v.value)) throw new DataError('a VariableScaleDecimal without bytes');
      return unscaledToDecimal(v.value, Number(v.scale ?? 0));
    }
    case K_DATE:
      return value instanceof Date ? value.toISOString().slice(0, 10) : daysToDate(Number(value));
    case `${DBZ}time.Date`:
      return daysToDate(Number(value));
    case K_TIME:
      return value instanceof Date ? value.toISOString().slice(11, 23) : timeOfDay(BigInt(Number(value)) * 1000n);
    case `${DBZ}time.Time`:
      return timeOfDay(BigInt(value as number) * 1000n);
    case `${DBZ}time.MicroTime`:
      return timeOfDay(BigInt(value as number));
    case `${DBZ}time.NanoTime`:
      return timeOfDay(BigInt(value as number) / 1000n);
    case K_TIMESTAMP:
      return value instanceof Date ? value.toISOString().slice(0, 23) : timestamp(BigInt(Number(value)) * 1000n);
    case `${DBZ}time.Timestamp`:
      return timestamp(BigInt(value as number) * 1000n);
    case `${DBZ}time.MicroTimestamp`:
      return timestamp(BigInt(value as number));
    case `${DBZ}time.NanoTimestamp`:
      return timestamp(BigInt(value as number) / 1000n);
    case `${DBZ}time.MicroDuration`:
      return `${String(value)} microseconds`;
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? value.toString() : value;
    case 'array':
      return pgType(schema, null) === 'jsonb'
        ? toJsonText(value)
        : (value as unknown[]).map((v) => pgValue(schema.valueSchema ?? null, v));
    case 'map':
    case 'struct':
      return toJsonText(value);
    default:
      return value;
  }
}

function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v,
  );
}

/** Big-endian two's complement unscaled bytes to a decimal string. */
export function unscaledToDecimal(bytes: Buffer, scale: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) digits += '0'.repeat(-scale);
  return neg ? `-${digits}` : digits;
}

function daysToDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

const US_PER_DAY = 86_400_000_000n;

function timeOfDay(us: bigint): string {
  const t = ((us % US_PER_DAY) + US_PER_DAY) % US_PER_DAY;
  const pad = (n: bigint, w = 2) => n.toString().padStart(w, '0');
  const secs = t / 1_000_000n;
  return `${pad(secs / 3600n)}:${pad((secs / 60n) % 60n)}:${pad(secs % 60n)}.${pad(t % 1_000_000n, 6)}`;
}

/** Debezium's encodings of ±infinity for timestamp columns. */
const POS_INFINITY_US = 9223372036825200000n / 1000n;
const NEG_INFINITY_US = -9223372036832400000n / 1000n;

function timestamp(us: bigint): string {
  if (us >= POS_INFINITY_US) return 'infinity';
  if (us <= NEG_INFINITY_US) return '-infinity';
  const day = us >= 0n ? us / US_PER_DAY : -((-us + US_PER_DAY - 1n) / US_PER_DAY);
  const date = new Date(Number(day) * 86_400_000).toISOString().slice(0, 10);
  return `${date} ${timeOfDay(us - day * US_PER_DAY)}`;
}

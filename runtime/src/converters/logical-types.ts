// Kafka Connect's logical types (org.apache.kafka.connect.data.Decimal, Date,
// Time, Timestamp). The SDK has no logical-type helpers, so they live here.
//
// JS representations:
// - Decimal: a plain decimal string with exactly `scale` fraction digits
//   ("12.30"); writers also accept a number, a bigint (integer) or
//   { unscaled: bigint, scale: number }.
// - Date / Time / Timestamp: JS Date (UTC); writers also accept the
//   underlying number (days, ms of day, ms since epoch).
import { DataError, primitiveSchema, type Schema } from '../sdk/index.js';

export const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
export const DATE = 'org.apache.kafka.connect.data.Date';
export const TIME = 'org.apache.kafka.connect.data.Time';
export const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
export const SCALE = 'scale';
const MILLIS_PER_DAY = 86_400_000;

export interface UnscaledDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

export function decimalSchema(scale: number, optional = false): Schema {
  return primitiveSchema('bytes', { name: DECIMAL, version: 1, parameters: { [SCALE]: String(scale) }, optional });
}
export const DATE_SCHEMA = primitiveSchema('int32', { name: DATE, version: 1 });
export const TIME_SCHEMA = primitiveSchema('int32', { name: TIME, version: 1 });
export const TIMESTAMP_SCHEMA = primitiveSchema('int64', { name: TIMESTAMP, version: 1 });

export function isLogical(name: string | undefined): boolean {
  return name === DECIMAL || name === DATE || name === TIME || name === TIMESTAMP;
}

export function schemaScale(schema: Schema): number {
  const raw = schema.parameters?.[SCALE];
  if (raw === undefined) throw new DataError('Invalid Decimal schema: scale parameter not found.');
  return Number.parseInt(raw, 10);
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses decimal text ("-1.5E+3", "12.30") into an unscaled bigint and its scale. */
export function parseDecimal(text: string): UnscaledDecimal {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (!m[2] && !m[3])) throw new DataError(`Invalid decimal value: ${text}`);
  const fraction = m[3] ?? '';
  const unscaled = BigInt((m[2] ?? '') + fraction || '0');
  return { unscaled: m[1] === '-' ? -unscaled : unscaled, scale: fraction.length - Number(m[4] ?? 0) };
}

/** Converts any accepted Decimal representation to an unscaled value at exactly `scale`. */
export function toUnscaled(value: unknown, scale: number): bigint {
  let d: UnscaledDecimal;
  if (typeof value === 'string') d = parseDecimal(value);
  else if (typeof value === 'bigint') d = { unscaled: value, scale: 0 };
  else if (typeof value === 'number' && Number.isFinite(value)) d = parseDecimal(String(value));
  else if (value !== null && typeof value === 'object' && typeof (value as UnscaledDecimal).unscaled === 'bigint')
    d = value as UnscaledDecimal;
  else
    throw new DataError(
      `Invalid type for Decimal, expected a decimal string, number, bigint or {unscaled, scale} but was ${describe(value)}`,
    );
  if (d.scale === scale) return d.unscaled;
  if (d.scale < scale) return d.unscaled * 10n ** BigInt(scale - d.scale);
  // Kafka refuses a BigDecimal whose scale differs; we only refuse when rescaling would lose digits.
  const divisor = 10n ** BigInt(d.scale - scale);
  if (d.unscaled % divisor !== 0n)
    throw new DataError('BigDecimal has mismatching scale value for given Decimal schema');
  return d.unscaled / divisor;
}

/** Plain (never exponential) text of unscaled * 10^-scale, as BigDecimal.toPlainString. */
export function plainDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + (unscaled === 0n ? '0' : digits + '0'.repeat(-scale));
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const point = digits.length - scale;
  return (negative ? '-' : '') + digits.slice(0, point) + '.' + digits.slice(point);
}

/** BigDecimal.toString: what Jackson writes for decimal.format=NUMERIC. */
export function javaDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const adjusted = -scale + (digits.length - 1);
  if (scale >= 0 && adjusted >= -6) return plainDecimal(unscaled, scale);
  const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return (negative ? '-' : '') + mantissa + 'E' + (adjusted >= 0 ? '+' : '') + adjusted;
}

/** BigInteger.toByteArray: minimal big-endian two's complement. */
export function unscaledToBytes(v: bigint): Buffer {
  let len = 1;
  while (v < -(1n << BigInt(8 * len - 1)) || v >= 1n << BigInt(8 * len - 1)) len++;
  const out = Buffer.allocUnsafe(len);
  let x = BigInt.asUintN(8 * len, v);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function bytesToUnscaled(bytes: Uint8Array): bigint {
  if (bytes.length === 0) throw new DataError('Invalid bytes for Decimal field: empty');
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(8 * bytes.length, v);
}

function dateMillis(value: unknown, kind: string): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new DataError(`Invalid type for ${kind}, expected Date but was ${describe(value)}`);
}

/** Logical Date value -> int32 days since the epoch. */
export function dateToDays(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const ms = dateMillis(value, 'Date');
  if (ms % MILLIS_PER_DAY !== 0)
    throw new DataError('Kafka Connect Date type should not have any time fields set to non-zero values.');
  return ms / MILLIS_PER_DAY;
}

/** Logical Time value -> int32 milliseconds since midnight. */
export function timeToMillis(value: unknown): number {
  const ms = dateMillis(value, 'Time');
  if (ms < 0 || ms >= MILLIS_PER_DAY)
    throw new DataError('Kafka Connect Time type should not have any date fields set to non-zero values.');
  return ms;
}

export function timestampToMillis(value: unknown): number {
  return dateMillis(value, 'Timestamp');
}

export const daysToDate = (days: number): Date => new Date(days * MILLIS_PER_DAY);

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

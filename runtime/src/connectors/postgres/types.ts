// PostgreSQL column types → Kafka Connect schemas and values, as Debezium's
// PostgresValueConverter maps them (types table in docs/connectors/postgres-cdc.md).
// Input is always PostgreSQL's text output (pgoutput text tuples and the
// snapshot's rows, both read with DateStyle=ISO, TimeZone=UTC,
// IntervalStyle=iso_8601, bytea_output=hex, extra_float_digits=3).
import { DataError, arraySchema, primitiveSchema, structSchema, type Schema } from '../../sdk/index.js';

export type DecimalMode = 'precise' | 'double' | 'string';
export type BinaryMode = 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export type IntervalMode = 'numeric' | 'string';

export interface TypeModes {
  readonly decimal: DecimalMode;
  readonly binary: BinaryMode;
  readonly time: TimePrecisionMode;
  readonly interval: IntervalMode;
  /** unavailable.value.placeholder's bytes, for unchanged TOASTed values (toast.ts); default `__debezium_unavailable_value` */
  readonly unavailable?: Buffer;
}

/** What the catalog says about a type (catalog.ts reads it from pg_type). */
export interface PgType {
  readonly oid: number;
  readonly name: string;
  /** b base, e enum, d domain, c composite, r range, p pseudo */
  readonly kind: string;
  /** arrays: the element type; domains: the base type */
  readonly element?: PgType;
  readonly isArray?: boolean;
  readonly enumLabels?: readonly string[];
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: PgType;
  readonly typeMod: number;
  readonly notNull: boolean;
  /** the column default as PostgreSQL prints it (pg_get_expr), or null */
  readonly defaultExpr: string | null;
}

export type ValueConverter = (text: string) => unknown;

export interface ColumnMapping {
  readonly schema: Schema;
  readonly convert: ValueConverter;
}

const TS_POS_INFINITY = 9223372036825200000n;
const TS_NEG_INFINITY = -9223372036832400000n;
const MICROS_PER_DAY = 86_400_000_000;
const DAYS_PER_MONTH_AVG = 365.25 / 12;

/** Schema and converter of one column. Unknown types: null (Debezium drops them). */
export function columnMapping(col: ColumnInfo, modes: TypeModes): ColumnMapping | null {
  const base = mappingOf(col.type, col.typeMod, modes);
  if (!base) return null;
  const optional = !col.notNull;
  let schema: Schema = { ...base.schema, optional };
  const value = defaultValue(col, base);
  if (value !== undefined) schema = { ...schema, defaultValue: value };
  return { schema: Object.freeze(schema), convert: base.convert };
}

/** A literal default Debezium can parse (numbers, booleans, strings); expressions give none. */
function defaultValue(col: ColumnInfo, base: ColumnMapping): unknown {
  const expr = col.defaultExpr;
  if (expr === null || expr === undefined) return undefined;
  const m = /^(?:'((?:[^']|'')*)'(?:::[\w\s."]+(?:\[\])?)?|(-?\d+(?:\.\d+)?)|(true|false))$/.exec(expr.trim());
  if (!m) return undefined;
  const text = m[1] !== undefined ? m[1].replace(/''/g, "'") : (m[2] ?? m[3]!);
  if (m[3] !== undefined) return m[3] === 'true';
  try {
    return base.convert(text);
  } catch {
    return undefined;
  }
}

function mappingOf(type: PgType, typeMod: number, modes: TypeModes): ColumnMapping | null {
  if (type.kind === 'd' && type.element) return mappingOf(type.element, typeMod, modes);
  if (type.isArray && type.element) {
    const el = mappingOf(type.element, typeMod, modes);
    if (!el) return null;
    const elSchema = { ...el.schema, optional: true };
    return {
      schema: arraySchema(elSchema),
      convert: (text) => parseArrayLiteral(text).map((v) => (v === null ? null : el.convert(v))),
    };
  }
  if (type.kind === 'e') {
    return {
      schema: primitiveSchema('string', {
        name: 'io.debezium.data.Enum',
        version: 1,
        parameters: { allowed: (type.enumLabels ?? []).join(',') },
      }),
      convert: (t) => t,
    };
  }
  switch (type.name) {
    case 'bool':
      return { schema: primitiveSchema('boolean'), convert: (t) => t === 't' || t === 'true' };
    case 'int2':
      return { schema: primitiveSchema('int16'), convert: (t) => Number(t) };
    case 'int4':
      return { schema: primitiveSchema('int32'), convert: (t) => Number(t) };
    case 'int8':
    case 'oid':
      return { schema: primitiveSchema('int64'), convert: int64 };
    case 'float4':
      return { schema: primitiveSchema('float32'), convert: float };
    case 'float8':
      return { schema: primitiveSchema('float64'), convert: float };
    case 'numeric':
      return numericMapping(typeMod, modes.decimal);
    case 'money':
      return numericMapping(((10 + 4) << 16) | (2 + 4), modes.decimal, (t) => t.replace(/[$,]/g, ''));
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'char':
    case 'name':
    case 'citext':
    case 'inet':
    case 'cidr':
    case 'macaddr':
    case 'macaddr8':
    case 'int4range':
    case 'int8range':
    case 'numrange':
    case 'tsrange':
    case 'tstzrange':
    case 'daterange':
      return { schema: primitiveSchema('string'), convert: (t) => t };
    case 'uuid':
      return { schema: primitiveSchema('string', { name: 'io.debezium.data.Uuid', version: 1 }), convert: (t) => t };
    case 'json':
    case 'jsonb':
      return { schema: primitiveSchema('string', { name: 'io.debezium.data.Json', version: 1 }), convert: (t) => t };
    case 'xml':
      return { schema: primitiveSchema('string', { name: 'io.debezium.data.Xml', version: 1 }), convert: (t) => t };
    case 'bytea':
      return byteaMapping(modes.binary);
    case 'date':
      return modes.time === 'connect'
        ? {
            schema: primitiveSchema('int32', { name: 'org.apache.kafka.connect.data.Date', version: 1 }),
            convert: days,
          }
        : { schema: primitiveSchema('int32', { name: 'io.debezium.time.Date', version: 1 }), convert: days };
    case 'time': {
      const p = precisionOf(typeMod);
      if (modes.time === 'connect')
        return {
          schema: primitiveSchema('int32', { name: 'org.apache.kafka.connect.data.Time', version: 1 }),
          convert: (t) => Math.floor(timeMicros(t) / 1000),
        };
      if (p <= 3 && modes.time === 'adaptive')
        return {
          schema: primitiveSchema('int32', { name: 'io.debezium.time.Time', version: 1 }),
          convert: (t) => Math.floor(timeMicros(t) / 1000),
        };
      return {
        schema: primitiveSchema('int64', { name: 'io.debezium.time.MicroTime', version: 1 }),
        convert: timeMicros,
      };
    }
    case 'timestamp': {
      const p = precisionOf(typeMod);
      if (modes.time === 'connect')
        return {
          schema: primitiveSchema('int64', { name: 'org.apache.kafka.connect.data.Timestamp', version: 1 }),
          convert: (t) => scaleTimestamp(t, 1000),
        };
      if (p <= 3)
        return {
          schema: primitiveSchema('int64', { name: 'io.debezium.time.Timestamp', version: 1 }),
          convert: (t) => scaleTimestamp(t, 1000),
        };
      return {
        schema: primitiveSchema('int64', { name: 'io.debezium.time.MicroTimestamp', version: 1 }),
        convert: (t) => scaleTimestamp(t, 1),
      };
    }
    case 'timestamptz': {
      const p = precisionOf(typeMod);
      return {
        schema: primitiveSchema('string', { name: 'io.debezium.time.ZonedTimestamp', version: 1 }),
        convert: (t) => zonedTimestamp(t, p),
      };
    }
    case 'timetz': {
      const p = precisionOf(typeMod);
      return {
        schema: primitiveSchema('string', { name: 'io.debezium.time.ZonedTime', version: 1 }),
        convert: (t) => zonedTime(t, p),
      };
    }
    case 'interval':
      return modes.interval === 'string'
        ? { schema: primitiveSchema('string', { name: 'io.debezium.time.Interval', version: 1 }), convert: (t) => t }
        : {
            schema: primitiveSchema('int64', { name: 'io.debezium.time.MicroDuration', version: 1 }),
            convert: intervalMicros,
          };
    default:
      return null;
  }
}

function int64(t: string): number | bigint {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : BigInt(t);
}

function float(t: string): number {
  if (t === 'NaN') return NaN;
  if (t === 'Infinity') return Infinity;
  if (t === '-Infinity') return -Infinity;
  return Number(t);
}

/** time/timestamp precision from the type modifier: -1 (none) means 6. */
function precisionOf(typeMod: number): number {
  return typeMod < 0 ? 6 : typeMod;
}

function numericMapping(typeMod: number, mode: DecimalMode, clean: (t: string) => string = (t) => t): ColumnMapping {
  if (mode === 'double') return { schema: primitiveSchema('float64'), convert: (t) => float(clean(t)) };
  if (mode === 'string')
    return { schema: primitiveSchema('string'), convert: (t) => (clean(t) === 'NaN' ? 'NAN' : clean(t)) };
  if (typeMod < 0) {
    return {
      schema: structSchema(
        [
          ['scale', primitiveSchema('int32')],
          ['value', primitiveSchema('bytes')],
        ],
        { name: 'io.debezium.data.VariableScaleDecimal', version: 1, doc: 'Variable scaled decimal' },
      ),
      // Trailing zeros stripped down to scale 0, as Debezium (BigDecimal.stripTrailingZeros): 1.50 → 1.5, 100 stays.
      convert: (t) => {
        let { unscaled, scale } = parseDecimal(clean(t));
        while (scale > 0 && unscaled % 10n === 0n) {
          unscaled /= 10n;
          scale--;
        }
        return { scale, value: bigintToBytes(unscaled) };
      },
    };
  }
  const precision = ((typeMod - 4) >> 16) & 0xffff;
  const scale = (typeMod - 4) & 0xffff;
  return {
    schema: primitiveSchema('bytes', {
      name: 'org.apache.kafka.connect.data.Decimal',
      version: 1,
      parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) },
    }),
    // The runtime's Decimal value: the unscaled integer and its scale (its converters write the bytes).
    convert: (t) => {
      const d = parseDecimal(clean(t));
      return { unscaled: rescale(d.unscaled, d.scale, scale), scale };
    },
  };
}

/** `-12.340` → unscaled -12340, scale 3. NaN and infinities cannot be decimals. */
export function parseDecimal(text: string): { unscaled: bigint; scale: number } {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new DataError(`cannot represent numeric value ${JSON.stringify(text)} as a decimal`);
  const frac = m[3] ?? '';
  const digits = `${m[2] || '0'}${frac}`;
  const v = BigInt(digits);
  return { unscaled: m[1] === '-' ? -v : v, scale: frac.length };
}

function rescale(unscaled: bigint, from: number, to: number): bigint {
  if (from === to) return unscaled;
  if (from < to) return unscaled * 10n ** BigInt(to - from);
  return unscaled / 10n ** BigInt(from - to);
}

/** Java's BigInteger.toByteArray(): minimal big-endian two's complement. */
export function bigintToBytes(v: bigint): Buffer {
  const bytes: number[] = [];
  let x = v;
  for (;;) {
    const b = Number(x & 0xffn);
    bytes.unshift(b);
    x >>= 8n;
    if ((x === 0n && (b & 0x80) === 0) || (x === -1n && (b & 0x80) !== 0)) break;
  }
  return Buffer.from(bytes);
}

function byteaMapping(mode: BinaryMode): ColumnMapping {
  const raw = (t: string): Buffer => {
    if (!t.startsWith('\\x')) throw new DataError('bytea must be read with bytea_output=hex');
    return Buffer.from(t.slice(2), 'hex');
  };
  switch (mode) {
    case 'bytes':
      return { schema: primitiveSchema('bytes'), convert: raw };
    case 'base64':
      return { schema: primitiveSchema('string'), convert: (t) => raw(t).toString('base64') };
    case 'base64-url-safe':
      return { schema: primitiveSchema('string'), convert: (t) => raw(t).toString('base64url') };
    case 'hex':
      return { schema: primitiveSchema('string'), convert: (t) => raw(t).toString('hex') };
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function epochDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DD[ BC]` → days since the epoch. */
function days(t: string): number {
  const m = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/.exec(t);
  if (!m) throw new DataError(`cannot read date ${JSON.stringify(t)}`);
  const year = m[4] ? 1 - Number(m[1]) : Number(m[1]);
  return epochDays(year, Number(m[2]), Number(m[3]));
}

/** `HH:MM:SS[.ffffff]` → µs since midnight (24:00:00 allowed). */
function timeMicros(t: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(t);
  if (!m) throw new DataError(`cannot read time ${JSON.stringify(t)}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + Number((m[4] ?? '').padEnd(6, '0'));
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff][+TZ][ BC]` → µs since the epoch (wall clock as UTC). */
function timestampMicros(t: string): number {
  const m = /^(\d{4,})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?(?::?\d\d)?)?( BC)?$/.exec(t);
  if (!m) throw new DataError(`cannot read timestamp ${JSON.stringify(t)}`);
  const year = m[6] ? 1 - Number(m[1]) : Number(m[1]);
  let micros = epochDays(year, Number(m[2]), Number(m[3])) * MICROS_PER_DAY + timeMicros(m[4]!);
  if (m[5]) micros -= offsetSeconds(m[5]) * 1_000_000;
  return micros;
}

function offsetSeconds(tz: string): number {
  const m = /^([+-])(\d\d):?(\d\d)?:?(\d\d)?$/.exec(tz)!;
  const s = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -s : s;
}

/** A timestamp in µs divided by `unit` (1: µs, 1000: ms); ±infinity as Debezium encodes it. */
function scaleTimestamp(t: string, unit: number): number | bigint {
  if (t === 'infinity') return TS_POS_INFINITY;
  if (t === '-infinity') return TS_NEG_INFINITY;
  return Math.floor(timestampMicros(t) / unit);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function fraction(micros: number, precision: number): string {
  if (precision <= 0) return '';
  return `.${pad(micros, 6).slice(0, Math.min(precision, 6)).padEnd(precision, '0')}`;
}

/** timestamptz → ISO-8601 in UTC with `Z`, fraction as wide as the column's precision. */
function zonedTimestamp(t: string, precision: number): string {
  if (t === 'infinity' || t === '-infinity') return t;
  const micros = timestampMicros(t);
  const dayCount = Math.floor(micros / MICROS_PER_DAY);
  const inDay = micros - dayCount * MICROS_PER_DAY;
  const date = new Date(dayCount * 86_400_000);
  const y = date.getUTCFullYear();
  const secs = Math.floor(inDay / 1_000_000);
  const yearText = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 4);
  return (
    `${yearText}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T` +
    `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}` +
    `${fraction(inDay % 1_000_000, precision)}Z`
  );
}

/**
 * timetz `HH:MM:SS[.ffffff]+TZ` → the same instant of the day in UTC as
 * Java's ISO_OFFSET_TIME prints it: `HH:MM:SS[.fff]Z`, no trailing zeros
 * (compared with Debezium 3.6.1: `10:00:00+01` → `09:00:00Z`).
 */
function zonedTime(t: string, _precision: number): string {
  const m = /^(\d\d:\d\d:\d\d(?:\.\d+)?)([+-].*)$/.exec(t);
  if (!m) throw new DataError(`cannot read time with time zone ${JSON.stringify(t)}`);
  let micros = timeMicros(m[1]!) - offsetSeconds(m[2]!) * 1_000_000;
  micros = ((micros % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
  const secs = Math.floor(micros / 1_000_000);
  return (
    `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}` +
    `${fraction(micros % 1_000_000, 6).replace(/\.?0+$/, '')}Z`
  );
}

/**
 * ISO-8601 interval (IntervalStyle=iso_8601, e.g. `P1Y2M3DT4H5M6.5S`) → µs,
 * with Debezium's 365.25/12 days per month.
 */
export function intervalMicros(t: string): number {
  const m = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(t);
  if (!m) throw new DataError(`cannot read interval ${JSON.stringify(t)} (IntervalStyle must be iso_8601)`);
  const n = (i: number) => Number(m[i] ?? 0);
  const months = n(1) * 12 + n(2);
  const secondsText = m[6] ?? '0';
  const negative = secondsText.startsWith('-');
  const [whole, frac = ''] = secondsText.replace('-', '').split('.');
  const secMicros = (Number(whole) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6))) * (negative ? -1 : 1);
  return Math.round(
    months * DAYS_PER_MONTH_AVG * MICROS_PER_DAY +
      n(3) * MICROS_PER_DAY +
      (n(4) * 3600 + n(5) * 60) * 1_000_000 +
      secMicros,
  );
}

/** A one-dimensional array literal `{a,"b c",NULL}` → its elements' texts. */
export function parseArrayLiteral(text: string): Array<string | null> {
  let s = text;
  if (s.startsWith('[')) s = s.slice(s.indexOf('=') + 1); // explicit bounds `[0:1]={...}`
  if (!s.startsWith('{') || !s.endsWith('}')) throw new DataError(`cannot read array ${JSON.stringify(text)}`);
  const out: Array<string | null> = [];
  let i = 1;
  const end = s.length - 1;
  if (i === end) return out;
  while (i <= end) {
    let value = '';
    let quoted = false;
    if (s[i] === '"') {
      quoted = true;
      i++;
      while (i < end && s[i] !== '"') {
        if (s[i] === '\\') i++;
        value += s[i];
        i++;
      }
      i++; // closing quote
    } else {
      while (i < end && s[i] !== ',') {
        value += s[i];
        i++;
      }
    }
    out.push(!quoted && value === 'NULL' ? null : value);
    i++; // the comma (or past the end)
  }
  return out;
}

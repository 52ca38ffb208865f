// TimestampConverter: converts a timestamp field (or the whole key or value)
// between strings, Unix epoch numbers and Connect's Date/Time/Timestamp types.
import {
  ConfigDef,
  ConfigError,
  DataError,
  NO_DEFAULT,
  Schemas,
  type ConnectRecord,
  type Schema,
  type Transformation,
  type Validator,
  withSchema,
} from '../sdk/index.js';
import { JavaDateFormat } from './java-date-format.js';
import { int64Value } from './java-values.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import {
  mapEntries,
  mapGet,
  mapLike,
  requireMap,
  requireStructOrNull,
  requireStructSchema,
  type StructValue,
} from './requirements.js';
import {
  LOGICAL_DATE,
  LOGICAL_TIME,
  LOGICAL_TIMESTAMP,
  MILLIS_PER_DAY,
  SchemaCache,
  dateSchema,
  rebuildStruct,
  structGet,
  timeSchema,
  timestampSchema,
} from './schema-util.js';

const PURPOSE = 'converting timestamp formats';
const TYPES = ['string', 'unix', 'Date', 'Time', 'Timestamp'] as const;
const PRECISIONS = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'] as const;
type TimestampType = (typeof TYPES)[number];
type Precision = (typeof PRECISIONS)[number];

// Kafka's ConfigDef.ValidString is case-sensitive, unlike the SDK's oneOf.
const validString =
  (allowed: readonly string[]): Validator =>
  (name, value) => {
    if (!allowed.includes(value as string)) throw new ConfigError(name, `String must be one of: ${allowed.join(', ')}`);
  };

const CONFIG = new ConfigDef()
  .define({
    name: 'field',
    type: 'STRING',
    defaultValue: '',
    importance: 'HIGH',
    documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp',
  })
  .define({
    name: 'target.type',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    validator: validString(TYPES),
    importance: 'HIGH',
    documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
  })
  .define({
    name: 'format',
    type: 'STRING',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation:
      'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or ' +
      'used to parse the input if the input is a string.',
  })
  .define({
    name: 'unix.precision',
    type: 'STRING',
    defaultValue: 'milliseconds',
    validator: validString(PRECISIONS),
    importance: 'LOW',
    documentation:
      'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to ' +
      'generate the output when type=unix or used to parse the input if the input is a Long.',
  });

const UNIX_FACTOR: Record<Precision, bigint> = {
  seconds: 1n,
  milliseconds: 1000n,
  microseconds: 1_000_000n,
  nanoseconds: 1_000_000_000n,
};

export abstract class TimestampConverter implements Transformation {
  private field = '';
  private target: TimestampType = 'Timestamp';
  private format: JavaDateFormat | null = null;
  private precision: Precision = 'milliseconds';
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    this.field = c['field'] as string;
    this.target = c['target.type'] as TimestampType;
    this.precision = c['unix.precision'] as Precision;
    const pattern = c['format'] as string;
    if (this.target === 'string' && pattern.trim() === '')
      throw new ConfigError(
        undefined,
        'TimestampConverter requires format option to be specified when using string timestamps',
      );
    this.format = null;
    if (pattern.trim() !== '') {
      try {
        this.format = new JavaDateFormat(pattern);
      } catch (err) {
        throw new ConfigError(
          undefined,
          `TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern} (${(err as Error).message})`,
        );
      }
    }
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    if (!schema) {
      if (value == null || this.field === '')
        return withOperating(record, this.side, null, this.convert(value, undefined));
      const map = requireMap(value, PURPOSE);
      const updated = new Map(mapEntries(map));
      updated.set(this.field, this.convert(mapGet(map, this.field), undefined));
      return withOperating(record, this.side, null, mapLike(map, updated));
    }
    const updatedSchema = this.schemas.get(schema, (s) => this.buildSchema(s));
    if (this.field === '') return withOperating(record, this.side, updatedSchema, this.convert(value, schema));
    const struct = requireStructOrNull(value, PURPOSE);
    if (struct == null) return withOperating(record, this.side, updatedSchema, null);
    const updated: StructValue = {};
    for (const field of requireStructSchema(schema, PURPOSE).fields) {
      const v = structGet(struct, field);
      updated[field.name] = field.name === this.field ? this.convert(v, field.schema) : v;
    }
    return withOperating(record, this.side, updatedSchema, updated);
  }

  private buildSchema(schema: Schema): Schema {
    if (this.field === '') return targetSchema(this.target, schema.optional);
    const fields = requireStructSchema(schema, PURPOSE).fields.map((f): [string, Schema] => [
      f.name,
      f.name === this.field ? targetSchema(this.target, f.schema.optional) : f.schema,
    ]);
    const rebuilt = rebuildStruct(schema, fields);
    const defaultStruct = schema.defaultValue as StructValue | null | undefined;
    const field = schema.fields?.find((f) => f.name === this.field);
    if (defaultStruct == null || !field) return rebuilt;
    const converted = { ...defaultStruct, [this.field]: this.convert(defaultStruct[this.field], field.schema) };
    return withSchema(rebuilt, { defaultValue: converted });
  }

  private convert(value: unknown, schema: Schema | undefined): unknown {
    if (value == null) return null;
    const source = schema ? typeFromSchema(schema) : inferType(value);
    return this.fromRaw(this.toRaw(value, source));
  }

  private toRaw(value: unknown, source: TimestampType): Date {
    switch (source) {
      case 'string': {
        if (typeof value !== 'string')
          throw new DataError(`Expected string timestamp to be a String, but found ${typeof value}`);
        if (!this.format)
          throw new DataError('TimestampConverter requires format option to be specified when using string timestamps');
        const parsed = this.format.parse(value);
        if (!parsed)
          throw new DataError(
            `Could not parse timestamp: value (${value}) does not match pattern (${this.format.pattern})`,
          );
        return parsed;
      }
      case 'unix': {
        if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value)))
          throw new DataError(`Expected Unix timestamp to be a Long, but found ${typeof value}`);
        // BigInt division truncates toward zero like Java's TimeUnit conversions.
        return new Date(Number((BigInt(value) * 1000n) / UNIX_FACTOR[this.precision]));
      }
      default:
        if (value instanceof Date) return value;
        // Logical values that arrive in their encoded form.
        if (typeof value === 'number') return new Date(source === 'Date' ? value * MILLIS_PER_DAY : value);
        throw new DataError(`Expected ${source} to be a Date, but found ${typeof value}`);
    }
  }

  private fromRaw(date: Date): unknown {
    const ms = date.getTime();
    switch (this.target) {
      case 'string':
        return this.format!.format(date);
      case 'unix':
        return int64Value((BigInt(ms) * UNIX_FACTOR[this.precision]) / 1000n);
      case 'Date':
        return new Date(ms - mod(ms, MILLIS_PER_DAY));
      case 'Time':
        return new Date(mod(ms, MILLIS_PER_DAY));
      case 'Timestamp':
        return date;
    }
  }
}

const mod = (a: number, b: number): number => ((a % b) + b) % b;

function targetSchema(type: TimestampType, optional: boolean): Schema {
  switch (type) {
    case 'string':
      return optional ? Schemas.OPTIONAL_STRING : Schemas.STRING;
    case 'unix':
      return optional ? Schemas.OPTIONAL_INT64 : Schemas.INT64;
    case 'Date':
      return dateSchema(optional);
    case 'Time':
      return timeSchema(optional);
    case 'Timestamp':
      return timestampSchema(optional);
  }
}

function typeFromSchema(schema: Schema): TimestampType {
  if (schema.name === LOGICAL_TIMESTAMP) return 'Timestamp';
  if (schema.name === LOGICAL_DATE) return 'Date';
  if (schema.name === LOGICAL_TIME) return 'Time';
  if (schema.type === 'string') return 'string';
  if (schema.type === 'int64') return 'unix';
  throw new DataError(`Schema of type ${schema.type} does not correspond to a known timestamp type format`);
}

function inferType(value: unknown): TimestampType {
  if (value instanceof Date) return 'Timestamp';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'unix';
  if (typeof value === 'string') return 'string';
  throw new DataError(`TimestampConverter does not support ${typeof value} objects as timestamps`);
}

export class TimestampConverterKey extends TimestampConverter {
  constructor() {
    super('key');
  }
}

export class TimestampConverterValue extends TimestampConverter {
  constructor() {
    super('value');
  }
}

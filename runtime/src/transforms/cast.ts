// Cast: changes the type of fields, or of the whole key or value.
import {
  ConfigDef,
  ConfigError,
  DataError,
  NO_DEFAULT,
  primitiveSchema,
  type ConnectRecord,
  type Schema,
  type SchemaType,
  type Transformation,
} from '../sdk/index.js';
import { JavaDateFormat } from './java-date-format.js';
import { javaFloatToString, narrowInteger, parseJavaFloat, parseJavaInteger } from './java-values.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import { mapEntries, mapGet, mapLike, requireMap, requireStruct, requireStructSchema } from './requirements.js';
import {
  LOGICAL_DATE,
  LOGICAL_TIME,
  LOGICAL_TIMESTAMP,
  MILLIS_PER_DAY,
  SchemaCache,
  rebuildStruct,
  schemaBasics,
  structGet,
} from './schema-util.js';

const PURPOSE = 'cast types';
const INPUT_TYPES: SchemaType[] = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
];
const OUTPUT_TYPES: SchemaType[] = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'];
const upper = (types: SchemaType[]) => `[${types.map((t) => t.toUpperCase()).join(', ')}]`;

/** Parsed `spec`: per-field target types, or one type for the whole value. */
interface CastSpec {
  fields: Map<string, SchemaType>;
  whole?: SchemaType;
}

function parseSpec(mappings: string[]): CastSpec {
  const spec: CastSpec = { fields: new Map() };
  if (mappings.length === 0) throw new ConfigError('spec', 'Must specify at least one field to cast.');
  for (const mapping of mappings) {
    // Java's String.split drops trailing empty strings.
    const parts = mapping.split(':');
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length > 2) throw new ConfigError('spec', `Invalid cast mapping: ${mapping}`);
    const typeName = parts[parts.length - 1]!.trim();
    const type = typeName.toLowerCase() as SchemaType;
    if (!OUTPUT_TYPES.includes(type)) {
      if (INPUT_TYPES.includes(type) || ['array', 'map', 'struct'].includes(type))
        throw new ConfigError(
          'spec',
          `Cast transformation does not support casting to ${typeName.toUpperCase()}; supported types are ${upper(OUTPUT_TYPES)}`,
        );
      throw new ConfigError('spec', `Invalid type found in casting spec: ${typeName}`);
    }
    if (parts.length === 1) spec.whole = type;
    else spec.fields.set(parts[0]!.trim(), type);
  }
  if (spec.whole && mappings.length > 1)
    throw new ConfigError(
      'spec',
      'Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec',
    );
  return spec;
}

const CONFIG = new ConfigDef().define({
  name: 'spec',
  type: 'LIST',
  defaultValue: NO_DEFAULT,
  validator: (_name, value) => void parseSpec(value as string[]),
  importance: 'HIGH',
  documentation:
    'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or ' +
    'Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, ' +
    'boolean, and string. Note that binary fields can only be cast to string.',
});

export abstract class Cast implements Transformation {
  private spec: CastSpec = { fields: new Map() };
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.spec = parseSpec(CONFIG.parse(props)['spec'] as string[]);
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = operatingValue(record, this.side);
    if (value == null) return record;
    const schema = operatingSchema(record, this.side);
    return schema ? this.applyWithSchema(record, schema, value) : this.applySchemaless(record, value);
  }

  private applySchemaless<R extends ConnectRecord>(record: R, value: unknown): R {
    if (this.spec.whole) return withOperating(record, this.side, null, castValue(null, value, this.spec.whole));
    const map = requireMap(value, PURPOSE);
    const updated = new Map(mapEntries(map));
    for (const [field, type] of this.spec.fields) updated.set(field, castValue(null, mapGet(map, field), type));
    return withOperating(record, this.side, null, mapLike(map, updated));
  }

  private applyWithSchema<R extends ConnectRecord>(record: R, schema: Schema, value: unknown): R {
    const updatedSchema = this.schemas.get(schema, (s) => this.buildSchema(s));
    if (this.spec.whole)
      return withOperating(record, this.side, updatedSchema, castValue(schema, value, this.spec.whole));
    const struct = requireStruct(value, PURPOSE);
    const updated: Record<string, unknown> = {};
    for (const field of requireStructSchema(schema, PURPOSE).fields) {
      const type = this.spec.fields.get(field.name);
      const original = structGet(struct, field);
      updated[field.name] = type ? castValue(field.schema, original, type) : original;
    }
    return withOperating(record, this.side, updatedSchema, updated);
  }

  private buildSchema(schema: Schema): Schema {
    if (this.spec.whole) return castSchema(schema, this.spec.whole, schemaBasics(schema));
    const struct = requireStructSchema(schema, PURPOSE);
    const fields = struct.fields.map((f): [string, Schema] => {
      const type = this.spec.fields.get(f.name);
      return [f.name, type ? castSchema(f.schema, type, {}) : f.schema];
    });
    return rebuildStruct(schema, fields);
  }
}

function castSchema(original: Schema, type: SchemaType, basics: object): Schema {
  const defaultValue = original.defaultValue != null ? castValue(original, original.defaultValue, type) : undefined;
  return primitiveSchema(type, {
    ...basics,
    optional: original.optional,
    ...(defaultValue !== undefined ? { defaultValue } : {}),
  });
}

function inferType(value: unknown): SchemaType | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'bigint':
      return 'int64';
    case 'number':
      return Number.isInteger(value) ? 'int64' : 'float64';
  }
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map) return 'map';
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return 'map';
  return undefined;
}

// Casting to anything but string works on a logical value's underlying number.
function encodeLogical(schema: Schema, value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  switch (schema.name) {
    case LOGICAL_DATE:
      return Math.floor(value.getTime() / MILLIS_PER_DAY);
    case LOGICAL_TIME:
      return value.getTime() % MILLIS_PER_DAY;
    case LOGICAL_TIMESTAMP:
      return value.getTime();
  }
  return value;
}

export function castValue(schema: Schema | null, value: unknown, target: SchemaType): unknown {
  if (value == null) return null;
  const inferred = schema ? schema.type : inferType(value);
  if (!inferred) {
    const kind = value instanceof Date ? 'Date' : typeof value;
    throw new DataError(
      `Cast transformation was passed a value of type ${kind} which is not supported by Connect's data API`,
    );
  }
  if (!INPUT_TYPES.includes(inferred))
    throw new DataError(
      `Cast transformation does not support casting from ${inferred.toUpperCase()}; supported types are ${upper(INPUT_TYPES)}`,
    );
  const v = schema?.name && target !== 'string' ? encodeLogical(schema, value) : value;
  const fromFloat = inferred === 'float32' || inferred === 'float64';
  try {
    switch (target) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
        if (typeof v === 'number' || typeof v === 'bigint') return narrowInteger(v, target, fromFloat);
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string') return parseJavaInteger(v, target);
        break;
      case 'float32':
      case 'float64': {
        const f32 = target === 'float32';
        if (typeof v === 'number' || typeof v === 'bigint') return f32 ? Math.fround(Number(v)) : Number(v);
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string') return parseJavaFloat(v, f32);
        break;
      }
      case 'boolean':
        if (typeof v === 'number' || typeof v === 'bigint') return narrowInteger(v, 'int64', fromFloat) != 0;
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string') return v.toLowerCase() === 'true';
        break;
      case 'string':
        return castToString(v, inferred);
    }
  } catch (err) {
    if (err instanceof RangeError)
      throw new DataError(`Value (${String(value)}) was out of range for requested data type`, { cause: err });
    throw err;
  }
  throw new DataError(`Unexpected type in Cast transformation: ${typeof v}`);
}

const TIME_FORMAT = new JavaDateFormat('HH:mm:ss.SSS');
const DATE_FORMAT = new JavaDateFormat('yyyy-MM-dd');
const TIMESTAMP_FORMAT = new JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

function castToString(value: unknown, type: SchemaType): string {
  if (value instanceof Date) {
    // Kafka's Values.dateFormatFor: the format is chosen from the value itself.
    const ms = value.getTime();
    const fmt = ms < MILLIS_PER_DAY ? TIME_FORMAT : ms % MILLIS_PER_DAY === 0 ? DATE_FORMAT : TIMESTAMP_FORMAT;
    return fmt.format(value);
  }
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'number' && (type === 'float32' || type === 'float64' || !Number.isInteger(value)))
    return javaFloatToString(value, type === 'float32');
  return String(value);
}

export class CastKey extends Cast {
  constructor() {
    super('key');
  }
}

export class CastValue extends Cast {
  constructor() {
    super('value');
  }
}

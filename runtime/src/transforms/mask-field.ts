// MaskField: replaces fields with a type-appropriate empty value or a
// configured replacement, for data that must not leave the pipeline.
import {
  ConfigDef,
  DataError,
  NO_DEFAULT,
  type ConnectRecord,
  type Schema,
  type SchemaType,
  type Transformation,
} from '../sdk/index.js';
import { int64Value, parseJavaFloat, parseJavaInteger } from './java-values.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import { mapEntries, mapGet, mapLike, requireMap, requireStruct, requireStructSchema } from './requirements.js';
import { structGet } from './schema-util.js';
import { nonEmptyList, nonEmptyString } from './validators.js';

const PURPOSE = 'mask fields';

const CONFIG = new ConfigDef()
  .define({
    name: 'fields',
    type: 'LIST',
    defaultValue: NO_DEFAULT,
    validator: nonEmptyList,
    importance: 'HIGH',
    documentation: 'Names of fields to mask.',
  })
  .define({
    name: 'replacement',
    type: 'STRING',
    defaultValue: null,
    validator: nonEmptyString,
    importance: 'LOW',
    documentation:
      "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
  });

export abstract class MaskField implements Transformation {
  private fields = new Set<string>();
  private replacement: string | null = null;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    this.fields = new Set(c['fields'] as string[]);
    this.replacement = (c['replacement'] as string | null) ?? null;
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = operatingValue(record, this.side);
    if (value == null) return record;
    const schema = operatingSchema(record, this.side);
    if (!schema) {
      const map = requireMap(value, PURPOSE);
      const updated = new Map(mapEntries(map));
      for (const field of this.fields) updated.set(field, this.masked(mapGet(map, field), undefined));
      return withOperating(record, this.side, null, mapLike(map, updated));
    }
    const struct = requireStruct(value, PURPOSE);
    const updated: Record<string, unknown> = {};
    for (const field of requireStructSchema(schema, PURPOSE).fields) {
      const v = structGet(struct, field);
      updated[field.name] = this.fields.has(field.name) ? this.masked(v, field.schema) : v;
    }
    return withOperating(record, this.side, schema, updated);
  }

  private masked(value: unknown, schema: Schema | undefined): unknown {
    if (value == null) return null;
    const type = schema?.type ?? inferType(value);
    if (this.replacement == null) return emptyValue(value, type);
    return this.replace(value, type, this.replacement);
  }

  private replace(value: unknown, type: SchemaType | undefined, replacement: string): unknown {
    try {
      switch (type) {
        case 'string':
          return replacement;
        case 'int8':
        case 'int16':
        case 'int32':
        case 'int64':
          return parseJavaInteger(replacement, type);
        case 'float32':
        case 'float64':
          return parseJavaFloat(replacement, type === 'float32');
        case undefined:
          // schemaless numbers: JavaScript cannot tell an Integer from a Double
          if (typeof value === 'bigint') return int64Value(BigInt(replacement));
          if (typeof value === 'number') return parseJavaFloat(replacement, false);
      }
    } catch {
      throw new DataError(`Unable to convert ${replacement} (String) to number`);
    }
    throw new DataError(`Cannot mask value of type ${describe(value)} with custom replacement.`);
  }
}

function inferType(value: unknown): SchemaType | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'Date';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (Array.isArray(value)) return 'Array';
  if (value instanceof Map) return 'Map';
  return typeof value;
}

function emptyValue(value: unknown, type: SchemaType | undefined): unknown {
  if (value instanceof Date) return new Date(0);
  if (typeof value === 'bigint') return 0n;
  if (typeof value === 'number') return 0;
  if (typeof value === 'boolean') return false;
  if (typeof value === 'string') return '';
  if (Array.isArray(value)) return [];
  if (value instanceof Map) return new Map();
  if (type === 'map' || (type === undefined && typeof value === 'object' && !Buffer.isBuffer(value))) return {};
  throw new DataError(`Cannot mask value of type: ${describe(value)}`);
}

export class MaskFieldKey extends MaskField {
  constructor() {
    super('key');
  }
}

export class MaskFieldValue extends MaskField {
  constructor() {
    super('value');
  }
}

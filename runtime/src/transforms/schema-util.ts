// Schema helpers shared by the transforms: Kafka's SchemaUtil, the logical
// types (Date, Time, Timestamp) and a per-transform cache of derived schemas.
import { primitiveSchema, structSchema, type Field, type Schema, type SchemaProps } from '../sdk/index.js';
import type { StructValue } from './requirements.js';

export const LOGICAL_DATE = 'org.apache.kafka.connect.data.Date';
export const LOGICAL_TIME = 'org.apache.kafka.connect.data.Time';
export const LOGICAL_TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
export const LOGICAL_DECIMAL = 'org.apache.kafka.connect.data.Decimal';

export const MILLIS_PER_DAY = 24 * 60 * 60 * 1000;

export function timestampSchema(optional = false): Schema {
  return primitiveSchema('int64', { name: LOGICAL_TIMESTAMP, version: 1, optional });
}

export function dateSchema(optional = false): Schema {
  return primitiveSchema('int32', { name: LOGICAL_DATE, version: 1, optional });
}

export function timeSchema(optional = false): Schema {
  return primitiveSchema('int32', { name: LOGICAL_TIME, version: 1, optional });
}

/** Name, version, doc and parameters: what Kafka's SchemaUtil.copySchemaBasics carries over. */
export function schemaBasics(schema: Schema): SchemaProps {
  const props: { -readonly [K in keyof SchemaProps]: SchemaProps[K] } = {};
  if (schema.name !== undefined) props.name = schema.name;
  if (schema.version !== undefined) props.version = schema.version;
  if (schema.doc !== undefined) props.doc = schema.doc;
  if (schema.parameters !== undefined) props.parameters = schema.parameters;
  return props;
}

/** A struct schema with `schema`'s basics, optionality and default but other fields. */
export function rebuildStruct(schema: Schema, fields: ReadonlyArray<[string, Schema]>): Schema {
  const props: SchemaProps = { ...schemaBasics(schema), optional: schema.optional };
  return structSchema(
    fields,
    schema.defaultValue !== undefined ? { ...props, defaultValue: schema.defaultValue } : props,
  );
}

/**
 * A struct field's value as Kafka's Struct.get returns it: a missing value
 * reads as the field schema's default.
 */
export function structGet(struct: StructValue, field: Field): unknown {
  const value = struct[field.name];
  return value == null ? (field.schema.defaultValue ?? null) : value;
}

/**
 * Derived schemas are cached per input schema, as Kafka does, so that
 * records sharing a schema object also share the transformed one, which lets
 * converters downstream cache by identity.
 */
export class SchemaCache {
  private cache = new WeakMap<Schema, Schema>();

  get(schema: Schema, build: (schema: Schema) => Schema): Schema {
    let out = this.cache.get(schema);
    if (!out) {
      out = build(schema);
      this.cache.set(schema, out);
    }
    return out;
  }
}

// Kafka Connect's data schemas. Values are plain JS data: a struct is a plain
// object keyed by field name, bytes are Buffers, int64 is a number (or a
// bigint when it does not fit in 2^53), arrays and maps are arrays and plain
// objects (or Maps for non-string keys).

export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly defaultValue?: unknown;
  /** struct only */
  readonly fields?: readonly Field[];
  /** map only */
  readonly keySchema?: Schema;
  /** array and map only */
  readonly valueSchema?: Schema;
}

export type SchemaProps = Omit<Schema, 'type' | 'optional' | 'fields'> & { optional?: boolean };

function primitive(type: SchemaType, optional: boolean): Schema {
  return Object.freeze({ type, optional });
}

/** Ready-made primitive schemas, named as in Kafka Connect's `Schema` constants. */
export const Schemas = {
  INT8: primitive('int8', false),
  INT16: primitive('int16', false),
  INT32: primitive('int32', false),
  INT64: primitive('int64', false),
  FLOAT32: primitive('float32', false),
  FLOAT64: primitive('float64', false),
  BOOLEAN: primitive('boolean', false),
  STRING: primitive('string', false),
  BYTES: primitive('bytes', false),
  OPTIONAL_INT8: primitive('int8', true),
  OPTIONAL_INT16: primitive('int16', true),
  OPTIONAL_INT32: primitive('int32', true),
  OPTIONAL_INT64: primitive('int64', true),
  OPTIONAL_FLOAT32: primitive('float32', true),
  OPTIONAL_FLOAT64: primitive('float64', true),
  OPTIONAL_BOOLEAN: primitive('boolean', true),
  OPTIONAL_STRING: primitive('string', true),
  OPTIONAL_BYTES: primitive('bytes', true),
} as const;

export function primitiveSchema(type: SchemaType, props: SchemaProps = {}): Schema {
  return Object.freeze({ ...props, type, optional: props.optional ?? false });
}

export function structSchema(fields: ReadonlyArray<[string, Schema]>, props: SchemaProps = {}): Schema {
  return Object.freeze({
    ...props,
    type: 'struct' as const,
    optional: props.optional ?? false,
    fields: Object.freeze(fields.map(([name, schema], index) => Object.freeze({ name, index, schema }))),
  });
}

export function arraySchema(valueSchema: Schema, props: SchemaProps = {}): Schema {
  return Object.freeze({ ...props, type: 'array' as const, optional: props.optional ?? false, valueSchema });
}

export function mapSchema(keySchema: Schema, valueSchema: Schema, props: SchemaProps = {}): Schema {
  return Object.freeze({ ...props, type: 'map' as const, optional: props.optional ?? false, keySchema, valueSchema });
}

/** A copy of `schema` with some properties changed (Kafka's SchemaBuilder round trip). */
export function withSchema(schema: Schema, changes: Partial<Schema>): Schema {
  return Object.freeze({ ...schema, ...changes });
}

export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name);
}

export const isPrimitive = (type: SchemaType): boolean => type !== 'array' && type !== 'map' && type !== 'struct';

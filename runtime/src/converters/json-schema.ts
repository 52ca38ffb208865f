// Connect schemas <-> the "schema" half of JsonConverter's envelope. Both
// directions are cached (schemas.cache.size): most topics carry one schema.
import {
  DataError,
  arraySchema,
  mapSchema,
  primitiveSchema,
  structSchema,
  withSchema,
  type Schema,
  type SchemaProps,
  type SchemaType,
} from '../sdk/index.js';
import { quote } from './java-text.js';
import { readJson } from './json-read.js';
import { writeJson, type JsonWriteOptions } from './json-write.js';
import { LruCache } from './lru-cache.js';

const TO_JSON_TYPE: Record<SchemaType, string> = {
  boolean: 'boolean',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  bytes: 'bytes',
  string: 'string',
  array: 'array',
  map: 'map',
  struct: 'struct',
};

const FROM_JSON_TYPE: Record<string, SchemaType> = Object.assign(Object.create(null) as object, {
  boolean: 'boolean',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float: 'float32',
  double: 'float64',
  bytes: 'bytes',
  string: 'string',
} satisfies Record<string, SchemaType>);

type JsonObject = Record<string, unknown>;

export class JsonSchemaCodec {
  private readonly toJsonCache: LruCache<Schema, string>;
  private readonly toConnectCache: LruCache<string, Schema>;

  constructor(
    cacheSize: number,
    private readonly opts: JsonWriteOptions,
  ) {
    this.toJsonCache = new LruCache(cacheSize);
    this.toConnectCache = new LruCache(cacheSize);
  }

  /** The schema as JSON text, keys in the order Jackson emits them. */
  toJson(schema: Schema | null | undefined): string {
    if (!schema) return 'null';
    const cached = this.toJsonCache.get(schema);
    if (cached !== undefined) return cached;
    let out: string;
    switch (schema.type) {
      case 'array':
        out = '{"type":"array","items":' + this.toJson(schema.valueSchema);
        break;
      case 'map':
        out = '{"type":"map","keys":' + this.toJson(schema.keySchema) + ',"values":' + this.toJson(schema.valueSchema);
        break;
      case 'struct':
        out =
          '{"type":"struct","fields":[' +
          (schema.fields ?? [])
            .map((f) => this.toJson(f.schema).slice(0, -1) + ',"field":' + quote(f.name) + '}')
            .join(',') +
          ']';
        break;
      default:
        out = '{"type":"' + TO_JSON_TYPE[schema.type] + '"';
    }
    out += schema.optional ? ',"optional":true' : ',"optional":false';
    if (schema.name != null) out += ',"name":' + quote(schema.name);
    if (schema.version != null) out += ',"version":' + schema.version;
    if (schema.doc != null) out += ',"doc":' + quote(schema.doc);
    if (schema.parameters != null) {
      out += ',"parameters":{';
      let first = true;
      for (const [k, v] of Object.entries(schema.parameters)) {
        out += (first ? '' : ',') + quote(k) + ':' + quote(v);
        first = false;
      }
      out += '}';
    }
    if (schema.defaultValue != null) out += ',"default":' + writeJson(schema, schema.defaultValue, this.opts);
    out += '}';
    this.toJsonCache.set(schema, out);
    return out;
  }

  /** The Connect schema described by a parsed envelope "schema" node (null for JSON null). */
  toConnect(node: unknown): Schema | null {
    if (node === null || node === undefined) return null;
    if (typeof node !== 'object' || Array.isArray(node)) throw new DataError("Schema must contain 'type' field");
    const key = cacheKey(node);
    const cached = this.toConnectCache.get(key);
    if (cached !== undefined) return cached;
    const schema = this.build(node as JsonObject);
    this.toConnectCache.set(key, schema);
    return schema;
  }

  private build(node: JsonObject): Schema {
    const type = node.type;
    if (typeof type !== 'string') throw new DataError("Schema must contain 'type' field");
    const props: { -readonly [K in keyof SchemaProps]: SchemaProps[K] } = { optional: node.optional === true };
    if (typeof node.name === 'string') props.name = node.name;
    if (Number.isInteger(node.version)) props.version = node.version as number;
    if (typeof node.doc === 'string') props.doc = node.doc;
    const params = node.parameters;
    if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
      const parameters: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) {
        if (typeof v !== 'string') throw new DataError('Schema parameters must have string values.');
        parameters[k] = v;
      }
      props.parameters = parameters;
    }
    let schema: Schema;
    switch (type) {
      case 'array': {
        if (node.items == null) throw new DataError('Array schema did not specify the element type');
        schema = arraySchema(this.toConnect(node.items)!, props);
        break;
      }
      case 'map': {
        const keys = this.toConnect(node.keys);
        if (!keys) throw new DataError('Map schema did not specify the key type');
        const values = this.toConnect(node.values);
        if (!values) throw new DataError('Map schema did not specify the value type');
        schema = mapSchema(keys, values, props);
        break;
      }
      case 'struct': {
        const fields = node.fields;
        if (!Array.isArray(fields)) throw new DataError('Struct schema\'s "fields" argument is not an array.');
        const built: [string, Schema][] = fields.map((f: unknown) => {
          const name = (f as JsonObject | null)?.field;
          if (typeof name !== 'string') throw new DataError("Struct schema's field name not specified properly");
          return [name, this.toConnect(f)!];
        });
        schema = structSchema(built, props);
        break;
      }
      default: {
        const sdkType = FROM_JSON_TYPE[type];
        if (!sdkType) throw new DataError(`Unknown schema type: ${type}`);
        schema = primitiveSchema(sdkType, props);
      }
    }
    // Kafka converts the default with the schema built so far (so logical types apply).
    if (node.default != null) schema = withSchema(schema, { defaultValue: readJson(schema, node.default, false) });
    return schema;
  }
}

function cacheKey(node: object): string {
  try {
    return JSON.stringify(node);
  } catch {
    // bigints (huge integer defaults) are not JSON.stringify-able.
    return JSON.stringify(node, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  }
}

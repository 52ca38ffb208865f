// HeaderFrom: copies or moves fields of the key or value into headers.
import {
  ConfigDef,
  ConfigError,
  DataError,
  NO_DEFAULT,
  fieldOf,
  newRecord,
  structSchema,
  type ConnectRecord,
  type Header,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { headersOf } from './headers.js';
import { operatingSchema, operatingValue, type Side } from './key-or-value.js';
import { mapEntries, mapGet, mapLike, requireMap, requireStruct, requireStructSchema } from './requirements.js';
import { SchemaCache, schemaBasics, structGet } from './schema-util.js';
import { nonEmptyList } from './validators.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'fields',
    type: 'LIST',
    defaultValue: NO_DEFAULT,
    validator: nonEmptyList,
    importance: 'HIGH',
    documentation: 'Field names in the record whose values are to be copied or moved to headers.',
  })
  .define({
    name: 'headers',
    type: 'LIST',
    defaultValue: NO_DEFAULT,
    validator: nonEmptyList,
    importance: 'HIGH',
    documentation: 'Header names, in the same order as the field names listed in the fields configuration property.',
  })
  .define({
    name: 'operation',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    validator: (name, value) => {
      if (value !== 'move' && value !== 'copy') throw new ConfigError(name, 'String must be one of: move, copy');
    },
    importance: 'HIGH',
    documentation:
      'Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).',
  });

export abstract class HeaderFrom implements Transformation {
  private fields: string[] = [];
  private headers: string[] = [];
  private move = false;
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    this.fields = c['fields'] as string[];
    this.headers = c['headers'] as string[];
    if (this.fields.length !== this.headers.length)
      throw new ConfigError(undefined, "'fields' config must have the same number of elements as 'headers' config.");
    this.move = c['operation'] === 'move';
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = operatingValue(record, this.side);
    // A tombstone has no fields to take headers from, and must stay a tombstone.
    if (value == null) return record;
    const schema = operatingSchema(record, this.side);
    const purpose = `header ${this.move ? 'move' : 'copy'}`;
    const headers = headersOf(record.headers);
    if (!schema) {
      const map = requireMap(value, purpose);
      const moved = new Set(this.move ? this.fields : []);
      this.fields.forEach((f, i) =>
        headers.push({ key: this.headers[i]!, value: mapGet(map, f) ?? null, schema: null }),
      );
      const updated = mapLike(
        map,
        mapEntries(map).filter(([k]) => !moved.has(k)),
      );
      return this.result(record, null, updated, headers);
    }
    const struct = requireStruct(value, purpose);
    const structType = requireStructSchema(schema, purpose);
    this.fields.forEach((f, i) => {
      const field = fieldOf(structType, f);
      if (!field) throw new DataError(`${f} is not a valid field name`);
      const header: Header = { key: this.headers[i]!, value: structGet(struct, field), schema: field.schema };
      headers.push(header);
    });
    if (!this.move) return this.result(record, schema, value, headers);
    const updatedSchema = this.schemas.get(schema, (s) => this.withoutMoved(s));
    const updated: Record<string, unknown> = {};
    for (const field of updatedSchema.fields!) updated[field.name] = structGet(struct, field);
    return this.result(record, updatedSchema, updated, headers);
  }

  private withoutMoved(schema: Schema): Schema {
    const moved = new Set(this.fields);
    const fields = schema.fields!.filter((f) => !moved.has(f.name)).map((f): [string, Schema] => [f.name, f.schema]);
    return structSchema(fields, { ...schemaBasics(schema), optional: schema.optional });
  }

  private result<R extends ConnectRecord>(record: R, schema: Schema | null, value: unknown, headers: Header[]): R {
    return this.side === 'key'
      ? newRecord(record, { keySchema: schema, key: value, headers })
      : newRecord(record, { valueSchema: schema, value, headers });
  }
}

export class HeaderFromKey extends HeaderFrom {
  constructor() {
    super('key');
  }
}

export class HeaderFromValue extends HeaderFrom {
  constructor() {
    super('value');
  }
}

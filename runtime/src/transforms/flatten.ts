// Flatten: lifts nested structs (or maps) into their parent, joining the
// field names with `delimiter`.
import {
  ConfigDef,
  DataError,
  type ConnectRecord,
  type Field,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import {
  isMapValue,
  mapEntries,
  mapLike,
  requireMapOrNull,
  requireStructOrNull,
  requireStructSchema,
  type MapValue,
  type StructValue,
} from './requirements.js';
import { SchemaCache, rebuildStruct } from './schema-util.js';

const PURPOSE = 'flattening';

const CONFIG = new ConfigDef().define({
  name: 'delimiter',
  type: 'STRING',
  defaultValue: '.',
  importance: 'MEDIUM',
  documentation:
    'Delimiter to insert between field names from the input record when generating field names for the output record',
});

export abstract class Flatten implements Transformation {
  private delimiter = '.';
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.delimiter = CONFIG.parse(props)['delimiter'] as string;
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    if (!schema) {
      const map = requireMapOrNull(value, PURPOSE);
      if (map == null) return withOperating(record, this.side, null, null);
      const out: [string, unknown][] = [];
      this.flattenMap(map, '', out);
      return withOperating(record, this.side, null, mapLike(map, out));
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const updatedSchema = this.schemas.get(schema, (s) => this.buildSchema(s));
    if (struct == null) return withOperating(record, this.side, updatedSchema, null);
    const out: Record<string, unknown> = {};
    this.flattenStruct(struct, requireStructSchema(schema, PURPOSE).fields, '', out);
    return withOperating(record, this.side, updatedSchema, out);
  }

  private name(prefix: string, name: string): string {
    return prefix === '' ? name : prefix + this.delimiter + name;
  }

  private flattenMap(map: MapValue, prefix: string, out: [string, unknown][]): void {
    for (const [key, value] of mapEntries(map)) {
      const name = this.name(prefix, key);
      if (isMapValue(value)) this.flattenMap(value, name, out);
      else if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
        throw new DataError(
          `Flatten transformation does not support ${typeof value} for record without schemas (for field ${name}).`,
        );
      else out.push([name, value]);
    }
  }

  private flattenStruct(struct: StructValue | null, fields: readonly Field[], prefix: string, out: StructValue): void {
    for (const field of fields) {
      const name = this.name(prefix, field.name);
      const value = struct == null ? null : (struct[field.name] ?? null);
      if (field.schema.type === 'struct') {
        this.flattenStruct(requireStructOrNull(value, PURPOSE), field.schema.fields ?? [], name, out);
      } else {
        out[name] = value ?? field.schema.defaultValue ?? null;
      }
    }
  }

  private buildSchema(schema: Schema): Schema {
    const fields: [string, Schema][] = [];
    const collect = (s: Schema, prefix: string, optional: boolean, parentDefault: unknown): void => {
      for (const field of requireStructSchema(s, PURPOSE).fields) {
        const name = this.name(prefix, field.name);
        const fieldOptional = optional || field.schema.optional;
        const fieldDefault =
          field.schema.defaultValue ?? (parentDefault != null ? (parentDefault as StructValue)[field.name] : undefined);
        if (field.schema.type === 'struct') collect(field.schema, name, fieldOptional, fieldDefault);
        else {
          const { defaultValue: _ignored, ...rest } = field.schema;
          fields.push([
            name,
            Object.freeze({
              ...rest,
              optional: fieldOptional,
              ...(fieldDefault != null ? { defaultValue: fieldDefault } : {}),
            }),
          ]);
        }
      }
    };
    collect(schema, '', schema.optional, schema.defaultValue);
    const { defaultValue: _ignored, ...withoutDefault } = schema;
    return rebuildStruct(withoutDefault, fields);
  }
}

export class FlattenKey extends Flatten {
  constructor() {
    super('key');
  }
}

export class FlattenValue extends Flatten {
  constructor() {
    super('value');
  }
}

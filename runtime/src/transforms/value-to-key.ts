// ValueToKey: builds the record key from fields of the value.
import {
  ConfigDef,
  DataError,
  NO_DEFAULT,
  fieldOf,
  newRecord,
  structSchema,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { mapGet, mapLike, requireMap, requireStruct, requireStructSchema } from './requirements.js';
import { SchemaCache, structGet } from './schema-util.js';
import { nonEmptyList } from './validators.js';

const PURPOSE = 'copying fields from value to key';

const CONFIG = new ConfigDef().define({
  name: 'fields',
  type: 'LIST',
  defaultValue: NO_DEFAULT,
  validator: nonEmptyList,
  importance: 'HIGH',
  documentation: 'Field names on the record value to extract as the record key.',
});

export class ValueToKey implements Transformation {
  private fields: string[] = [];
  private schemas = new SchemaCache();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.fields = CONFIG.parse(props)['fields'] as string[];
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    if (!record.valueSchema) {
      const map = requireMap(record.value, PURPOSE);
      const key = mapLike(
        map,
        this.fields.map((f) => [f, mapGet(map, f) ?? null]),
      );
      return newRecord(record, { keySchema: null, key });
    }
    const struct = requireStruct(record.value, PURPOSE);
    const keySchema = this.schemas.get(record.valueSchema, (s) => this.keySchema(s));
    const key: Record<string, unknown> = {};
    for (const f of this.fields) key[f] = structGet(struct, fieldOf(record.valueSchema, f)!);
    return newRecord(record, { keySchema, key });
  }

  private keySchema(valueSchema: Schema): Schema {
    const struct = requireStructSchema(valueSchema, PURPOSE);
    return structSchema(
      this.fields.map((f): [string, Schema] => {
        const field = fieldOf(struct, f);
        if (!field) throw new DataError(`Field does not exist: ${f}`);
        return [f, field.schema];
      }),
    );
  }
}

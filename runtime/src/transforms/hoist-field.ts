// HoistField: wraps the key or value in a single-field struct (or map).
import { ConfigDef, NO_DEFAULT, structSchema, type ConnectRecord, type Transformation } from '../sdk/index.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import { SchemaCache } from './schema-util.js';

const CONFIG = new ConfigDef().define({
  name: 'field',
  type: 'STRING',
  defaultValue: NO_DEFAULT,
  importance: 'MEDIUM',
  documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
});

export abstract class HoistField implements Transformation {
  private field = '';
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.field = CONFIG.parse(props)['field'] as string;
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    const hoisted = { [this.field]: value ?? null };
    if (!schema) return withOperating(record, this.side, null, hoisted);
    const updatedSchema = this.schemas.get(schema, (s) => structSchema([[this.field, s]]));
    return withOperating(record, this.side, updatedSchema, hoisted);
  }
}

export class HoistFieldKey extends HoistField {
  constructor() {
    super('key');
  }
}

export class HoistFieldValue extends HoistField {
  constructor() {
    super('value');
  }
}

// ExtractField: replaces the key or value with one of its fields.
import { ConfigDef, DataError, NO_DEFAULT, type ConnectRecord, type Transformation } from '../sdk/index.js';
import { FIELD_SYNTAX_VERSION_CONFIG, SingleFieldPath, defineFieldSyntaxVersion } from './field-path.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import { requireMapOrNull, requireStructOrNull } from './requirements.js';

const PURPOSE = 'field extraction';

const CONFIG = defineFieldSyntaxVersion(
  new ConfigDef().define({
    name: 'field',
    type: 'STRING',
    defaultValue: NO_DEFAULT,
    importance: 'MEDIUM',
    documentation: 'Field name to extract.',
  }),
);

export abstract class ExtractField implements Transformation {
  private path = new SingleFieldPath('', 'V1');

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const parsed = CONFIG.parse(props);
    this.path = new SingleFieldPath(parsed['field'] as string, parsed[FIELD_SYNTAX_VERSION_CONFIG] as string);
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = operatingSchema(record, this.side);
    const value = operatingValue(record, this.side);
    if (!schema) {
      const map = requireMapOrNull(value, PURPOSE);
      return withOperating(record, this.side, null, map == null ? null : this.path.valueFromMap(map));
    }
    const struct = requireStructOrNull(value, PURPOSE);
    if (schema.type !== 'struct') throw new DataError(`Cannot look up fields on non-struct type ${schema.type}`);
    const field = this.path.fieldFrom(schema);
    if (!field) throw new DataError(`Unknown field: ${this.path.text}`);
    return withOperating(
      record,
      this.side,
      field.schema,
      struct == null ? null : this.path.valueFromStruct(struct, schema),
    );
  }
}

export class ExtractFieldKey extends ExtractField {
  constructor() {
    super('key');
  }
}

export class ExtractFieldValue extends ExtractField {
  constructor() {
    super('value');
  }
}

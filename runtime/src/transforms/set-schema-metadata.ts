// SetSchemaMetadata: overrides the name and/or version of the key or value schema.
import {
  ConfigDef,
  ConfigError,
  withSchema,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import { requireSchema } from './requirements.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'schema.name',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'Schema name to set.',
  })
  .define({
    name: 'schema.version',
    type: 'INT',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'Schema version to set.',
  });

export abstract class SetSchemaMetadata implements Transformation {
  private name: string | null = null;
  private version: number | null = null;

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    this.name = (c['schema.name'] as string | null) || null;
    this.version = (c['schema.version'] as number | null) ?? null;
    if (this.name == null && this.version == null)
      throw new ConfigError(undefined, 'Neither schema name nor version configured');
  }

  apply<R extends ConnectRecord>(record: R): R {
    const schema = requireSchema(operatingSchema(record, this.side), 'updating schema metadata');
    const changes: Partial<Schema> = {};
    if (this.name != null) Object.assign(changes, { name: this.name });
    if (this.version != null) Object.assign(changes, { version: this.version });
    return withOperating(record, this.side, withSchema(schema, changes), operatingValue(record, this.side));
  }
}

export class SetSchemaMetadataKey extends SetSchemaMetadata {
  constructor() {
    super('key');
  }
}

export class SetSchemaMetadataValue extends SetSchemaMetadata {
  constructor() {
    super('value');
  }
}

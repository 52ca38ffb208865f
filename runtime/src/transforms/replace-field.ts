// ReplaceField: drops (exclude/include) and renames fields.
import {
  ConfigDef,
  ConfigError,
  structSchema,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import { mapEntries, mapLike, requireMap, requireStruct, requireStructSchema } from './requirements.js';
import { SchemaCache, schemaBasics, structGet } from './schema-util.js';

const PURPOSE = 'field replacement';

function parseRenames(mappings: string[]): Map<string, string> {
  const renames = new Map<string, string>();
  for (const mapping of mappings) {
    const parts = mapping.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      throw new ConfigError('renames', `Invalid rename mapping: ${mapping}`);
    renames.set(parts[0]!, parts[1]!);
  }
  return renames;
}

const list = (name: string, defaultValue: string[] | null, documentation: string) =>
  ({ name, type: 'LIST', defaultValue, importance: 'MEDIUM', documentation }) as const;

const CONFIG = new ConfigDef()
  .define(list('exclude', [], 'Fields to exclude. This takes precedence over the fields to include.'))
  .define(list('include', [], 'Fields to include. If specified, only these fields will be used.'))
  .define({
    ...list('renames', [], 'Field rename mappings.'),
    validator: (_name, value) => void parseRenames(value as string[]),
  })
  .define(list('blacklist', null, 'Deprecated. Use exclude instead.'))
  .define(list('whitelist', null, 'Deprecated. Use include instead.'));

export abstract class ReplaceField implements Transformation {
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    // The pre-KIP-629 names still work when the new ones are not given.
    const translated = { ...props };
    if (translated['exclude'] === undefined && props['blacklist'] !== undefined)
      translated['exclude'] = props['blacklist'];
    if (translated['include'] === undefined && props['whitelist'] !== undefined)
      translated['include'] = props['whitelist'];
    const c = CONFIG.parse(translated);
    this.exclude = new Set(c['exclude'] as string[]);
    this.include = new Set(c['include'] as string[]);
    this.renames = parseRenames(c['renames'] as string[]);
    this.schemas = new SchemaCache();
  }

  private keep(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  private renamed(name: string): string {
    return this.renames.get(name) ?? name;
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = operatingValue(record, this.side);
    if (value == null) return record;
    const schema = operatingSchema(record, this.side);
    if (!schema) {
      const map = requireMap(value, PURPOSE);
      const entries = mapEntries(map).filter(([k]) => this.keep(k));
      return withOperating(
        record,
        this.side,
        null,
        mapLike(
          map,
          entries.map(([k, v]) => [this.renamed(k), v]),
        ),
      );
    }
    const struct = requireStruct(value, PURPOSE);
    const updatedSchema = this.schemas.get(schema, (s) => this.buildSchema(s));
    const updated: Record<string, unknown> = {};
    for (const field of requireStructSchema(schema, PURPOSE).fields)
      if (this.keep(field.name)) updated[this.renamed(field.name)] = structGet(struct, field);
    return withOperating(record, this.side, updatedSchema, updated);
  }

  private buildSchema(schema: Schema): Schema {
    const fields = requireStructSchema(schema, PURPOSE)
      .fields.filter((f) => this.keep(f.name))
      .map((f): [string, Schema] => [this.renamed(f.name), f.schema]);
    return structSchema(fields, { ...schemaBasics(schema), optional: schema.optional });
  }
}

export class ReplaceFieldKey extends ReplaceField {
  constructor() {
    super('key');
  }
}

export class ReplaceFieldValue extends ReplaceField {
  constructor() {
    super('value');
  }
}

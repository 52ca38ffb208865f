// InsertField: adds record metadata (topic, partition, offset, timestamp) or
// a static string as fields of the key or value.
import {
  ConfigDef,
  DataError,
  Schemas,
  structSchema,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '../sdk/index.js';
import { operatingSchema, operatingValue, withOperating, type Side } from './key-or-value.js';
import {
  mapEntries,
  mapLike,
  requireMap,
  requireSinkRecord,
  requireStruct,
  requireStructSchema,
} from './requirements.js';
import { SchemaCache, schemaBasics, structGet, timestampSchema } from './schema-util.js';

const PURPOSE = 'field insertion';

interface Insertion {
  name: string;
  optional: boolean;
  schema: Schema;
  value: (record: ConnectRecord) => unknown;
}

const define = (def: ConfigDef, name: string, documentation: string): ConfigDef =>
  def.define({ name, type: 'STRING', defaultValue: null, importance: 'MEDIUM', documentation });

const SUFFIX_DOC =
  ' Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';

let CONFIG = new ConfigDef();
CONFIG = define(CONFIG, 'topic.field', 'Field name for Kafka topic.' + SUFFIX_DOC);
CONFIG = define(CONFIG, 'partition.field', 'Field name for Kafka partition.' + SUFFIX_DOC);
CONFIG = define(
  CONFIG,
  'offset.field',
  'Field name for Kafka offset - only applicable to sink connectors.' + SUFFIX_DOC,
);
CONFIG = define(CONFIG, 'timestamp.field', 'Field name for record timestamp.' + SUFFIX_DOC);
CONFIG = define(CONFIG, 'static.field', 'Field name for static data field.' + SUFFIX_DOC);
CONFIG = define(CONFIG, 'static.value', 'Static field value, if field name configured.');

function spec(raw: unknown): { name: string; optional: boolean } | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (raw.endsWith('!')) return { name: raw.slice(0, -1), optional: false };
  if (raw.endsWith('?')) return { name: raw.slice(0, -1), optional: true };
  return { name: raw, optional: true };
}

export abstract class InsertField implements Transformation {
  private insertions: Insertion[] = [];
  private schemas = new SchemaCache();

  constructor(private readonly side: Side) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = CONFIG.parse(props);
    const staticValue = (c['static.value'] as string | null) ?? null;
    const candidates: [string, Schema, Schema, (r: ConnectRecord) => unknown][] = [
      ['topic.field', Schemas.STRING, Schemas.OPTIONAL_STRING, (r) => r.topic],
      ['partition.field', Schemas.INT32, Schemas.OPTIONAL_INT32, (r) => r.kafkaPartition ?? null],
      ['offset.field', Schemas.INT64, Schemas.OPTIONAL_INT64, (r) => requireSinkRecord(r, PURPOSE).kafkaOffset],
      ['timestamp.field', timestampSchema(), timestampSchema(true), (r) => r.timestamp ?? null],
      ['static.field', Schemas.STRING, Schemas.OPTIONAL_STRING, () => staticValue],
    ];
    this.insertions = [];
    for (const [key, required, optional, value] of candidates) {
      const s = spec(c[key]);
      if (s) this.insertions.push({ ...s, schema: s.optional ? optional : required, value });
    }
    this.schemas = new SchemaCache();
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = operatingValue(record, this.side);
    // Tombstones must stay tombstones for log compaction to delete the key.
    if (value == null) return record;
    const schema = operatingSchema(record, this.side);
    if (!schema) {
      const map = requireMap(value, PURPOSE);
      const updated = new Map(mapEntries(map));
      for (const ins of this.insertions) updated.set(ins.name, this.valueOf(ins, record));
      return withOperating(record, this.side, null, mapLike(map, updated));
    }
    const struct = requireStruct(value, PURPOSE);
    const updatedSchema = this.schemas.get(schema, (s) => this.buildSchema(s));
    const updated: Record<string, unknown> = {};
    for (const field of requireStructSchema(schema, PURPOSE).fields) updated[field.name] = structGet(struct, field);
    for (const ins of this.insertions) {
      const v = this.valueOf(ins, record);
      updated[ins.name] = ins.schema.name === timestampSchema().name && typeof v === 'number' ? new Date(v) : v;
    }
    return withOperating(record, this.side, updatedSchema, updated);
  }

  private valueOf(ins: Insertion, record: ConnectRecord): unknown {
    const v = ins.value(record);
    if (v == null && !ins.optional) throw new DataError(`Invalid value: null used for required field: "${ins.name}"`);
    return v;
  }

  private buildSchema(schema: Schema): Schema {
    const fields: [string, Schema][] = requireStructSchema(schema, PURPOSE).fields.map((f) => [f.name, f.schema]);
    for (const ins of this.insertions) fields.push([ins.name, ins.schema]);
    return structSchema(fields, { ...schemaBasics(schema), optional: schema.optional });
  }
}

export class InsertFieldKey extends InsertField {
  constructor() {
    super('key');
  }
}

export class InsertFieldValue extends InsertField {
  constructor() {
    super('value');
  }
}

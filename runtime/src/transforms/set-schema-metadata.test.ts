import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema } from '../sdk/index.js';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('SetSchemaMetadata', () => {
  const schema = structSchema([['a', Schemas.INT32]], { name: 'old', version: 1, doc: 'kept' });

  it('sets the name and version of the value schema', () => {
    const t = configured(new SetSchemaMetadataValue(), { 'schema.name': 'com.example.New', 'schema.version': '7' });
    const out = t.apply(valueRecord(schema, { a: 1 }));
    expect(out.valueSchema).to.include({ name: 'com.example.New', version: 7, doc: 'kept', type: 'struct' });
    expect(out.value).to.deep.equal({ a: 1 });
  });

  it('changes only the version of the key schema when only it is set', () => {
    const t = configured(new SetSchemaMetadataKey(), { 'schema.version': '3' });
    expect(t.apply(keyRecord(schema, { a: 1 })).keySchema).to.include({ name: 'old', version: 3 });
  });

  it('requires a schema', () => {
    const t = configured(new SetSchemaMetadataValue(), { 'schema.name': 'x' });
    expect(() => t.apply(valueRecord(null, { a: 1 }))).to.throw(DataError, /Schema required/);
  });

  it('requires a name or a version', () => {
    expect(() => new SetSchemaMetadataValue().configure({})).to.throw(ConfigError);
  });

  it('rejects a non-numeric version', () => {
    expect(() => new SetSchemaMetadataValue().configure({ 'schema.version': 'x' })).to.throw(ConfigError);
  });
});

import { expect } from 'chai';
import { DataError, Schemas, structSchema } from '../sdk/index.js';
import { InsertFieldKey, InsertFieldValue } from './insert-field.js';
import { LOGICAL_TIMESTAMP } from './schema-util.js';
import { configured, keyRecord, sinkRecord, sourceRecord, valueRecord } from './records.test-support.js';

describe('InsertField', () => {
  const props = {
    'topic.field': 'topic!',
    'partition.field': 'partition',
    'offset.field': 'offset?',
    'timestamp.field': 'ts',
    'static.field': 'origin',
    'static.value': 'sluice',
  };

  it('inserts metadata into a schemaless sink record value', () => {
    const t = configured(new InsertFieldValue(), props);
    const out = t.apply(sinkRecord({ value: { a: 1 } }));
    expect(out.value).to.deep.equal({
      a: 1,
      topic: 'orders',
      partition: 2,
      offset: 42,
      ts: 1_700_000_000_000,
      origin: 'sluice',
    });
    expect(out.kafkaOffset).to.equal(42);
  });

  it('inserts metadata and extends the schema of a struct value', () => {
    const schema = structSchema([['a', Schemas.INT32]], { name: 'Thing' });
    const t = configured(new InsertFieldValue(), props);
    const out = t.apply(sinkRecord({ valueSchema: schema, value: { a: 1 } }));
    const value = out.value as Record<string, unknown>;
    expect(value['ts']).to.deep.equal(new Date(1_700_000_000_000));
    expect(value['topic']).to.equal('orders');
    const fields = out.valueSchema!.fields!;
    expect(out.valueSchema!.name).to.equal('Thing');
    expect(fields.map((f) => [f.name, f.schema.type, f.schema.optional])).to.deep.equal([
      ['a', 'int32', false],
      ['topic', 'string', false],
      ['partition', 'int32', true],
      ['offset', 'int64', true],
      ['ts', 'int64', true],
      ['origin', 'string', true],
    ]);
    expect(fields[4]!.schema.name).to.equal(LOGICAL_TIMESTAMP);
  });

  it('refuses the offset field on a source record', () => {
    const t = configured(new InsertFieldValue(), { 'offset.field': 'offset' });
    expect(() => t.apply(sourceRecord({ value: {} }))).to.throw(DataError, /SinkRecord/);
  });

  it('refuses a missing value for a required field', () => {
    const t = configured(new InsertFieldKey(), { 'timestamp.field': 'ts!' });
    expect(() => t.apply(keyRecord(null, {}))).not.to.throw();
    expect(() => t.apply(sourceRecord({ key: {}, timestamp: null }))).to.throw(DataError, /required/);
  });

  it('passes tombstones through unchanged', () => {
    const t = configured(new InsertFieldValue(), props);
    const record = valueRecord(null, null);
    expect(t.apply(record)).to.equal(record);
  });

  it('fails on a schemaless value that is not a map', () => {
    const t = configured(new InsertFieldValue(), props);
    expect(() => t.apply(valueRecord(null, 'text'))).to.throw(DataError);
  });
});

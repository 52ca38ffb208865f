import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema } from '../sdk/index.js';
import { Filter } from './filter.js';
import { RegexRouter } from './regex-router.js';
import { TimestampRouter } from './timestamp-router.js';
import { ValueToKey } from './value-to-key.js';
import { configured, sourceRecord, valueRecord } from './records.test-support.js';

describe('ValueToKey', () => {
  it('builds a schemaless key from value fields', () => {
    const t = configured(new ValueToKey(), { fields: 'id,region' });
    const out = t.apply(valueRecord(null, { id: 1, region: 'eu', other: true }));
    expect(out.key).to.deep.equal({ id: 1, region: 'eu' });
    expect(out.keySchema).to.equal(null);
  });

  it('builds a struct key and key schema from value fields', () => {
    const schema = structSchema([
      ['id', Schemas.INT64],
      ['name', Schemas.STRING],
      ['region', Schemas.OPTIONAL_STRING],
    ]);
    const t = configured(new ValueToKey(), { fields: 'region,id' });
    const out = t.apply(valueRecord(schema, { id: 3, name: 'n', region: null }));
    expect(out.key).to.deep.equal({ region: null, id: 3 });
    expect(out.keySchema!.fields!.map((f) => [f.name, f.schema])).to.deep.equal([
      ['region', Schemas.OPTIONAL_STRING],
      ['id', Schemas.INT64],
    ]);
    expect(out.value).to.deep.equal({ id: 3, name: 'n', region: null });
  });

  it('fails on a field missing from the value schema', () => {
    const t = configured(new ValueToKey(), { fields: 'nope' });
    expect(() => t.apply(valueRecord(structSchema([['id', Schemas.INT32]]), { id: 1 }))).to.throw(
      DataError,
      /Field does not exist: nope/,
    );
  });

  it('fails on a schemaless value that is not a map', () => {
    expect(() => configured(new ValueToKey(), { fields: 'id' }).apply(valueRecord(null, 'x'))).to.throw(DataError);
  });
});

describe('RegexRouter', () => {
  it('rewrites the topic with Java group references when the whole name matches', () => {
    const t = configured(new RegexRouter(), { regex: '(.*)-(\\d+)', replacement: 'archive.$1.v$2' });
    expect(t.apply(sourceRecord({ topic: 'orders-7' })).topic).to.equal('archive.orders.v7');
  });

  it('leaves the topic alone when only part of it matches', () => {
    const t = configured(new RegexRouter(), { regex: 'orders', replacement: 'x' });
    const record = sourceRecord({ topic: 'orders-eu' });
    expect(t.apply(record)).to.equal(record);
  });

  it('supports named groups and escaped dollars', () => {
    const t = configured(new RegexRouter(), { regex: '(?<name>[a-z]+)\\.raw', replacement: '${name}\\$' });
    expect(t.apply(sourceRecord({ topic: 'clicks.raw' })).topic).to.equal('clicks$');
  });

  it('reads multi-digit references only while the group exists, as Java does', () => {
    const t = configured(new RegexRouter(), { regex: '(a)(b)', replacement: '$10-$2' });
    expect(t.apply(sourceRecord({ topic: 'ab' })).topic).to.equal('a0-b');
  });

  it('rejects an invalid regex or a reference to a missing group', () => {
    expect(() => new RegexRouter().configure({ regex: '(', replacement: 'x' })).to.throw(ConfigError);
    expect(() => new RegexRouter().configure({ regex: '(a)', replacement: '$2' })).to.throw(ConfigError, /No group 2/);
  });
});

describe('TimestampRouter', () => {
  const ts = Date.UTC(2024, 0, 5, 23, 59, 58, 7);

  it('appends the UTC day by default', () => {
    const t = configured(new TimestampRouter(), {});
    expect(t.apply(sourceRecord({ topic: 'logs', timestamp: ts })).topic).to.equal('logs-20240105');
  });

  it('uses the configured topic and timestamp formats', () => {
    const t = configured(new TimestampRouter(), {
      'topic.format': 'ts_${timestamp}_${topic}',
      'timestamp.format': "yyyy.MM.dd'T'HH:mm:ss.SSS",
    });
    expect(t.apply(sourceRecord({ topic: 'logs', timestamp: ts })).topic).to.equal('ts_2024.01.05T23:59:58.007_logs');
  });

  it('fails on a record without a timestamp', () => {
    const t = configured(new TimestampRouter(), {});
    expect(() => t.apply(sourceRecord({ timestamp: null }))).to.throw(DataError, /Timestamp missing/);
  });
});

describe('Filter', () => {
  it('drops every record', () => {
    const t = configured(new Filter(), {});
    expect(t.apply(sourceRecord())).to.equal(null);
    expect(t.config().keys()).to.deep.equal([]);
  });
});

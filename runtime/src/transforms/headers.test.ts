import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema } from '../sdk/index.js';
import { DropHeaders } from './drop-headers.js';
import { HeaderFromKey, HeaderFromValue } from './header-from.js';
import { InsertHeader, parseLiteral } from './insert-header.js';
import { configured, keyRecord, sourceRecord, valueRecord } from './records.test-support.js';

describe('HeaderFrom', () => {
  const schema = structSchema(
    [
      ['id', Schemas.INT32],
      ['trace', Schemas.STRING],
    ],
    { name: 'Event' },
  );

  it('copies schemaless fields into headers', () => {
    const t = configured(new HeaderFromValue(), { fields: 'trace', headers: 'x-trace', operation: 'copy' });
    const out = t.apply(valueRecord(null, { id: 1, trace: 't1' }));
    expect(out.value).to.deep.equal({ id: 1, trace: 't1' });
    expect(out.headers).to.deep.equal([{ key: 'x-trace', value: 't1', schema: null }]);
  });

  it('moves struct fields into headers with their schemas', () => {
    const t = configured(new HeaderFromValue(), { fields: 'trace', headers: 'x-trace', operation: 'move' });
    const out = t.apply(
      sourceRecord({ valueSchema: schema, value: { id: 1, trace: 't1' }, headers: [{ key: 'h', value: 1 }] }),
    );
    expect(out.value).to.deep.equal({ id: 1 });
    expect(out.valueSchema!.name).to.equal('Event');
    expect(out.valueSchema!.fields!.map((f) => f.name)).to.deep.equal(['id']);
    expect(out.headers).to.deep.equal([
      { key: 'h', value: 1 },
      { key: 'x-trace', value: 't1', schema: Schemas.STRING },
    ]);
  });

  it('moves key fields', () => {
    const t = configured(new HeaderFromKey(), { fields: 'a,b', headers: 'ha,hb', operation: 'move' });
    const out = t.apply(keyRecord(null, { a: 1, b: 2, c: 3 }));
    expect(out.key).to.deep.equal({ c: 3 });
    expect(out.headers!.map((h) => [h.key, h.value])).to.deep.equal([
      ['ha', 1],
      ['hb', 2],
    ]);
  });

  it('fails on a field that is not in the schema', () => {
    const t = configured(new HeaderFromValue(), { fields: 'nope', headers: 'h', operation: 'copy' });
    expect(() => t.apply(valueRecord(schema, { id: 1, trace: 't' }))).to.throw(DataError);
  });

  it('rejects field and header lists of different lengths, and unknown operations', () => {
    expect(() => new HeaderFromValue().configure({ fields: 'a,b', headers: 'h', operation: 'copy' })).to.throw(
      ConfigError,
    );
    expect(() => new HeaderFromValue().configure({ fields: 'a', headers: 'h', operation: 'steal' })).to.throw(
      ConfigError,
    );
  });
});

describe('InsertHeader', () => {
  it('appends a header with the literal value', () => {
    const t = configured(new InsertHeader(), { header: 'source', 'value.literal': 'sluice' });
    const out = t.apply(sourceRecord({ headers: [{ key: 'source', value: 'old' }] }));
    expect(out.headers).to.deep.equal([
      { key: 'source', value: 'old' },
      { key: 'source', value: 'sluice', schema: Schemas.STRING },
    ]);
  });

  it('infers the literal type like Kafka Values.parseString', () => {
    expect(parseLiteral('true')).to.deep.equal({ schema: Schemas.BOOLEAN, value: true });
    expect(parseLiteral('42')).to.deep.equal({ schema: Schemas.INT8, value: 42 });
    expect(parseLiteral('40000')).to.deep.equal({ schema: Schemas.INT32, value: 40000 });
    expect(parseLiteral('1.5')).to.deep.equal({ schema: Schemas.FLOAT32, value: 1.5 });
    expect(parseLiteral('hello world')).to.deep.equal({ schema: Schemas.STRING, value: 'hello world' });
  });

  it('requires both header and value.literal', () => {
    expect(() => new InsertHeader().configure({ header: 'h' })).to.throw(ConfigError);
    expect(() => new InsertHeader().configure({ 'value.literal': 'v' })).to.throw(ConfigError);
  });
});

describe('DropHeaders', () => {
  it('removes every header with a listed name', () => {
    const t = configured(new DropHeaders(), { headers: 'a,b' });
    const out = t.apply(
      sourceRecord({
        headers: [
          { key: 'a', value: 1 },
          { key: 'c', value: 2 },
          { key: 'a', value: 3 },
          { key: 'b', value: 4 },
        ],
      }),
    );
    expect(out.headers).to.deep.equal([{ key: 'c', value: 2 }]);
  });

  it('rejects an empty header list', () => {
    expect(() => new DropHeaders().configure({ headers: '' })).to.throw(ConfigError);
  });
});

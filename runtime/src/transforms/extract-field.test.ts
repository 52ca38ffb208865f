import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema } from '../sdk/index.js';
import { ExtractFieldKey, ExtractFieldValue } from './extract-field.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('ExtractField', () => {
  const inner = structSchema([['id', Schemas.INT32]]);
  const schema = structSchema([
    ['inner', inner],
    ['name', Schemas.OPTIONAL_STRING],
    ['a.b', Schemas.STRING],
  ]);

  it('extracts a field from a schemaless map', () => {
    const t = configured(new ExtractFieldValue(), { field: 'name' });
    expect(t.apply(valueRecord(null, { name: 'x', other: 1 })).value).to.equal('x');
  });

  it('extracts a missing schemaless field as null', () => {
    const t = configured(new ExtractFieldKey(), { field: 'name' });
    expect(t.apply(keyRecord(null, { other: 1 })).key).to.equal(null);
  });

  it('extracts a field and its schema from a struct', () => {
    const t = configured(new ExtractFieldValue(), { field: 'inner' });
    const out = t.apply(valueRecord(schema, { inner: { id: 7 }, name: null, 'a.b': 'z' }));
    expect(out.value).to.deep.equal({ id: 7 });
    expect(out.valueSchema).to.equal(inner);
  });

  it('reads a dotted name as one field with syntax V1', () => {
    const t = configured(new ExtractFieldValue(), { field: 'a.b' });
    expect(t.apply(valueRecord(schema, { inner: { id: 7 }, 'a.b': 'z' })).value).to.equal('z');
  });

  it('follows nested fields with syntax V2', () => {
    const t = configured(new ExtractFieldValue(), { field: 'inner.id', 'field.syntax.version': 'V2' });
    const out = t.apply(valueRecord(schema, { inner: { id: 7 }, 'a.b': 'z' }));
    expect(out.value).to.equal(7);
    expect(out.valueSchema).to.equal(Schemas.INT32);
    const schemaless = t.apply(valueRecord(null, { inner: { id: 8 } }));
    expect(schemaless.value).to.equal(8);
  });

  it('reads backtick-quoted names with syntax V2', () => {
    const t = configured(new ExtractFieldValue(), { field: '`a.b`', 'field.syntax.version': 'v2' });
    expect(t.apply(valueRecord(schema, { inner: { id: 7 }, 'a.b': 'z' })).value).to.equal('z');
  });

  it('rejects an unbalanced backtick with syntax V2', () => {
    expect(() => new ExtractFieldValue().configure({ field: '`a.b', 'field.syntax.version': 'V2' })).to.throw(
      ConfigError,
    );
  });

  it('passes a null struct through with the field schema', () => {
    const t = configured(new ExtractFieldValue(), { field: 'name' });
    const out = t.apply(valueRecord(schema, null));
    expect(out.value).to.equal(null);
    expect(out.valueSchema).to.equal(Schemas.OPTIONAL_STRING);
  });

  it('fails on an unknown field with schema', () => {
    const t = configured(new ExtractFieldValue(), { field: 'nope' });
    expect(() => t.apply(valueRecord(schema, { inner: { id: 1 } }))).to.throw(DataError, /Unknown field: nope/);
  });

  it('fails on a non-struct value with schema', () => {
    const t = configured(new ExtractFieldValue(), { field: 'name' });
    expect(() => t.apply(valueRecord(Schemas.STRING, 'text'))).to.throw(DataError);
  });

  it('fails on a schemaless value that is not a map', () => {
    const t = configured(new ExtractFieldValue(), { field: 'name' });
    expect(() => t.apply(valueRecord(null, 42))).to.throw(DataError);
  });

  it('requires the field config', () => {
    expect(() => new ExtractFieldValue().configure({})).to.throw(ConfigError);
  });
});

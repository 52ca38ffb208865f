import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema } from '../sdk/index.js';
import { MaskFieldKey, MaskFieldValue } from './mask-field.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('MaskField', () => {
  it('replaces schemaless fields with empty values of their type', () => {
    const t = configured(new MaskFieldValue(), { fields: 'n,s,b,d,l,m,keep,missing' });
    const out = t.apply(
      valueRecord(null, { n: 5, s: 'secret', b: true, d: new Date(5), l: [1], m: { a: 1 }, keep: 'x', other: 'y' }),
    );
    expect(out.value).to.deep.equal({
      n: 0,
      s: '',
      b: false,
      d: new Date(0),
      l: [],
      m: {},
      keep: '',
      missing: null,
      other: 'y',
    });
  });

  it('uses a custom replacement for strings and numbers', () => {
    const schema = structSchema([
      ['card', Schemas.STRING],
      ['pin', Schemas.INT32],
      ['score', Schemas.FLOAT64],
      ['visible', Schemas.STRING],
    ]);
    const t = configured(new MaskFieldValue(), { fields: 'card,pin,score', replacement: '0000' });
    const out = t.apply(valueRecord(schema, { card: '4111', pin: 1234, score: 1.5, visible: 'v' }));
    expect(out.value).to.deep.equal({ card: '0000', pin: 0, score: 0, visible: 'v' });
    expect(out.valueSchema).to.equal(schema);
  });

  it('masks key fields', () => {
    const t = configured(new MaskFieldKey(), { fields: 'id' });
    expect(t.apply(keyRecord(null, { id: 'abc' })).key).to.deep.equal({ id: '' });
  });

  it('fails when a custom replacement does not fit a number field', () => {
    const schema = structSchema([['pin', Schemas.INT32]]);
    const t = configured(new MaskFieldValue(), { fields: 'pin', replacement: 'xxxx' });
    expect(() => t.apply(valueRecord(schema, { pin: 1 }))).to.throw(DataError, /Unable to convert/);
  });

  it('fails when a custom replacement is used on a boolean', () => {
    const t = configured(new MaskFieldValue(), { fields: 'b', replacement: 'x' });
    expect(() => t.apply(valueRecord(null, { b: true }))).to.throw(DataError, /custom replacement/);
  });

  it('rejects an empty field list and an empty replacement', () => {
    expect(() => new MaskFieldValue().configure({ fields: '' })).to.throw(ConfigError);
    expect(() => new MaskFieldValue().configure({ fields: 'a', replacement: '' })).to.throw(ConfigError);
  });
});

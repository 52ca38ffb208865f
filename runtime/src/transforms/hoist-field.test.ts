import { expect } from 'chai';
import { ConfigError, Schemas } from '../sdk/index.js';
import { HoistFieldKey, HoistFieldValue } from './hoist-field.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('HoistField', () => {
  it('wraps a schemaless value in a map', () => {
    const t = configured(new HoistFieldValue(), { field: 'line' });
    expect(t.apply(valueRecord(null, 'hello')).value).to.deep.equal({ line: 'hello' });
  });

  it('wraps a key and its schema in a single-field struct', () => {
    const t = configured(new HoistFieldKey(), { field: 'id' });
    const out = t.apply(keyRecord(Schemas.INT64, 12));
    expect(out.key).to.deep.equal({ id: 12 });
    expect(out.keySchema!.type).to.equal('struct');
    expect(out.keySchema!.fields!.map((f) => [f.name, f.schema])).to.deep.equal([['id', Schemas.INT64]]);
  });

  it('requires the field config', () => {
    expect(() => new HoistFieldValue().configure({})).to.throw(ConfigError);
  });
});

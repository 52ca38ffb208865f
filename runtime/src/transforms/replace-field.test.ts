import { expect } from 'chai';
import { ConfigError, Schemas, structSchema } from '../sdk/index.js';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('ReplaceField', () => {
  const schema = structSchema(
    [
      ['id', Schemas.INT64],
      ['name', Schemas.STRING],
      ['secret', Schemas.STRING],
    ],
    { name: 'User', version: 2 },
  );

  it('excludes and renames schemaless fields', () => {
    const t = configured(new ReplaceFieldValue(), { exclude: 'secret', renames: 'id:user_id,name:full_name' });
    expect(t.apply(valueRecord(null, { id: 1, name: 'a', secret: 's' })).value).to.deep.equal({
      user_id: 1,
      full_name: 'a',
    });
  });

  it('keeps only included fields, with exclude taking precedence', () => {
    const t = configured(new ReplaceFieldKey(), { include: 'id,secret', exclude: 'secret' });
    expect(t.apply(keyRecord(null, { id: 1, name: 'a', secret: 's' })).key).to.deep.equal({ id: 1 });
  });

  it('accepts the deprecated blacklist and whitelist names', () => {
    const black = configured(new ReplaceFieldValue(), { blacklist: 'secret' });
    expect(black.apply(valueRecord(null, { id: 1, secret: 's' })).value).to.deep.equal({ id: 1 });
    const white = configured(new ReplaceFieldValue(), { whitelist: 'secret' });
    expect(white.apply(valueRecord(null, { id: 1, secret: 's' })).value).to.deep.equal({ secret: 's' });
  });

  it('drops and renames fields in the schema', () => {
    const t = configured(new ReplaceFieldValue(), { exclude: 'secret', renames: 'name:full_name' });
    const out = t.apply(valueRecord(schema, { id: 1, name: 'a', secret: 's' }));
    expect(out.value).to.deep.equal({ id: 1, full_name: 'a' });
    expect(out.valueSchema!.name).to.equal('User');
    expect(out.valueSchema!.version).to.equal(2);
    expect(out.valueSchema!.fields!.map((f) => [f.name, f.index, f.schema])).to.deep.equal([
      ['id', 0, Schemas.INT64],
      ['full_name', 1, Schemas.STRING],
    ]);
  });

  it('passes tombstones through', () => {
    const record = valueRecord(schema, null);
    expect(configured(new ReplaceFieldValue(), { exclude: 'secret' }).apply(record)).to.equal(record);
  });

  it('rejects a malformed rename mapping', () => {
    expect(() => new ReplaceFieldValue().configure({ renames: 'a:b:c' })).to.throw(
      ConfigError,
      /Invalid rename mapping/,
    );
    expect(() => new ReplaceFieldValue().configure({ renames: 'a' })).to.throw(ConfigError);
  });
});

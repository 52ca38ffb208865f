import { expect } from 'chai';
import { DataError, Schemas, arraySchema, primitiveSchema, structSchema } from '../sdk/index.js';
import { FlattenKey, FlattenValue } from './flatten.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('Flatten', () => {
  it('flattens nested maps with the default delimiter', () => {
    const t = configured(new FlattenValue(), {});
    const out = t.apply(valueRecord(null, { a: { b: { c: 1 }, d: [1, 2] }, e: null, f: 'x' }));
    expect(out.value).to.deep.equal({ 'a.b.c': 1, 'a.d': [1, 2], e: null, f: 'x' });
  });

  it('uses the configured delimiter', () => {
    const t = configured(new FlattenKey(), { delimiter: '_' });
    expect(t.apply(keyRecord(null, { a: { b: 1 } })).key).to.deep.equal({ a_b: 1 });
  });

  it('flattens maps held in Map objects', () => {
    const t = configured(new FlattenValue(), {});
    const out = t.apply(valueRecord(null, new Map<string, unknown>([['a', new Map([['b', 1]])]])));
    expect([...(out.value as Map<string, unknown>).entries()]).to.deep.equal([['a.b', 1]]);
  });

  it('passes a schemaless tombstone through', () => {
    const t = configured(new FlattenValue(), {});
    expect(t.apply(valueRecord(null, null)).value).to.equal(null);
  });

  it('produces a flat struct schema and value', () => {
    const address = structSchema(
      [
        ['street', Schemas.STRING],
        ['zip', primitiveSchema('int32', { defaultValue: 0 })],
      ],
      { optional: true },
    );
    const schema = structSchema(
      [
        ['id', Schemas.INT64],
        ['address', address],
        ['tags', arraySchema(Schemas.STRING)],
      ],
      { name: 'Customer' },
    );
    const t = configured(new FlattenValue(), {});
    const out = t.apply(valueRecord(schema, { id: 1, address: { street: 'Main', zip: 1234 }, tags: ['a'] }));
    expect(out.value).to.deep.equal({ id: 1, 'address.street': 'Main', 'address.zip': 1234, tags: ['a'] });
    const s = out.valueSchema!;
    expect(s.name).to.equal('Customer');
    expect(s.fields!.map((f) => [f.name, f.schema.type, f.schema.optional])).to.deep.equal([
      ['id', 'int64', false],
      ['address.street', 'string', true],
      ['address.zip', 'int32', true],
      ['tags', 'array', false],
    ]);
    expect(s.fields![3]!.schema.valueSchema).to.equal(Schemas.STRING);
    expect(s.fields![2]!.schema.defaultValue).to.equal(0);
  });

  it('fills the fields of a null nested struct with nulls or defaults', () => {
    const inner = structSchema(
      [
        ['x', Schemas.OPTIONAL_INT32],
        ['y', primitiveSchema('int32', { defaultValue: 9 })],
      ],
      { optional: true },
    );
    const schema = structSchema([['inner', inner]]);
    const out = configured(new FlattenValue(), {}).apply(valueRecord(schema, { inner: null }));
    expect(out.value).to.deep.equal({ 'inner.x': null, 'inner.y': 9 });
  });

  it('keeps a null struct null with the flattened schema', () => {
    const schema = structSchema([['inner', structSchema([['x', Schemas.INT32]])]], { optional: true });
    const out = configured(new FlattenValue(), {}).apply(valueRecord(schema, null));
    expect(out.value).to.equal(null);
    expect(out.valueSchema!.fields!.map((f) => f.name)).to.deep.equal(['inner.x']);
  });

  it('fails on a struct schema with a non-struct value', () => {
    const schema = structSchema([['x', Schemas.INT32]]);
    expect(() => configured(new FlattenValue(), {}).apply(valueRecord(schema, 'x'))).to.throw(DataError);
  });
});

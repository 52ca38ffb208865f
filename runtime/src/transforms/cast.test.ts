import { expect } from 'chai';
import { ConfigError, DataError, Schemas, structSchema, primitiveSchema } from '../sdk/index.js';
import { CastKey, CastValue } from './cast.js';
import { LOGICAL_TIMESTAMP } from './schema-util.js';
import { configured, keyRecord, valueRecord } from './records.test-support.js';

describe('Cast', () => {
  describe('configuration', () => {
    it('requires a spec', () => {
      expect(() => new CastValue().configure({})).to.throw(ConfigError);
    });

    it('rejects an unknown type', () => {
      expect(() => new CastValue().configure({ spec: 'a:int128' })).to.throw(
        ConfigError,
        /Invalid type found in casting spec/,
      );
    });

    it('rejects casting to bytes', () => {
      expect(() => new CastValue().configure({ spec: 'a:bytes' })).to.throw(
        ConfigError,
        /does not support casting to BYTES/,
      );
    });

    it('rejects a whole-value cast combined with field casts', () => {
      expect(() => new CastValue().configure({ spec: 'int32,a:string' })).to.throw(
        ConfigError,
        /ony specify a single cast/,
      );
    });

    it('rejects a mapping with more than one colon', () => {
      expect(() => new CastValue().configure({ spec: 'a:b:int8' })).to.throw(ConfigError);
    });
  });

  describe('schemaless', () => {
    it('casts fields of a map', () => {
      const t = configured(new CastValue(), { spec: 'a:int8,b:string,c:boolean,d:float64' });
      const out = t.apply(valueRecord(null, { a: 300, b: 1.5, c: 'TRUE', d: '2.25', e: 'untouched' }));
      expect(out.value).to.deep.equal({ a: 44, b: '1.5', c: true, d: 2.25, e: 'untouched' });
      expect(out.valueSchema).to.equal(null);
    });

    it('casts the whole key', () => {
      const t = configured(new CastKey(), { spec: 'int32' });
      const out = t.apply(keyRecord(null, '123'));
      expect(out.key).to.equal(123);
      expect(out.value).to.equal(undefined);
    });

    it('keeps a Map a Map', () => {
      const t = configured(new CastValue(), { spec: 'a:string' });
      const out = t.apply(valueRecord(null, new Map([['a', 7]])));
      expect(out.value).to.be.instanceOf(Map);
      expect((out.value as Map<string, unknown>).get('a')).to.equal('7');
    });

    it('passes null values through', () => {
      const t = configured(new CastValue(), { spec: 'int8' });
      const record = valueRecord(null, null);
      expect(t.apply(record)).to.equal(record);
    });

    it('fails on a string that is out of range', () => {
      const t = configured(new CastValue(), { spec: 'int8' });
      expect(() => t.apply(valueRecord(null, '1000'))).to.throw(DataError, /out of range/);
    });

    it('fails on nested values', () => {
      const t = configured(new CastValue(), { spec: 'a:string' });
      expect(() => t.apply(valueRecord(null, { a: [1, 2] }))).to.throw(
        DataError,
        /does not support casting from ARRAY/,
      );
    });

    it('fails on a non-map value for field casts', () => {
      const t = configured(new CastValue(), { spec: 'a:string' });
      expect(() => t.apply(valueRecord(null, 'text'))).to.throw(DataError, /Only Map objects/);
    });
  });

  describe('with schema', () => {
    const schema = structSchema(
      [
        ['id', Schemas.INT64],
        ['price', Schemas.FLOAT64],
        ['flag', Schemas.OPTIONAL_INT32],
        ['raw', Schemas.BYTES],
        ['name', primitiveSchema('string', { defaultValue: '5' })],
      ],
      { name: 'Order', version: 3 },
    );

    it('changes the field schemas and values', () => {
      const t = configured(new CastValue(), { spec: 'id:int16,price:string,flag:boolean,raw:string,name:int32' });
      const out = t.apply(valueRecord(schema, { id: 70000, price: 3, flag: null, raw: Buffer.from('hi'), name: null }));
      expect(out.value).to.deep.equal({ id: 4464, price: '3.0', flag: null, raw: 'aGk=', name: 5 });
      const s = out.valueSchema!;
      expect(s.name).to.equal('Order');
      expect(s.version).to.equal(3);
      expect(s.fields!.map((f) => [f.name, f.schema.type, f.schema.optional])).to.deep.equal([
        ['id', 'int16', false],
        ['price', 'string', false],
        ['flag', 'boolean', true],
        ['raw', 'string', false],
        ['name', 'int32', false],
      ]);
      expect(s.fields![4]!.schema.defaultValue).to.equal(5);
    });

    it('reuses the transformed schema for records with the same schema', () => {
      const t = configured(new CastValue(), { spec: 'id:int32' });
      const a = t.apply(valueRecord(schema, { id: 1, price: 1, raw: Buffer.alloc(0), name: 'x' }));
      const b = t.apply(valueRecord(schema, { id: 2, price: 1, raw: Buffer.alloc(0), name: 'x' }));
      expect(a.valueSchema).to.equal(b.valueSchema);
    });

    it('casts a whole primitive value and its schema', () => {
      const t = configured(new CastValue(), { spec: 'float32' });
      const out = t.apply(valueRecord(Schemas.OPTIONAL_INT64, 16777217));
      expect(out.value).to.equal(16777216);
      expect(out.valueSchema).to.include({ type: 'float32', optional: true });
    });

    it('truncates floating point values towards zero like Java', () => {
      const t = configured(new CastValue(), { spec: 'int32' });
      expect(t.apply(valueRecord(Schemas.FLOAT64, -2.9)).value).to.equal(-2);
      expect(t.apply(valueRecord(Schemas.FLOAT64, 1e12)).value).to.equal(2147483647);
    });

    it('renders a timestamp as an ISO string and as epoch milliseconds', () => {
      const ts = primitiveSchema('int64', { name: LOGICAL_TIMESTAMP, version: 1 });
      const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
      expect(configured(new CastValue(), { spec: 'string' }).apply(valueRecord(ts, date)).value).to.equal(
        '2024-01-02T03:04:05.006Z',
      );
      expect(configured(new CastValue(), { spec: 'int64' }).apply(valueRecord(ts, date)).value).to.equal(
        date.getTime(),
      );
    });

    it('formats large doubles the way Java does', () => {
      const t = configured(new CastValue(), { spec: 'string' });
      expect(t.apply(valueRecord(Schemas.FLOAT64, 12345678.9)).value).to.equal('1.23456789E7');
      expect(t.apply(valueRecord(Schemas.FLOAT32, Math.fround(0.1))).value).to.equal('0.1');
    });

    it('fails when the value is not a struct', () => {
      const t = configured(new CastValue(), { spec: 'a:int8' });
      expect(() => t.apply(valueRecord(Schemas.STRING, 'x'))).to.throw(DataError);
    });
  });
});

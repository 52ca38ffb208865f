import { expect } from 'chai';
import {
  DataError,
  Schemas,
  arraySchema,
  mapSchema,
  primitiveSchema,
  structSchema,
  withSchema,
  type Schema,
} from '../sdk/index.js';
import { JsonConverter } from './json-converter.js';
import { DATE_SCHEMA, TIMESTAMP_SCHEMA, TIME_SCHEMA, decimalSchema } from './logical-types.js';

function converter(props: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter();
  c.configure(props, isKey);
  return c;
}

function write(c: JsonConverter, schema: Schema | null, value: unknown): string | null {
  const out = c.fromConnectData('topic', schema, value);
  return out === null ? null : out.toString('utf8');
}

function read(c: JsonConverter, text: string) {
  return c.toConnectData('topic', Buffer.from(text, 'utf8'));
}

function roundTrip(c: JsonConverter, schema: Schema | null, value: unknown) {
  return c.toConnectData('topic', c.fromConnectData('topic', schema, value));
}

const PERSON = structSchema(
  [
    ['id', Schemas.INT64],
    ['name', Schemas.STRING],
    ['email', Schemas.OPTIONAL_STRING],
    ['score', Schemas.FLOAT64],
    ['tags', arraySchema(Schemas.STRING)],
    ['attrs', mapSchema(Schemas.STRING, Schemas.INT32)],
  ],
  { name: 'com.example.Person', version: 1 },
);

describe('JsonConverter', () => {
  describe('with schemas enabled (the default)', () => {
    const c = converter();

    it('writes a boolean in the envelope exactly as Kafka does', () => {
      expect(write(c, Schemas.BOOLEAN, true)).to.equal('{"schema":{"type":"boolean","optional":false},"payload":true}');
    });

    it('writes a struct with Jackson key order and Java number formatting', () => {
      const value = { id: 42, name: 'Ann "A"', email: null, score: 1, tags: ['x'], attrs: { a: 1 } };
      expect(write(c, PERSON, value)).to.equal(
        '{"schema":{"type":"struct","fields":[' +
          '{"type":"int64","optional":false,"field":"id"},' +
          '{"type":"string","optional":false,"field":"name"},' +
          '{"type":"string","optional":true,"field":"email"},' +
          '{"type":"double","optional":false,"field":"score"},' +
          '{"type":"array","items":{"type":"string","optional":false},"optional":false,"field":"tags"},' +
          '{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false,"field":"attrs"}' +
          '],"optional":false,"name":"com.example.Person","version":1},' +
          '"payload":{"id":42,"name":"Ann \\"A\\"","email":null,"score":1.0,"tags":["x"],"attrs":{"a":1}}}',
      );
    });

    it('writes every schema attribute in Kafka order', () => {
      const schema = primitiveSchema('int32', {
        optional: true,
        name: 'n',
        version: 2,
        doc: 'd',
        parameters: { k: 'v', j: 'w' },
        defaultValue: 5,
      });
      expect(write(c, schema, 7)).to.equal(
        '{"schema":{"type":"int32","optional":true,"name":"n","version":2,"doc":"d","parameters":{"k":"v","j":"w"},"default":5},"payload":7}',
      );
    });

    it('writes maps with non-string keys as arrays of pairs', () => {
      const schema = mapSchema(Schemas.INT32, Schemas.STRING);
      expect(
        write(
          c,
          schema,
          new Map([
            [1, 'a'],
            [2, 'b'],
          ]),
        ),
      ).to.equal(
        '{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":false},"payload":[[1,"a"],[2,"b"]]}',
      );
    });

    it('writes a null value with an optional schema as a null payload', () => {
      expect(write(c, Schemas.OPTIONAL_STRING, null)).to.equal(
        '{"schema":{"type":"string","optional":true},"payload":null}',
      );
    });

    it('returns null for a null value without a schema', () => {
      expect(c.fromConnectData('topic', null, null)).to.equal(null);
      expect(c.fromConnectData('topic', undefined, undefined)).to.equal(null);
    });

    it('writes schemaless data with a null schema in the envelope', () => {
      expect(write(c, null, { a: 1, b: [true, null] })).to.equal('{"schema":null,"payload":{"a":1,"b":[true,null]}}');
    });

    it('writes bytes as base64', () => {
      expect(write(c, Schemas.BYTES, Buffer.from([1, 2, 3]))).to.equal(
        '{"schema":{"type":"bytes","optional":false},"payload":"AQID"}',
      );
    });

    it('writes floats and doubles with Java formatting and quotes non-finite values', () => {
      expect(write(c, Schemas.FLOAT32, 0.1)).to.equal('{"schema":{"type":"float","optional":false},"payload":0.1}');
      expect(write(c, Schemas.FLOAT64, 1e20)).to.equal(
        '{"schema":{"type":"double","optional":false},"payload":1.0E20}',
      );
      expect(write(c, Schemas.FLOAT64, NaN)).to.equal('{"schema":{"type":"double","optional":false},"payload":"NaN"}');
      expect(read(c, '{"schema":{"type":"double","optional":false},"payload":"-Infinity"}').value).to.equal(-Infinity);
    });

    it('writes Decimal as base64 of the unscaled value by default', () => {
      expect(write(c, decimalSchema(2), '1.56')).to.equal(
        '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}',
      );
    });

    it('writes Decimal as a JSON number with decimal.format=NUMERIC', () => {
      const numeric = converter({ 'decimal.format': 'numeric' });
      expect(write(numeric, decimalSchema(2), '1.5')).to.equal(
        '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.50}',
      );
    });

    it('writes Date, Time and Timestamp as their integer encodings', () => {
      expect(write(c, DATE_SCHEMA, new Date(Date.UTC(1997, 4, 1)))).to.equal(
        '{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":9982}',
      );
      expect(JSON.parse(write(c, TIME_SCHEMA, new Date(14_400_000))!).payload).to.equal(14_400_000);
      expect(JSON.parse(write(c, TIMESTAMP_SCHEMA, new Date(1_700_000_000_123))!).payload).to.equal(1_700_000_000_123);
    });

    it('round-trips every primitive type', () => {
      const cases: [Schema, unknown][] = [
        [Schemas.BOOLEAN, false],
        [Schemas.INT8, -128],
        [Schemas.INT16, 32767],
        [Schemas.INT32, -2147483648],
        [Schemas.INT64, 1_700_000_000_000],
        [Schemas.INT64, 9223372036854775807n],
        [Schemas.INT64, -9223372036854775808n],
        [Schemas.FLOAT32, 1.5],
        [Schemas.FLOAT64, 0.30000000000000004],
        [Schemas.FLOAT64, -1e-300],
        [Schemas.STRING, 'héllo \u0000 "world"'],
        [Schemas.BYTES, Buffer.from('bytes\u00ff')],
      ];
      for (const [schema, value] of cases) {
        const result = roundTrip(c, schema, value);
        expect(result.schema, schema.type).to.deep.equal(schema);
        expect(result.value, schema.type).to.deep.equal(value);
      }
    });

    it('round-trips arrays, maps and nested structs', () => {
      const inner = structSchema(
        [
          ['x', Schemas.INT32],
          ['y', Schemas.OPTIONAL_FLOAT64],
        ],
        { optional: true },
      );
      const schema = structSchema([
        ['inner', inner],
        ['list', arraySchema(inner)],
        ['byName', mapSchema(Schemas.STRING, arraySchema(Schemas.INT16))],
        ['byId', mapSchema(Schemas.INT64, inner)],
        ['structKeys', mapSchema(inner, Schemas.BOOLEAN)],
      ]);
      const value = {
        inner: { x: 1, y: 2.5 },
        list: [{ x: 2, y: null }, null],
        byName: { a: [1, 2], b: [] },
        byId: new Map([[7, { x: 3, y: 4 }]]),
        structKeys: new Map([[{ x: 9, y: null }, true]]),
      };
      const result = roundTrip(c, schema, value);
      expect(result.schema).to.deep.equal(schema);
      expect(result.value).to.deep.equal(value);
    });

    it('round-trips logical types', () => {
      const schema = structSchema([
        ['price', decimalSchema(2)],
        ['negative', decimalSchema(3)],
        ['day', DATE_SCHEMA],
        ['at', TIME_SCHEMA],
        ['when', TIMESTAMP_SCHEMA],
      ]);
      const value = {
        price: '12345678901234567890.12',
        negative: '-0.005',
        day: new Date(Date.UTC(2024, 1, 29)),
        at: new Date(45_296_789),
        when: new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 16)),
      };
      expect(roundTrip(c, schema, value).value).to.deep.equal(value);
      const numeric = converter({ 'decimal.format': 'NUMERIC' });
      expect(roundTrip(numeric, schema, value).value).to.deep.equal(value);
    });

    it('accepts Decimal values as numbers, bigints and unscaled pairs', () => {
      const schema = decimalSchema(2);
      expect(roundTrip(c, schema, 3).value).to.equal('3.00');
      expect(roundTrip(c, schema, 5n).value).to.equal('5.00');
      expect(roundTrip(c, schema, { unscaled: -150n, scale: 2 }).value).to.equal('-1.50');
    });

    it('round-trips schema metadata and defaults', () => {
      const schema = structSchema(
        [
          ['count', primitiveSchema('int32', { optional: true, defaultValue: 10, doc: 'how many' })],
          ['day', primitiveSchema('int32', { name: DATE_SCHEMA.name, version: 1, defaultValue: new Date(0) })],
        ],
        { name: 'x.Y', version: 3, doc: 'a record', parameters: { p: 'q' } },
      );
      const result = roundTrip(c, schema, { count: 1, day: new Date(86_400_000) });
      expect(result.schema).to.deep.equal(schema);
    });

    it('reads data Kafka wrote with whitespace and keys in another order', () => {
      const result = read(
        c,
        ' { "payload" : {"a": 1} , "schema" : {"type":"struct","fields":[{"type":"int8","optional":false,"field":"a"}],"optional":false} } ',
      );
      expect(result.value).to.deep.equal({ a: 1 });
      expect(result.schema?.fields?.[0]?.schema).to.deep.equal(Schemas.INT8);
    });

    it('reads the same schema text to the same schema object', () => {
      const text = '{"schema":{"type":"string","optional":false},"payload":"a"}';
      expect(read(c, text).schema).to.equal(read(c, text).schema);
      expect(read(c, text.replace('"a"', '"b"')).schema).to.equal(read(c, text).schema);
    });

    it('reads a schema whose text contains ,"payload": itself', () => {
      const inner = structSchema([
        ['a', Schemas.INT8],
        ['payload', Schemas.INT8],
      ]);
      const schema = structSchema([['s', withSchema(inner, { defaultValue: { a: 1, payload: 2 } })]]);
      expect(write(c, schema, { s: { a: 3, payload: 4 } })).to.include('"default":{"a":1,"payload":2}');
      expect(roundTrip(c, schema, { s: { a: 3, payload: 4 } }).value).to.deep.equal({ s: { a: 3, payload: 4 } });
      expect(roundTrip(c, schema, { s: null }).value).to.deep.equal({ s: { a: 1, payload: 2 } });
    });

    it('fills in defaults for nulls on write and read when replace.null.with.default is true', () => {
      const schema = structSchema([['n', primitiveSchema('int32', { optional: true, defaultValue: 5 })]]);
      expect(JSON.parse(write(c, schema, { n: null })!).payload).to.deep.equal({ n: 5 });
      const text = JSON.stringify({ schema: JSON.parse(write(c, schema, { n: 1 })!).schema, payload: { n: null } });
      expect(read(c, text).value).to.deep.equal({ n: 5 });
    });

    it('keeps nulls when replace.null.with.default is false', () => {
      const keep = converter({ 'replace.null.with.default': 'false' });
      const schema = structSchema([['n', primitiveSchema('int32', { optional: true, defaultValue: 5 })]]);
      expect(JSON.parse(write(keep, schema, { n: null })!).payload).to.deep.equal({ n: null });
      const text = JSON.stringify({ schema: JSON.parse(write(keep, schema, { n: 1 })!).schema, payload: { n: null } });
      expect(read(keep, text).value).to.deep.equal({ n: null });
    });

    it('reads a tombstone as a null schema and value', () => {
      expect(c.toConnectData('topic', null)).to.deep.equal({ schema: null, value: null });
    });

    it('reads an envelope with a null schema as schemaless data', () => {
      expect(read(c, '{"schema":null,"payload":{"a":[1,2.5,"x"]}}')).to.deep.equal({
        schema: null,
        value: { a: [1, 2.5, 'x'] },
      });
    });

    it('keeps int64 precision beyond 2^53', () => {
      expect(read(c, '{"schema":{"type":"int64","optional":false},"payload":9007199254740993}').value).to.equal(
        9007199254740993n,
      );
      expect(read(c, '{"schema":null,"payload":[12345678901234567890, 0.12345678901234567]}').value).to.deep.equal([
        12345678901234567890n,
        Number('0.12345678901234567'),
      ]);
    });

    it("rejects input without the envelope with Kafka's message", () => {
      const message =
        'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';
      for (const text of ['{"a":1}', '[1]', '"x"', '{"schema":null,"payload":1,"extra":2}', '{"schema":null}']) {
        expect(() => read(c, text), text).to.throw(DataError, message);
      }
    });

    it('rejects invalid JSON with a serialization error', () => {
      expect(() => read(c, '{"schema":')).to.throw(
        DataError,
        /^Converting byte\[\] to Kafka Connect data failed due to serialization error: /,
      );
    });

    it('rejects values that do not match their schema', () => {
      expect(() => write(c, Schemas.INT32, 'one')).to.throw(DataError, 'Invalid type for INT32: string');
      expect(() => write(c, Schemas.INT8, 128)).to.throw(DataError, 'Invalid type for INT8');
      expect(() => write(c, Schemas.INT32, 1.5)).to.throw(DataError, 'Invalid type for INT32');
      expect(() => write(c, Schemas.INT64, 2n ** 63n)).to.throw(DataError, 'Invalid type for INT64');
      expect(() => write(c, Schemas.STRING, 1)).to.throw(DataError, 'Invalid type for STRING');
      expect(() => write(c, Schemas.BYTES, 'AQID')).to.throw(DataError, 'Invalid type for bytes type');
      expect(() => write(c, arraySchema(Schemas.INT32), { 0: 1 })).to.throw(DataError, 'Invalid type for ARRAY');
      expect(() => write(c, PERSON, [1])).to.throw(DataError, 'Invalid type for STRUCT');
      expect(() => write(c, mapSchema(Schemas.INT32, Schemas.INT32), { 1: 1 })).to.throw(
        DataError,
        'Invalid type for INT32',
      );
      expect(() => write(c, Schemas.INT32, null)).to.throw(
        DataError,
        'Conversion error: null value for field that is required and has no default value',
      );
      expect(() => write(c, DATE_SCHEMA, new Date(1))).to.throw(DataError, 'should not have any time fields');
      expect(() => write(c, TIME_SCHEMA, new Date(86_400_000))).to.throw(DataError, 'should not have any date fields');
      expect(() => write(c, decimalSchema(1), '1.25')).to.throw(DataError, 'mismatching scale');
    });

    it('rejects payloads that do not match their schema', () => {
      const env = (schema: string, payload: string) => `{"schema":${schema},"payload":${payload}}`;
      expect(() => read(c, env('{"type":"int32","optional":false}', 'null'))).to.throw(
        DataError,
        'Invalid null value for required INT32 field',
      );
      expect(() => read(c, env('{"type":"string","optional":false}', '1'))).to.throw(DataError);
      expect(() => read(c, env('{"type":"struct","fields":[],"optional":false}', '[]'))).to.throw(
        DataError,
        'Structs should be encoded as JSON objects, but found ARRAY',
      );
      expect(() =>
        read(c, env('{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}}', '{"a":1}')),
      ).to.throw(DataError, 'Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT');
      expect(() => read(c, env('{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}}', '[[1]]'))).to.throw(
        DataError,
        'Found invalid map entry, expected length 2 but found :1',
      );
      expect(() => read(c, env('{"type":"uuid"}', '1'))).to.throw(DataError, 'Unknown schema type: uuid');
      expect(() => read(c, env('{"optional":true}', '1'))).to.throw(DataError, "Schema must contain 'type' field");
      expect(() => read(c, env('{"type":"array"}', '[]'))).to.throw(
        DataError,
        'Array schema did not specify the element type',
      );
      expect(() => read(c, env('{"type":"int32","parameters":{"a":1}}', '1'))).to.throw(
        DataError,
        'Schema parameters must have string values.',
      );
      expect(() => read(c, env('{"type":"int32","name":"org.apache.kafka.connect.data.Date"}', '1.5'))).to.throw(
        DataError,
        'Invalid type for Date',
      );
    });

    it('wraps integers read into narrower types like Java casts', () => {
      const env = (type: string, payload: string) =>
        `{"schema":{"type":"${type}","optional":false},"payload":${payload}}`;
      expect(read(c, env('int8', '200')).value).to.equal(-56);
      expect(read(c, env('int32', '1.9')).value).to.equal(1);
    });
  });

  describe('with schemas disabled', () => {
    const c = converter({ 'schemas.enable': 'false' });

    it('writes plain JSON without an envelope', () => {
      expect(write(c, null, { a: 1, b: 'x', c: [1.5, true, null], d: { e: null } })).to.equal(
        '{"a":1,"b":"x","c":[1.5,true,null],"d":{"e":null}}',
      );
      expect(write(c, Schemas.FLOAT64, 2)).to.equal('2.0');
      expect(write(c, null, 'text')).to.equal('"text"');
    });

    it('infers bytes, bigints, Maps and non-finite numbers without a schema', () => {
      expect(write(c, null, { b: Buffer.from([1, 2]), n: 12345678901234567890n, u: undefined, x: NaN })).to.equal(
        '{"b":"AQI=","n":12345678901234567890,"u":null,"x":"NaN"}',
      );
      expect(write(c, null, new Map<unknown, unknown>([[1, 'a']]))).to.equal('[[1,"a"]]');
      expect(write(c, null, new Map([['k', new Map([['j', 1]])]]))).to.equal('{"k":{"j":1}}');
      expect(write(c, null, '\u0001')).to.equal('"\\u0001"');
      expect(write(c, null, { s: '\u001f' })).to.equal('{"s":"\\u001F"}');
    });

    it('refuses values that have no Connect type', () => {
      expect(() => write(c, null, new Date())).to.throw(DataError);
      expect(() => write(c, null, { f: () => 1 })).to.throw(DataError);
    });

    it('returns null for null values', () => {
      expect(c.fromConnectData('topic', Schemas.OPTIONAL_STRING, null)).to.equal(null);
      expect(c.fromConnectData('topic', null, null)).to.equal(null);
    });

    it('reads plain JSON as schemaless data', () => {
      expect(read(c, '{"a":[1,2.5,"x",null,{"b":false}]}')).to.deep.equal({
        schema: null,
        value: { a: [1, 2.5, 'x', null, { b: false }] },
      });
      expect(read(c, '9223372036854775807').value).to.equal(9223372036854775807n);
      expect(c.toConnectData('topic', Buffer.alloc(0))).to.deep.equal({ schema: null, value: null });
    });

    it('round-trips schemaless values', () => {
      const value = { a: 1, b: ['x', { c: true }], d: null };
      expect(roundTrip(c, null, value).value).to.deep.equal(value);
    });
  });

  it("exposes Kafka's config keys and validates decimal.format", () => {
    const names = new JsonConverter()
      .config()
      .keys()
      .map((k) => k.name);
    expect(names).to.include.members([
      'converter.type',
      'schemas.enable',
      'schemas.cache.size',
      'decimal.format',
      'replace.null.with.default',
    ]);
    expect(() => converter({ 'decimal.format': 'HEX' })).to.throw(/decimal.format/);
  });

  it('works as a header converter', () => {
    const c = new JsonConverter();
    c.configure({ 'converter.type': 'header' });
    const bytes = c.fromConnectHeader('topic', 'h', Schemas.INT32, 5);
    expect(bytes?.toString()).to.equal('{"schema":{"type":"int32","optional":false},"payload":5}');
    expect(c.toConnectHeader('topic', 'h', bytes).value).to.equal(5);
  });

  it('bounds its schema caches by schemas.cache.size', () => {
    const c = converter({ 'schemas.cache.size': '2' });
    for (let i = 0; i < 5; i++) {
      const schema = primitiveSchema('int32', { name: `s${i}` });
      expect(roundTrip(c, schema, i).value).to.equal(i);
    }
  });
});

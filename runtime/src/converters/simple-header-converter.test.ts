import { expect } from 'chai';
import { Schemas, arraySchema, mapSchema, structSchema, type Schema } from '../sdk/index.js';
import { DATE_SCHEMA, TIMESTAMP_SCHEMA, TIME_SCHEMA, decimalSchema } from './logical-types.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { convertToString, parseString } from './values.js';

const c = new SimpleHeaderConverter();
c.configure();

function toText(schema: Schema | null, value: unknown): string | null {
  return c.fromConnectHeader('t', 'h', schema, value)?.toString('utf8') ?? null;
}

function fromText(text: string) {
  return c.toConnectHeader('t', 'h', Buffer.from(text, 'utf8'));
}

describe('SimpleHeaderConverter', () => {
  it('writes values as Kafka Values.convertToString does', () => {
    expect(toText(Schemas.STRING, 'plain text')).to.equal('plain text');
    expect(toText(Schemas.INT32, 42)).to.equal('42');
    expect(toText(Schemas.FLOAT64, 1)).to.equal('1.0');
    expect(toText(Schemas.BOOLEAN, true)).to.equal('true');
    expect(toText(Schemas.BYTES, Buffer.from([1, 2, 3]))).to.equal('AQID');
    expect(toText(arraySchema(Schemas.STRING), ['a', 'b"c'])).to.equal('["a","b\\"c"]');
    expect(toText(mapSchema(Schemas.STRING, Schemas.INT32), { a: 1 })).to.equal('{"a":1}');
    expect(toText(structSchema([['x', Schemas.INT8]]), { x: 1 })).to.equal('{"x":1}');
    expect(toText(DATE_SCHEMA, new Date(Date.UTC(2024, 0, 2)))).to.equal('2024-01-02');
    expect(toText(TIME_SCHEMA, new Date(3_723_004))).to.equal('01:02:03.004Z');
    expect(toText(TIMESTAMP_SCHEMA, new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).to.equal('2024-01-02T03:04:05.006Z');
    expect(toText(null, null)).to.equal(null);
  });

  it('infers booleans and the smallest integer type when reading', () => {
    expect(fromText('true')).to.deep.equal({ schema: Schemas.BOOLEAN, value: true });
    expect(fromText('12')).to.deep.equal({ schema: Schemas.INT8, value: 12 });
    expect(fromText('-300')).to.deep.equal({ schema: Schemas.INT16, value: -300 });
    expect(fromText('70000')).to.deep.equal({ schema: Schemas.INT32, value: 70000 });
    expect(fromText('5000000000')).to.deep.equal({ schema: Schemas.INT64, value: 5000000000 });
    expect(fromText('9223372036854775807')).to.deep.equal({ schema: Schemas.INT64, value: 9223372036854775807n });
    expect(fromText('1.0')).to.deep.equal({ schema: Schemas.INT8, value: 1 });
  });

  it('reads fractional numbers as FLOAT32, FLOAT64 or Decimal as Kafka picks', () => {
    expect(fromText('1.5')).to.deep.equal({ schema: Schemas.FLOAT32, value: 1.5 });
    expect(fromText('1.5e300')).to.deep.equal({ schema: Schemas.FLOAT64, value: 1.5e300 });
    expect(fromText('99999999999999999999')).to.deep.equal({ schema: decimalSchema(0), value: '99999999999999999999' });
  });

  it('reads ISO dates, times and timestamps as logical types', () => {
    expect(fromText('2024-01-02')).to.deep.equal({ schema: DATE_SCHEMA, value: new Date(Date.UTC(2024, 0, 2)) });
    expect(fromText('01:02:03.004Z')).to.deep.equal({ schema: TIME_SCHEMA, value: new Date(3_723_004) });
    expect(fromText('2024-01-02T03:04:05.006Z')).to.deep.equal({
      schema: TIMESTAMP_SCHEMA,
      value: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    });
  });

  it('reads arrays and maps with a common element schema', () => {
    expect(fromText('[1, 2, 300]')).to.deep.equal({ schema: arraySchema(Schemas.INT16), value: [1, 2, 300] });
    expect(fromText('["a","b\\"c"]')).to.deep.equal({ schema: arraySchema(Schemas.STRING), value: ['a', 'b"c'] });
    expect(fromText('{"a":1,"b":2.5}')).to.deep.equal({
      schema: mapSchema(Schemas.STRING, Schemas.FLOAT32),
      value: { a: 1, b: 2.5 },
    });
    expect(fromText('{1:true}')).to.deep.equal({
      schema: mapSchema(Schemas.INT8, Schemas.BOOLEAN),
      value: new Map([[1, true]]),
    });
    expect(fromText('["2024-01-02T03:04:05.006Z"]').value).to.deep.equal(['2024-01-02T03:04:05.006Z']);
    expect(fromText('[2024-01-02T03:04:05.006Z]').schema).to.deep.equal(arraySchema(TIMESTAMP_SCHEMA));
    expect(fromText('[1,"a"]')).to.deep.equal({ schema: null, value: [1, 'a'] });
    expect(fromText('[]')).to.deep.equal({ schema: null, value: [] });
  });

  it('falls back to a string for anything else', () => {
    expect(fromText('hello, world')).to.deep.equal({ schema: Schemas.STRING, value: 'hello, world' });
    expect(fromText('[unquoted]')).to.deep.equal({ schema: Schemas.STRING, value: '[unquoted]' });
    expect(fromText('{"a":1')).to.deep.equal({ schema: Schemas.STRING, value: '{"a":1' });
    expect(fromText('12abc')).to.deep.equal({ schema: Schemas.STRING, value: '12abc' });
    expect(fromText('')).to.deep.equal({ schema: Schemas.STRING, value: '' });
  });

  it('reads null bytes and the null literal as null', () => {
    expect(c.toConnectHeader('t', 'h', null)).to.deep.equal({ schema: null, value: null });
    expect(fromText('null')).to.deep.equal({ schema: null, value: null });
  });

  it('round-trips typed values through text', () => {
    const cases: [Schema, unknown][] = [
      [Schemas.INT8, 5],
      [Schemas.BOOLEAN, false],
      [Schemas.STRING, 'just text'],
      [arraySchema(Schemas.INT32), [100000, 200000]],
      [mapSchema(Schemas.STRING, Schemas.STRING), { k: 'v,:{}' }],
    ];
    for (const [schema, value] of cases)
      expect(parseString(convertToString(schema, value)!)).to.deep.equal({ schema, value });
  });
});

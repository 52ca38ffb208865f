import { expect } from 'chai';
import { DataError, Schemas } from '../sdk/index.js';
import {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './number-converters.js';

describe('Number converters', () => {
  it('write big-endian fixed-width values like Kafka serializers', () => {
    expect([...new ShortConverter().fromConnectData('t', null, -2)!]).to.deep.equal([0xff, 0xfe]);
    expect([...new IntegerConverter().fromConnectData('t', null, 258)!]).to.deep.equal([0, 0, 1, 2]);
    expect([...new LongConverter().fromConnectData('t', null, 1)!]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...new FloatConverter().fromConnectData('t', null, 1.5)!]).to.deep.equal([0x3f, 0xc0, 0, 0]);
    expect([...new DoubleConverter().fromConnectData('t', null, 1.5)!]).to.deep.equal([0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    expect([...new BooleanConverter().fromConnectData('t', null, true)!]).to.deep.equal([1]);
  });

  it('round-trip values with optional schemas', () => {
    const cases = [
      [new ShortConverter(), -32768, Schemas.OPTIONAL_INT16],
      [new IntegerConverter(), 2147483647, Schemas.OPTIONAL_INT32],
      [new LongConverter(), -42, Schemas.OPTIONAL_INT64],
      [new LongConverter(), 9223372036854775807n, Schemas.OPTIONAL_INT64],
      [new FloatConverter(), 0.5, Schemas.OPTIONAL_FLOAT32],
      [new DoubleConverter(), Math.PI, Schemas.OPTIONAL_FLOAT64],
      [new BooleanConverter(), false, Schemas.OPTIONAL_BOOLEAN],
    ] as const;
    for (const [c, value, schema] of cases) {
      c.configure();
      expect(c.toConnectData('t', c.fromConnectData('t', schema, value))).to.deep.equal({ schema, value });
      expect(c.toConnectHeader('t', 'h', c.fromConnectHeader('t', 'h', schema, value)).value).to.deep.equal(value);
      expect(c.fromConnectData('t', schema, null)).to.equal(null);
      expect(c.toConnectData('t', null)).to.deep.equal({ schema, value: null });
    }
  });

  it('reject values of the wrong type or range', () => {
    expect(() => new IntegerConverter().fromConnectData('t', null, 'x')).to.throw(
      DataError,
      'Failed to serialize to integer (was string)',
    );
    expect(() => new ShortConverter().fromConnectData('t', null, 40000)).to.throw(DataError, 'short');
    expect(() => new IntegerConverter().fromConnectData('t', null, 1.5)).to.throw(DataError);
    expect(() => new LongConverter().fromConnectData('t', null, 2n ** 64n)).to.throw(DataError, 'long');
    expect(() => new BooleanConverter().fromConnectData('t', Schemas.INT8, true)).to.throw(
      DataError,
      'Invalid schema type for BooleanConverter: INT8',
    );
  });

  it('reject bytes of the wrong size', () => {
    expect(() => new IntegerConverter().toConnectData('t', Buffer.from([1, 2]))).to.throw(
      DataError,
      'Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4',
    );
    expect(() => new BooleanConverter().toConnectData('t', Buffer.from([2]))).to.throw(
      DataError,
      'Unexpected byte received by BooleanDeserializer: 2',
    );
  });
});

import { expect } from 'chai';
import { DataError, Schemas } from '../sdk/index.js';
import { ByteArrayConverter } from './byte-array-converter.js';

describe('ByteArrayConverter', () => {
  const c = new ByteArrayConverter();
  c.configure();

  it('passes buffers through without copying', () => {
    const b = Buffer.from([1, 2, 3]);
    expect(c.fromConnectData('t', Schemas.BYTES, b)).to.equal(b);
    expect(c.fromConnectData('t', null, b)).to.equal(b);
    expect(c.toConnectData('t', b)).to.deep.equal({ schema: Schemas.OPTIONAL_BYTES, value: b });
  });

  it('accepts plain Uint8Arrays', () => {
    expect([...c.fromConnectData('t', null, new Uint8Array([4, 5]))!]).to.deep.equal([4, 5]);
  });

  it('maps null to null', () => {
    expect(c.fromConnectData('t', Schemas.OPTIONAL_BYTES, null)).to.equal(null);
    expect(c.toConnectData('t', null)).to.deep.equal({ schema: Schemas.OPTIONAL_BYTES, value: null });
  });

  it('rejects other schemas and values', () => {
    expect(() => c.fromConnectData('t', Schemas.STRING, 'x')).to.throw(
      DataError,
      'Invalid schema type for ByteArrayConverter: STRING',
    );
    expect(() => c.fromConnectData('t', null, 'x')).to.throw(
      DataError,
      'ByteArrayConverter is not compatible with objects of type string',
    );
  });
});

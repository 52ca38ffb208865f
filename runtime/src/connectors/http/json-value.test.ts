import { expect } from 'chai';
import { Schemas, structSchema } from '../../sdk/index.js';
import { renderValue, toJson } from './json-value.js';

describe('HTTP sink JSON rendering', () => {
  it('renders Connect values as JSON: structs in field order, bytes as base64, bigints as numbers', () => {
    const schema = structSchema([
      ['id', Schemas.INT64],
      ['name', Schemas.OPTIONAL_STRING],
      ['raw', Schemas.OPTIONAL_BYTES],
    ]);
    expect(toJson({ raw: Buffer.from('hi'), name: null, id: 2n ** 60n }, schema)).to.equal(
      '{"id":1152921504606846976,"name":null,"raw":"aGk="}',
    );
    expect(toJson({ a: [1, 'x', true], b: undefined, c: new Map([[1, 2]]) })).to.equal(
      '{"a":[1,"x",true],"c":{"1":2}}',
    );
    expect(toJson('quote " here')).to.equal('"quote \\" here"');
    expect(toJson(NaN)).to.equal('null');
  });

  it('inserts string and bytes values unchanged in raw format', () => {
    expect(renderValue('{"a":1}', null, 'raw')).to.equal('{"a":1}');
    expect(renderValue(Buffer.from('[1]'), null, 'raw')).to.equal('[1]');
    expect(renderValue('{"a":1}', null, 'json')).to.equal('"{\\"a\\":1}"');
    expect(renderValue({ a: 1 }, null, 'raw')).to.equal('{"a":1}');
  });
});

import { expect } from 'chai';
import { ConfigError, Schemas, arraySchema, mapSchema, structSchema } from '../sdk/index.js';
import { StringConverter } from './string-converter.js';

function converter(props: Record<string, string> = {}): StringConverter {
  const c = new StringConverter();
  c.configure(props, false);
  return c;
}

describe('StringConverter', () => {
  it('writes strings as UTF-8 and reads them back with an optional string schema', () => {
    const c = converter();
    const bytes = c.fromConnectData('t', Schemas.STRING, 'héllo');
    expect([...bytes!]).to.deep.equal([...Buffer.from('héllo', 'utf8')]);
    expect(c.toConnectData('t', bytes)).to.deep.equal({ schema: Schemas.OPTIONAL_STRING, value: 'héllo' });
  });

  it('writes other values in their Java string form', () => {
    const c = converter();
    const text = (schema: Parameters<StringConverter['fromConnectData']>[1], v: unknown) =>
      c.fromConnectData('t', schema, v)!.toString();
    expect(text(null, 42)).to.equal('42');
    expect(text(Schemas.FLOAT64, 2)).to.equal('2.0');
    expect(text(null, true)).to.equal('true');
    expect(text(null, 12n)).to.equal('12');
    expect(text(arraySchema(Schemas.INT32), [1, 2])).to.equal('[1, 2]');
    expect(text(mapSchema(Schemas.STRING, Schemas.INT32), { a: 1, b: 2 })).to.equal('{a=1, b=2}');
    const s = structSchema([
      ['a', Schemas.INT32],
      ['b', Schemas.OPTIONAL_STRING],
      ['c', Schemas.STRING],
    ]);
    expect(text(s, { a: 1, b: null, c: 'x' })).to.equal('Struct{a=1,c=x}');
  });

  it('passes bytes through unchanged', () => {
    const c = converter();
    expect(c.fromConnectData('t', null, Buffer.from([0xff, 0]))).to.deep.equal(Buffer.from([0xff, 0]));
  });

  it('maps null to null both ways', () => {
    const c = converter();
    expect(c.fromConnectData('t', null, null)).to.equal(null);
    expect(c.toConnectData('t', null)).to.deep.equal({ schema: Schemas.OPTIONAL_STRING, value: null });
  });

  it('honours converter.encoding', () => {
    const latin = converter({ 'converter.encoding': 'ISO-8859-1' });
    expect([...latin.fromConnectData('t', null, 'é€')!]).to.deep.equal([0xe9, 0x3f]);
    expect(latin.toConnectData('t', Buffer.from([0xe9])).value).to.equal('é');
    const be = converter({ 'converter.encoding': 'UTF-16BE' });
    expect([...be.fromConnectData('t', null, 'A')!]).to.deep.equal([0, 0x41]);
    expect(be.toConnectData('t', Buffer.from([0, 0x41, 0, 0x42])).value).to.equal('AB');
    const utf16 = converter({ 'converter.encoding': 'UTF-16' });
    expect([...utf16.fromConnectData('t', null, 'A')!]).to.deep.equal([0xfe, 0xff, 0, 0x41]);
    expect(utf16.toConnectData('t', Buffer.from([0xff, 0xfe, 0x41, 0])).value).to.equal('A');
    const ascii = converter({ 'converter.encoding': 'US-ASCII' });
    expect(ascii.fromConnectData('t', null, 'aé')!.toString('latin1')).to.equal('a?');
  });

  it('rejects an unknown encoding', () => {
    expect(() => converter({ 'converter.encoding': 'EBCDIC' })).to.throw(ConfigError, 'converter.encoding');
  });

  it('works as a header converter', () => {
    const c = new StringConverter();
    c.configure({});
    expect(c.toConnectHeader('t', 'h', c.fromConnectHeader('t', 'h', null, 'v')).value).to.equal('v');
  });
});

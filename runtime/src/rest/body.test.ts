import { expect } from 'chai';
import { parseJsonBody, toConfigPatch, toConnectorConfig } from './body.js';
import { RestError } from '../errors.js';

function statusOfThrow(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof RestError ? err.status : -1;
  }
  return undefined;
}

describe('request body checks', () => {
  it('parses JSON and returns undefined for an empty or blank body', () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'), 'application/json')).to.deep.equal({ a: 1 });
    expect(parseJsonBody(Buffer.alloc(0), undefined)).to.equal(undefined);
    expect(parseJsonBody(Buffer.from('  \n'), undefined)).to.equal(undefined);
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(parseJsonBody(Buffer.from('\uFEFF{"a":"é"}'), 'application/json; charset=UTF-8')).to.deep.equal({ a: 'é' });
  });

  it('refuses malformed JSON, non-UTF-8 and non-JSON content types', () => {
    expect(statusOfThrow(() => parseJsonBody(Buffer.from('{'), undefined))).to.equal(400);
    expect(statusOfThrow(() => parseJsonBody(Buffer.from([0xc3, 0x28]), undefined))).to.equal(400);
    expect(statusOfThrow(() => parseJsonBody(Buffer.from('{}'), 'multipart/form-data; boundary=x'))).to.equal(415);
    expect(statusOfThrow(() => parseJsonBody(Buffer.from('{}'), 'application/json; charset=latin1'))).to.equal(415);
  });

  it('accepts JSON-suffixed media types', () => {
    expect(parseJsonBody(Buffer.from('{}'), 'application/vnd.sluice+json')).to.deep.equal({});
  });

  it('survives deeply nested JSON', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const status = statusOfThrow(() => parseJsonBody(Buffer.from(deep), undefined));
    expect([undefined, 400]).to.include(status);
  });

  it('coerces scalars in a connector config and refuses nested values and null', () => {
    expect(toConnectorConfig({ a: 'x', b: 1, c: false, d: 1.5 })).to.deep.equal({
      a: 'x',
      b: '1',
      c: 'false',
      d: '1.5',
    });
    expect(statusOfThrow(() => toConnectorConfig({ a: { b: 'c' } }))).to.equal(400);
    expect(statusOfThrow(() => toConnectorConfig({ a: [] }))).to.equal(400);
    expect(statusOfThrow(() => toConnectorConfig({ a: null }))).to.equal(400);
    expect(statusOfThrow(() => toConnectorConfig([]))).to.equal(400);
    expect(statusOfThrow(() => toConnectorConfig(undefined))).to.equal(400);
  });

  it('keeps null in a config patch', () => {
    expect(toConfigPatch({ a: null, b: 2 })).to.deep.equal({ a: null, b: '2' });
    expect(statusOfThrow(() => toConfigPatch({ a: {} }))).to.equal(400);
  });
});

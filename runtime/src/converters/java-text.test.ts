import { expect } from 'chai';
import { jacksonText, javaDouble, javaFloat, quote } from './java-text.js';

describe('Java number and string text', () => {
  it('renders doubles the way Double.toString does', () => {
    expect(javaDouble(1)).to.equal('1.0');
    expect(javaDouble(-2.5)).to.equal('-2.5');
    expect(javaDouble(0)).to.equal('0.0');
    expect(javaDouble(-0)).to.equal('-0.0');
    expect(javaDouble(0.001)).to.equal('0.001');
    expect(javaDouble(1e-4)).to.equal('1.0E-4');
    expect(javaDouble(1.5e-7)).to.equal('1.5E-7');
    expect(javaDouble(9999999)).to.equal('9999999.0');
    expect(javaDouble(1e7)).to.equal('1.0E7');
    expect(javaDouble(1.2345e21)).to.equal('1.2345E21');
    expect(javaDouble(0.1 + 0.2)).to.equal('0.30000000000000004');
    expect(javaDouble(NaN)).to.equal('NaN');
    expect(javaDouble(-Infinity)).to.equal('-Infinity');
  });

  it('renders floats with the shortest digits that identify the float32', () => {
    expect(javaFloat(0.1)).to.equal('0.1');
    expect(javaFloat(Math.fround(0.1))).to.equal('0.1');
    expect(javaFloat(1)).to.equal('1.0');
    expect(javaFloat(3.4028234663852886e38)).to.equal('3.4028235E38');
    expect(javaFloat(Math.fround(1.1))).to.equal('1.1');
  });

  it('quotes strings like Jackson, with upper-case hex control escapes', () => {
    expect(quote('plain')).to.equal('"plain"');
    expect(quote('a"b\\c\n')).to.equal('"a\\"b\\\\c\\n"');
    expect(quote('\u0001\u001f')).to.equal('"\\u0001\\u001F"');
    expect(quote('\\u001f')).to.equal('"\\\\u001f"');
    expect(quote('é/€')).to.equal('"é/€"');
  });

  it('escapes characters outside the BMP and lone surrogates as Jackson does (bytes from Kafka 4.3.1)', () => {
    // Expected texts are what Kafka 4.3.1's JsonConverter wrote for the same strings.
    expect(quote('a\uD83D\uDE00b')).to.equal('"a\\uD83D\\uDE00b"');
    expect(quote('x\uD800y')).to.equal('"x\\uD800y"');
    expect(quote('y\uDC00')).to.equal('"y\\uDC00"');
    expect(quote('\u2028\u2029\u007f\u0080é中\uFFFF')).to.equal('"\u2028\u2029\u007f\u0080é中\uFFFF"');
    expect(quote('\u0000\u0001\u001f\b\t\n\f\r"\\/')).to.equal('"\\u0000\\u0001\\u001F\\b\\t\\n\\f\\r\\"\\\\/"');
  });

  it('jacksonText rewrites JSON.stringify output of nested values the same way', () => {
    const json = jacksonText(JSON.stringify({ 'k\uD83D\uDE00': ['\uD83D\uDE00', 'x\uD800', '\u001f'] }));
    expect(json).to.equal('{"k\\uD83D\\uDE00":["\\uD83D\\uDE00","x\\uD800","\\u001F"]}');
    expect(jacksonText('{"plain":"ascii","n":1}')).to.equal('{"plain":"ascii","n":1}');
  });
});

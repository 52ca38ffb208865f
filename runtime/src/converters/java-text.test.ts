import { expect } from 'chai';
import { javaDouble, javaFloat, quote } from './java-text.js';

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
});

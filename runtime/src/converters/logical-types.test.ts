import { expect } from 'chai';
import {
  bytesToUnscaled,
  javaDecimal,
  parseDecimal,
  plainDecimal,
  toUnscaled,
  unscaledToBytes,
} from './logical-types.js';

describe('Logical type helpers', () => {
  it('encodes unscaled decimals as minimal two-complement bytes like BigInteger.toByteArray', () => {
    const cases: [bigint, number[]][] = [
      [0n, [0]],
      [1n, [1]],
      [127n, [0x7f]],
      [128n, [0x00, 0x80]],
      [156n, [0x00, 0x9c]],
      [-1n, [0xff]],
      [-128n, [0x80]],
      [-129n, [0xff, 0x7f]],
    ];
    for (const [v, bytes] of cases) {
      expect([...unscaledToBytes(v)], String(v)).to.deep.equal(bytes);
      expect(bytesToUnscaled(Buffer.from(bytes))).to.equal(v);
    }
  });

  it('parses decimal text into an unscaled value and a scale', () => {
    expect(parseDecimal('12.30')).to.deep.equal({ unscaled: 1230n, scale: 2 });
    expect(parseDecimal('-1.5E+3')).to.deep.equal({ unscaled: -15n, scale: -2 });
    expect(parseDecimal('.5')).to.deep.equal({ unscaled: 5n, scale: 1 });
    expect(() => parseDecimal('abc')).to.throw('Invalid decimal value');
  });

  it('rescales decimals only when no digits are lost', () => {
    expect(toUnscaled('1.5', 2)).to.equal(150n);
    expect(toUnscaled(2, 2)).to.equal(200n);
    expect(toUnscaled(7n, 1)).to.equal(70n);
    expect(toUnscaled({ unscaled: 1234n, scale: 2 }, 2)).to.equal(1234n);
    expect(toUnscaled('1.500', 2)).to.equal(150n);
    expect(() => toUnscaled('1.234', 2)).to.throw('mismatching scale');
    expect(() => toUnscaled(true, 2)).to.throw('Invalid type for Decimal');
  });

  it('renders decimals plainly and as BigDecimal.toString', () => {
    expect(plainDecimal(1234n, 2)).to.equal('12.34');
    expect(plainDecimal(-5n, 3)).to.equal('-0.005');
    expect(plainDecimal(12n, -2)).to.equal('1200');
    expect(javaDecimal(1234n, 2)).to.equal('12.34');
    expect(javaDecimal(1n, 7)).to.equal('1E-7');
    expect(javaDecimal(12n, -2)).to.equal('1.2E+3');
  });
});

import { expect } from 'chai';
import { JavaDateFormat } from './java-date-format.js';
import { JavaReplacement, compileJavaRegex, fullMatch, replaceFirst } from './java-regex.js';
import { javaFloatToString, narrowInteger } from './java-values.js';

describe('JavaDateFormat', () => {
  const date = new Date(Date.UTC(2023, 10, 7, 8, 5, 3, 9));

  it('formats the common SimpleDateFormat letters in UTC', () => {
    expect(new JavaDateFormat('yyyy-MM-dd HH:mm:ss.SSS').format(date)).to.equal('2023-11-07 08:05:03.009');
    expect(new JavaDateFormat("yy/M/d h:mm a 'at' EEE, MMM").format(date)).to.equal('23/11/7 8:05 AM at Tue, Nov');
    expect(new JavaDateFormat("yyyy-MM-dd'T'HH:mm:ssXXX").format(date)).to.equal('2023-11-07T08:05:03Z');
    expect(new JavaDateFormat("'It''s' yyyy").format(date)).to.equal("It's 2023");
  });

  it('parses abutting numeric fields by their widths', () => {
    expect(new JavaDateFormat('yyyyMMddHHmmss').parse('20231107080503')).to.deep.equal(
      new Date(Date.UTC(2023, 10, 7, 8, 5, 3)),
    );
  });

  it('parses month names, AM/PM and zone offsets', () => {
    const parsed = new JavaDateFormat('dd MMM yyyy hh:mm a Z').parse('07 Nov 2023 09:05 PM +0100');
    expect(parsed).to.deep.equal(new Date(Date.UTC(2023, 10, 7, 20, 5)));
  });

  it('returns null for text that does not match', () => {
    expect(new JavaDateFormat('yyyy-MM-dd').parse('2023/11/07')).to.equal(null);
  });

  it('rejects unknown pattern letters and unterminated quotes', () => {
    expect(() => new JavaDateFormat('yyyy-qq')).to.throw(/Illegal pattern character/);
    expect(() => new JavaDateFormat("yyyy'T")).to.throw(/Unterminated quote/);
  });
});

describe('Java regex support', () => {
  it('matches whole strings only and replaces like Matcher.replaceFirst', () => {
    const p = compileJavaRegex('a|ab');
    expect(fullMatch(p, 'ab')).not.to.equal(null);
    expect(replaceFirst(p, 'ab', new JavaReplacement('X', p))).to.equal('Xb');
  });

  it('rejects a dangling dollar or backslash in a replacement', () => {
    const p = compileJavaRegex('(a)');
    expect(() => new JavaReplacement('$', p)).to.throw();
    expect(() => new JavaReplacement('a\\', p)).to.throw();
    expect(() => new JavaReplacement('$x', p)).to.throw(/Illegal group reference/);
  });
});

describe('Java numeric conversions', () => {
  it('narrows integers with wrap-around and floats with saturation', () => {
    expect(narrowInteger(200, 'int8', false)).to.equal(-56);
    expect(narrowInteger(1e10, 'int8', true)).to.equal(-1);
    expect(narrowInteger(2n ** 63n + 5n, 'int64', false)).to.equal(-(2n ** 63n) + 5n);
  });

  it('prints doubles and floats like Java', () => {
    expect(javaFloatToString(1, false)).to.equal('1.0');
    expect(javaFloatToString(0.0001, false)).to.equal('1.0E-4');
    expect(javaFloatToString(1e21, false)).to.equal('1.0E21');
    expect(javaFloatToString(Math.fround(3.3), true)).to.equal('3.3');
  });
});

import { expect } from 'chai';
import { parseProperties } from './properties.js';

describe('parseProperties', () => {
  it('reads key=value, key:value and key value lines and skips comments', () => {
    const props = parseProperties('# comment\n! also\na=1\nb: 2\nc 3\n  d  =  four  \n\n');
    expect(props).to.deep.equal({ a: '1', b: '2', c: '3', d: 'four  ' });
  });

  it('joins continuation lines and decodes escapes', () => {
    const props = parseProperties('list=a,\\\n    b,\\\n    c\nesc=tab\\there\\u0041\nkey\\=with=eq\nwin=x\\\\');
    expect(props).to.deep.equal({ list: 'a,b,c', esc: 'tab\thereA', 'key=with': 'eq', win: 'x\\' });
  });

  it('handles CRLF files and empty values', () => {
    expect(parseProperties('a=1\r\nb=\r\n')).to.deep.equal({ a: '1', b: '' });
  });
});

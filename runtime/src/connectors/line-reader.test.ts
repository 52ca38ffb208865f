import { expect } from 'chai';
import { LineReader, type ReadInto } from './line-reader.js';

/** Every complete line with the byte position after it. */
function drain(reader: LineReader): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let line: string | null;
  while ((line = reader.nextLine()) !== null) out.push([line, reader.position]);
  return out;
}

/** A ReadInto that serves `data` in chunks of the given sizes (cycling), then nothing. */
function chunked(data: Buffer, sizes: number[]): ReadInto {
  let i = 0;
  return async (target, offset, length, position) => {
    if (position >= data.length) return 0;
    const size = Math.min(sizes[i++ % sizes.length]!, length, data.length - position);
    return data.copy(target, offset, position, position + size);
  };
}

/** The reference answer: split on CRLF, CR or LF, drop an unterminated tail, positions in bytes. */
function expectedLines(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const re = /\r\n|\r|\n/g;
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    // A CR at the very end cannot be decided yet; the reader must hold it.
    if (match[0] === '\r' && match.index === text.length - 1) break;
    out.push([text.slice(last, match.index), Buffer.byteLength(text.slice(0, re.lastIndex))]);
    last = re.lastIndex;
  }
  return out;
}

async function readAll(data: Buffer, sizes: number[], readSize = 16): Promise<Array<[string, number]>> {
  const reader = new LineReader(0, readSize);
  const read = chunked(data, sizes);
  const out: Array<[string, number]> = [];
  for (;;) {
    out.push(...drain(reader));
    if ((await reader.fill(read)) === 0) break;
  }
  return out;
}

describe('LineReader', () => {
  it('splits on LF, CR and CRLF and reports the byte position after each line', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('a\nbb\rccc\r\n\ndd\n'));
    expect(drain(reader)).to.deep.equal([
      ['a', 2],
      ['bb', 5],
      ['ccc', 10],
      ['', 11],
      ['dd', 14],
    ]);
  });

  it('does not return a final line until its terminator arrives', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('one\ntw'));
    expect(drain(reader)).to.deep.equal([['one', 4]]);
    expect(reader.pendingBytes).to.equal(2);
    reader.push(Buffer.from('o\n'));
    expect(drain(reader)).to.deep.equal([['two', 8]]);
  });

  it('treats a CR at the end of a chunk and an LF at the start of the next as one terminator', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('a\r'));
    expect(drain(reader)).to.deep.equal([]);
    reader.push(Buffer.from('\nb\r'));
    expect(drain(reader)).to.deep.equal([['a', 3]]);
    reader.push(Buffer.from('c\n'));
    expect(drain(reader)).to.deep.equal([
      ['b', 5],
      ['c', 7],
    ]);
  });

  it('counts bytes, not characters, and decodes a multi-byte character split across reads', async () => {
    const text = 'héllo wörld\n€uro\n日本語\n🙂\n';
    const lines = await readAll(Buffer.from(text), [1, 2, 3]);
    expect(lines).to.deep.equal(expectedLines(text));
    expect(lines.at(-1)).to.deep.equal(['🙂', Buffer.byteLength(text)]);
  });

  it('starts counting at the position it was created with', () => {
    const reader = new LineReader(1000);
    reader.push(Buffer.from('x\ny\n'));
    expect(drain(reader)).to.deep.equal([
      ['x', 1002],
      ['y', 1004],
    ]);
    expect(reader.readPosition).to.equal(1004);
  });

  it('grows its buffer for lines longer than one read', async () => {
    const long = 'x'.repeat(1000);
    const text = `${long}\nshort\n${long}${long}\r\n`;
    expect(await readAll(Buffer.from(text), [7, 64], 16)).to.deep.equal(expectedLines(text));
  });

  it('gives the same lines and positions however the bytes are chunked', async () => {
    // Deterministic pseudo-random text full of CR, LF, CRLF and multi-byte characters.
    const pieces = ['a', 'bc', '\r', '\n', '\r\n', 'é', '€', '🙂', ' ', 'xyz'];
    let state = 7;
    const next = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
    let text = '';
    for (let i = 0; i < 3000; i++) text += pieces[next(pieces.length)];
    const data = Buffer.from(text);
    const expected = expectedLines(text);
    for (const sizes of [[1], [2, 3], [5, 1, 8], [13], [64], [4096]]) {
      expect(await readAll(data, sizes), `chunks ${sizes.join(',')}`).to.deep.equal(expected);
    }
  });
});

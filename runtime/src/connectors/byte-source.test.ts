import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { StreamByteSource } from './byte-source.js';
import { LineReader } from './line-reader.js';

describe('StreamByteSource', () => {
  it('feeds a stream such as stdin to the line reader, holding back what does not fit', async () => {
    const stream = new PassThrough();
    const source = new StreamByteSource(stream);
    const reader = new LineReader(0, 4);
    expect(await reader.fill(source.read)).to.equal(0);
    stream.write('first line\nsec');
    stream.write('ond\n');
    await new Promise((resolve) => setImmediate(resolve));
    const lines: string[] = [];
    for (let i = 0; i < 20 && lines.length < 2; i++) {
      await reader.fill(source.read);
      let line: string | null;
      while ((line = reader.nextLine()) !== null) lines.push(line);
    }
    expect(lines).to.deep.equal(['first line', 'second']);
    await source.close();
    expect(stream.listenerCount('readable')).to.equal(0);
  });
});

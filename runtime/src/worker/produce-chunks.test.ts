import { expect } from 'chai';
import { produceChunks } from './produce-chunks.js';

describe('produceChunks', () => {
  it('keeps a small batch in one request', () => {
    const chunks = produceChunks(new Map([['a', [{ value: 'x' }, { value: 'y' }]]]));
    expect(chunks).to.deep.equal([[{ topic: 'a', messages: [{ value: 'x' }, { value: 'y' }] }]]);
  });

  it('splits by bytes, keeping the order of each topic', () => {
    const big = (i: number) => ({ key: String(i), value: Buffer.alloc(400) });
    const chunks = produceChunks(
      new Map([
        ['a', [big(1), big(2), big(3)]],
        ['b', [big(4)]],
      ]),
      1000,
    );
    const flat = chunks.map((c) => c.map((t) => `${t.topic}:${t.messages.map((m) => m.key).join(',')}`));
    expect(flat).to.deep.equal([['a:1,2'], ['a:3', 'b:4']]);
  });

  it('sends a message larger than the budget alone', () => {
    const chunks = produceChunks(new Map([['a', [{ value: Buffer.alloc(5000) }, { value: 'x' }]]]), 1000);
    expect(chunks.map((c) => c[0]!.messages.length)).to.deep.equal([1, 1]);
  });
});

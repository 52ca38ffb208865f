import { expect } from 'chai';
import { createRequire } from 'node:module';
import { createRecordDecoder } from './record-decoder.js';

const require = createRequire(import.meta.url);
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => {
  buffer: Buffer;
};
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };

/** kafkajs's own record decoder, loaded apart from the module cache entry client.ts replaces. */
function kafkajsDecoder(): (d: unknown, c: object) => unknown {
  const path = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder.js');
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as (d: unknown, c: object) => unknown;
  } finally {
    if (cached) require.cache[path] = cached;
  }
}

describe('kafkajs record decoder replacement', () => {
  it('decodes records exactly as kafkajs 2.2.4 does, including huge bases and deltas and repeated headers', () => {
    const ours = createRecordDecoder();
    const theirs = kafkajsDecoder();
    const cases = [
      { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v') },
      { offsetDelta: 7, timestampDelta: 1234, key: Buffer.from('k'), value: null, headers: { a: 'x', b: ['1', '2'] } },
      { offsetDelta: 1, timestampDelta: -5, key: Buffer.alloc(0), value: Buffer.from('é') },
      { offsetDelta: 3, timestampDelta: Long.fromValue('9007199254740993'), key: null, value: Buffer.from('big') },
    ];
    const contexts = [
      { firstOffset: '0', firstTimestamp: '1700000000000', magicByte: 2, timestampType: 0 },
      { firstOffset: '9007199254740990', firstTimestamp: '9007199254740990', magicByte: 2, timestampType: 0 },
      { firstOffset: '5', firstTimestamp: '1', maxTimestamp: '99', timestampType: 1, isControlBatch: true },
    ];
    for (const context of contexts)
      for (const c of cases) {
        const bytes = encodeRecord(c).buffer;
        const a = ours(new Decoder(bytes) as never, context);
        const b = theirs(new Decoder(bytes), context);
        expect(a, JSON.stringify({ c, context })).to.deep.equal(b);
      }
  });
});

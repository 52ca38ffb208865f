import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { crc32c } from './crc32c.js';
import { murmur2 } from './murmur2.js';
import { createRecordEncoder, type RecordEncoder, type RecordFields } from './record-encoder.js';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js') as { prototype: object };
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };

/** kafkajs's own module, loaded apart from the module cache entry client.ts replaces. */
function kafkajsOwn<T>(file: string): T {
  const path = require.resolve(file);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as T;
  } finally {
    if (cached) require.cache[path] = cached;
    else delete require.cache[path];
  }
}

const RECORD = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
const bytesOf = (e: unknown) => (e as { buffer: Buffer }).buffer;

describe('kafkajs record encoder, CRC-32C and murmur2 replacements', () => {
  it('encodes records byte for byte as kafkajs 2.2.4 does', () => {
    const theirs = kafkajsOwn<RecordEncoder>(RECORD);
    let fallbacks = 0;
    const ours = createRecordEncoder((r) => {
      fallbacks++;
      return theirs(r);
    }, Encoder.prototype);
    const big = randomBytes(70_000);
    const cases: RecordFields[] = [
      {},
      { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v') },
      { offsetDelta: 7, timestampDelta: 1234, key: Buffer.from('k'), value: null, headers: { a: 'x', b: ['1', '2'] } },
      { offsetDelta: 63, timestampDelta: -64, key: Buffer.alloc(0), value: 'é string value' },
      { offsetDelta: 64, timestampDelta: 2 ** 40 + 3, key: 'k', value: big, headers: { ü: Buffer.from([0, 1]) } },
      { offsetDelta: 999, timestampDelta: -(2 ** 51), key: big.subarray(0, 300), value: big.subarray(1, 129) },
      { offsetDelta: 2 ** 31 - 1, timestampDelta: 1, value: Buffer.from('x'), headers: { e: Buffer.alloc(0) } },
    ];
    for (const c of cases) expect(bytesOf(ours(c)), JSON.stringify(c).slice(0, 200)).to.deep.equal(bytesOf(theirs(c)));
    expect(fallbacks).to.equal(0);
    // What kafkajs's producer never passes goes to kafkajs's encoder.
    const long = { offsetDelta: 1, timestampDelta: Long.fromValue('9007199254740993'), value: Buffer.from('v') };
    expect(bytesOf(ours(long))).to.deep.equal(bytesOf(theirs(long)));
    expect(fallbacks).to.equal(1);
  });

  it('returns an Encoder kafkajs can size and copy', () => {
    const e = createRecordEncoder(kafkajsOwn<RecordEncoder>(RECORD), Encoder.prototype)({ value: Buffer.from('abc') });
    expect(e).to.be.instanceOf(Encoder as unknown as new () => object);
    expect((e as unknown as { size(): number }).size()).to.equal(bytesOf(e).length);
  });

  it('computes CRC-32C as kafkajs does, for every length around the 8-byte steps', () => {
    const theirs = kafkajsOwn<(b: Buffer) => number>('kafkajs/src/protocol/recordBatch/crc32C/index.js');
    for (let n = 0; n < 80; n++) {
      const b = randomBytes(n);
      expect(crc32c(b), `length ${n}`).to.equal(theirs(b));
    }
    const big = randomBytes(1 << 20);
    expect(crc32c(big)).to.equal(theirs(big));
    expect(crc32c(big.subarray(3, 1000))).to.equal(theirs(big.subarray(3, 1000)));
    // The check value of CRC-32C (RFC 3720's test vectors: "123456789").
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
  });

  it('hashes keys with murmur2 as kafkajs (and the Java client) do', () => {
    const theirs = kafkajsOwn<(k: unknown) => number>('kafkajs/src/producer/partitioners/default/murmur2.js');
    for (let n = 0; n < 40; n++)
      for (let r = 0; r < 5; r++) {
        const key = randomBytes(n);
        expect(murmur2(key), key.toString('hex')).to.equal(theirs(key));
      }
    for (const key of ['', 'a', 'key-1', '{"id":42}', 'ünïcode', 12345]) expect(murmur2(key)).to.equal(theirs(key));
    // Kafka's own test vectors (UtilsTest.testMurmur2).
    expect(murmur2(Buffer.from('21'))).to.equal(-973932308);
    expect(murmur2(Buffer.from('foobar'))).to.equal(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).to.equal(-985981536);
  });

  it('is what kafkajs uses once client.ts loaded it (a fresh process, as the worker)', async () => {
    // In a fresh process: in this one another test file may have loaded kafkajs first.
    const script = `
      const { kafkaJsPatched } = await import(${JSON.stringify(new URL('./client.js', import.meta.url).href)});
      const { crc32c } = await import(${JSON.stringify(new URL('./crc32c.js', import.meta.url).href)});
      const { murmur2 } = await import(${JSON.stringify(new URL('./murmur2.js', import.meta.url).href)});
      const require = (await import('node:module')).createRequire(${JSON.stringify(import.meta.url)});
      const record = require('${RECORD}')({ value: Buffer.from('abc') });
      console.log(JSON.stringify({
        kafkaJsPatched,
        crc: require('kafkajs/src/protocol/recordBatch/crc32C/index.js') === crc32c,
        murmur: require('kafkajs/src/producer/partitioners/default/murmur2.js') === murmur2,
        // ours writes a record into a buffer of exactly its size; kafkajs's into 512 bytes or more
        exactRecord: record.buf.length === record.offset,
      }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).to.deep.equal({ kafkaJsPatched: true, crc: true, murmur: true, exactRecord: true });
  });
});

// Kafka's murmur2 key hash (the Java client's Utils.murmur2, which picks a
// keyed record's partition), in 32-bit integer arithmetic. kafkajs 2.2.4's
// (src/producer/partitioners/default/murmur2.js) gives the same numbers but
// computes every step on Long objects: ~3% of a source worker's CPU at 20k
// keyed records/s. Installed in place of kafkajs's module by client.ts
// before kafkajs loads, so the default partitioner stays Java-compatible.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of a key's bytes (a non-Buffer key as the UTF-8 of String(key), as kafkajs), a signed 32-bit int. */
export function murmur2(key: unknown): number {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
  const length = data.length;
  let h = SEED ^ length;
  const end4 = length & ~3;
  for (let i = 0; i < end4; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1-3 bytes.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[end4 + 2]! << 16;
    if (tail >= 2) h ^= data[end4 + 1]! << 8;
    h ^= data[end4]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

// Counter-based randomness for the data generator: every record's random
// values derive from (seed, task, sequence number) alone, so a task resumed
// from an offset produces exactly the records it would have produced had it
// never stopped, and two runs with one seed produce the same data.

/** A 32-bit integer finalizer (lowbias32): good avalanche, cheap in JS. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A small PRNG (mulberry32) that can be re-pointed at any record without allocating. */
export class RecordRandom {
  private state = 0;
  private readonly key: number;

  constructor(seed: number, task: number) {
    // Fold the 64-bit seed and the task id into one 32-bit key.
    const big = BigInt.asUintN(64, BigInt(Math.trunc(seed)));
    const lo = Number(big & 0xffffffffn);
    const hi = Number(big >> 32n);
    this.key = mix32(mix32(lo ^ 0x9e3779b9) ^ mix32(hi + 0x85ebca6b) ^ mix32(task + 0xc2b2ae35));
  }

  /** Points the generator at the record with this sequence number. */
  reset(seq: number): this {
    const lo = seq >>> 0;
    const hi = Math.floor(seq / 0x100000000) >>> 0;
    this.state = mix32(this.key ^ mix32(lo + 0x27d4eb2f) ^ mix32(hi ^ 0x165667b1));
    return this;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor((this.nextUint32() / 0x100000000) * n);
  }
}

/** A fresh seed when the user gave none: the output need not be reproducible then. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

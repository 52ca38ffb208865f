import { expect } from 'chai';
import { WorkQueue } from './work-queue.js';
import { ExponentialBackoffRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from './rate-limiter.js';
import { FakeClock, flush } from './fake-clock.test-support.js';

describe('kube/work-queue', () => {
  let clock: FakeClock;
  let queue: WorkQueue;

  beforeEach(() => {
    clock = new FakeClock();
    queue = new WorkQueue({ clock });
  });

  afterEach(() => queue.shutDown());

  it('collapses duplicate adds of a waiting key', async () => {
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    expect(queue.len()).to.equal(2);
    expect(await queue.get()).to.equal('ns/a');
    expect(await queue.get()).to.equal('ns/b');
    expect(queue.len()).to.equal(0);
  });

  it('never hands one key to two workers at once', async () => {
    queue.add('ns/a');
    const first = await queue.get();
    queue.add('ns/a'); // changed while being processed
    expect(queue.len()).to.equal(0, 'a processing key is not queued again');
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await flush();
    expect(second).to.equal(undefined, 'second worker must wait');
    queue.done(first!);
    await flush();
    expect(second).to.equal('ns/a', 're-added key is handed out after done');
  });

  it('does not requeue a key on done when it was not re-added', async () => {
    queue.add('ns/a');
    queue.done((await queue.get())!);
    expect(queue.len()).to.equal(0);
  });

  it('collapses several re-adds during processing into one', async () => {
    queue.add('ns/a');
    const key = (await queue.get())!;
    queue.add('ns/a');
    queue.add('ns/a');
    queue.done(key);
    expect(queue.len()).to.equal(1);
  });

  it('wakes waiting workers in order when keys arrive', async () => {
    const got: (string | undefined)[] = [];
    void queue.get().then((k) => got.push(k));
    void queue.get().then((k) => got.push(k));
    queue.add('ns/a');
    queue.add('ns/b');
    await flush();
    expect(got).to.deep.equal(['ns/a', 'ns/b']);
  });

  it('delays addAfter and keeps the earliest of several delays', async () => {
    queue.addAfter('ns/a', 1000);
    queue.addAfter('ns/a', 5000);
    queue.addAfter('ns/a', 300);
    clock.advance(299);
    expect(queue.len()).to.equal(0);
    clock.advance(1);
    expect(queue.len()).to.equal(1);
    clock.advance(10_000);
    expect(queue.len()).to.equal(1, 'superseded timers were cancelled');
  });

  it('backs off exponentially per key from 5 ms, capped at 1000 s, and forget resets', () => {
    const limiter = new ExponentialBackoffRateLimiter();
    const delays = Array.from({ length: 5 }, () => limiter.when('k'));
    expect(delays).to.deep.equal([5, 10, 20, 40, 80]);
    for (let i = 0; i < 40; i++) limiter.when('k');
    expect(limiter.when('k')).to.equal(1_000_000);
    expect(limiter.when('other')).to.equal(5, 'keys back off independently');
    limiter.forget('k');
    expect(limiter.numRequeues('k')).to.equal(0);
    expect(limiter.when('k')).to.equal(5);
  });

  it('limits overall retries with a 10 qps / burst 100 token bucket', () => {
    const bucket = new TokenBucketRateLimiter({ clock });
    for (let i = 0; i < 100; i++) expect(bucket.when()).to.equal(0);
    expect(bucket.when()).to.equal(100);
    expect(bucket.when()).to.equal(200);
    clock.advance(1000); // refills 10 tokens: the debt of 2 is paid, 8 are left
    for (let i = 0; i < 8; i++) expect(bucket.when()).to.equal(0);
    expect(bucket.when()).to.equal(100);
  });

  it('uses the larger of per-key backoff and the bucket', () => {
    const limiter = defaultControllerRateLimiter(clock);
    // 100 distinct keys drain the burst with tiny per-key delays ...
    for (let i = 0; i < 100; i++) expect(limiter.when(`k${i}`)).to.equal(5);
    // ... then the bucket dominates for a fresh key.
    expect(limiter.when('fresh')).to.equal(100);
  });

  it('addRateLimited grows the delay and numRequeues counts; forget resets', () => {
    const retries: string[] = [];
    queue.shutDown();
    queue = new WorkQueue({ clock, onRetry: (k) => retries.push(k) });
    queue.addRateLimited('ns/a');
    expect(queue.numRequeues('ns/a')).to.equal(1);
    clock.advance(4);
    expect(queue.len()).to.equal(0);
    clock.advance(1);
    expect(queue.len()).to.equal(1);
    queue.addRateLimited('ns/b');
    queue.addRateLimited('ns/b');
    queue.addRateLimited('ns/b');
    expect(queue.numRequeues('ns/b')).to.equal(3);
    queue.forget('ns/b');
    expect(queue.numRequeues('ns/b')).to.equal(0);
    expect(retries).to.have.length(4);
  });

  it('reports depth changes', async () => {
    const depths: number[] = [];
    queue.shutDown();
    queue = new WorkQueue({ clock, onDepth: (d) => depths.push(d) });
    queue.add('ns/a');
    queue.add('ns/b');
    await queue.get();
    expect(depths).to.deep.equal([1, 2, 1]);
  });

  it('on shutdown releases waiting workers, drops work and ignores new adds', async () => {
    const got: (string | undefined)[] = [];
    void queue.get().then((k) => got.push(k));
    queue.addAfter('ns/later', 1000);
    queue.shutDown();
    await flush();
    expect(got).to.deep.equal([undefined]);
    expect(clock.pending()).to.equal(0, 'delayed adds cancelled');
    queue.add('ns/a');
    queue.addRateLimited('ns/a');
    expect(queue.len()).to.equal(0);
    expect(await queue.get()).to.equal(undefined);
  });
});

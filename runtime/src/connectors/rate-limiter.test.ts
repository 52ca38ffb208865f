import { expect } from 'chai';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('hands out one permit at once and the rest as they fall due', async () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    expect(await limiter.acquire(5)).to.equal(1);
    now = 350;
    expect(await limiter.acquire(5)).to.equal(3);
    now = 1000;
    expect(await limiter.acquire(100)).to.equal(7);
  });

  it('does not burst after a long pause', async () => {
    let now = 0;
    const limiter = new RateLimiter(100, () => now);
    expect(await limiter.acquire(1)).to.equal(1);
    now = 60_000;
    expect(await limiter.acquire(1_000_000)).to.equal(1);
  });

  it('waits for the next permit, but never much longer than a second', async () => {
    const limiter = new RateLimiter(0.5);
    expect(await limiter.acquire(1)).to.equal(1);
    const started = Date.now();
    expect(await limiter.acquire(1)).to.equal(0);
    expect(Date.now() - started).to.be.within(900, 1500);
  });

  it('stops waiting when aborted', async () => {
    const limiter = new RateLimiter(0.1);
    await limiter.acquire(1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    expect(await limiter.acquire(1, controller.signal)).to.equal(0);
    expect(Date.now() - started).to.be.below(500);
  });
});

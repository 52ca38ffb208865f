import { expect } from 'chai';
import { classify, parseRetryAfter, retryDelay } from './retry-policy.js';

describe('HTTP sink retry policy', () => {
  it('delivers on 2xx, retries 408, 429 and 5xx, and refuses other statuses', () => {
    expect(classify(200, '', undefined, 0).kind).to.equal('delivered');
    expect(classify(204, '', undefined, 0).kind).to.equal('delivered');
    for (const s of [408, 429, 500, 502, 503]) expect(classify(s, '', undefined, 0).kind).to.equal('retry');
    expect(classify(400, 'no', undefined, 0)).to.deep.equal({ kind: 'rejected', status: 400, body: 'no' });
    expect(classify(404, '', undefined, 0).kind).to.equal('rejected');
    expect(classify(301, '', undefined, 0).kind).to.equal('rejected');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).to.equal(3000);
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', now)).to.equal(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(parseRetryAfter(undefined, now)).to.equal(undefined);
    expect(classify(429, '', '2', 0)).to.deep.equal({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 2000 });
  });

  it('backs off exponentially with jitter up to the cap, and lets Retry-After win up to its own cap', () => {
    const opts = { backoffMs: 100, backoffMaxMs: 1000, retryAfterMaxMs: 5000 };
    expect(retryDelay(1, opts, undefined, () => 0.5)).to.equal(100);
    expect(retryDelay(2, opts, undefined, () => 0.5)).to.equal(200);
    expect(retryDelay(3, opts, undefined, () => 0)).to.equal(320);
    expect(retryDelay(3, opts, undefined, () => 1)).to.equal(480);
    expect(retryDelay(20, opts, undefined, () => 0.5)).to.equal(1000);
    expect(retryDelay(1, opts, 3000)).to.equal(3000);
    expect(retryDelay(1, opts, 60_000)).to.equal(5000);
  });
});

import { expect } from 'chai';
import { ConnectApiError } from '../errors.js';
import { nextRetryDelay, withConnectRetry } from './retry.js';

const err = (status: number, timedOut = false) => new ConnectApiError(status, 'GET', '/x', 'm', { timedOut });
const half = { random: () => 0.5 };

describe('connect/retry', () => {
  it('retries a rebalance (409), a 5xx and a refused connection with a growing backoff', () => {
    for (const e of [err(409), err(500), err(503), err(0)]) {
      expect(nextRetryDelay(e, 1, 0, half)).to.equal(150);
      expect(nextRetryDelay(e, 2, 0, half)).to.equal(300);
      expect(nextRetryDelay(e, 3, 0, half)).to.equal(600);
    }
  });

  it('never retries a 4xx other than 409, a bad answer or a programming error', () => {
    for (const e of [err(400), err(404), err(422), err(200), new TypeError('x'), new Error('x')])
      expect(nextRetryDelay(e, 1, 0, half)).to.equal(undefined);
  });

  it('does not retry a timed-out request in the same pass', () => {
    expect(nextRetryDelay(err(0, true), 1, 0, half)).to.equal(undefined);
  });

  it('jitters between half and all of the backoff, capped', () => {
    expect(nextRetryDelay(err(500), 1, 0, { random: () => 0 })).to.equal(100);
    expect(nextRetryDelay(err(500), 1, 0, { random: () => 0.999999 })).to.equal(200);
    expect(nextRetryDelay(err(500), 10, 0, { attempts: 20, random: () => 0.999999 })).to.equal(5000);
  });

  it('gives up after the attempts or once the time budget would be exceeded', () => {
    expect(nextRetryDelay(err(500), 6, 0, half)).to.equal(undefined);
    expect(nextRetryDelay(err(500), 5, 0, half)).to.equal(2400);
    expect(nextRetryDelay(err(500), 2, 14_800, half)).to.equal(undefined);
    expect(nextRetryDelay(err(500), 2, 14_700, half)).to.equal(300);
  });

  it('withConnectRetry tries again until success and sleeps the decided delays', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withConnectRetry(
      async () => {
        calls++;
        if (calls === 1) throw err(409);
        if (calls === 2) throw err(502);
        return 'ok';
      },
      { ...half, sleep: async (ms) => void slept.push(ms) },
    );
    expect(result).to.equal('ok');
    expect(calls).to.equal(3);
    expect(slept).to.deep.equal([150, 300]);
  });

  it('withConnectRetry rethrows a refusal at once and the last error when it gives up', async () => {
    let calls = 0;
    const bad = err(400);
    const thrown = await withConnectRetry(
      async () => {
        calls++;
        throw bad;
      },
      { sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(thrown).to.equal(bad);
    expect(calls).to.equal(1);
    calls = 0;
    const last = await withConnectRetry(
      async () => {
        calls++;
        throw err(500);
      },
      { attempts: 3, sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(calls).to.equal(3);
    expect((last as ConnectApiError).status).to.equal(500);
  });
});

// The rules of REST writes on a distributed worker: 409 unless the worker is
// ready and its group stable, and a task restart forwarded to the worker
// that runs the task (a 409 when there is none, or it does not answer).
import { expect } from 'chai';
import { RebalanceInProgressError } from '../../errors.js';
import { REBALANCE_MESSAGE, checkWritable, forwardTaskRestart, type ForwardOptions } from './rest-writes.js';

const stable = { ready: true, rebalancing: false, membershipStable: true };

/** A fetch that records its requests and answers with `status`, or throws when given an Error. */
function fakeFetch(answer: number | Error) {
  const requests: Array<{ url: string; method: string | undefined }> = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), method: init?.method });
    if (answer instanceof Error) throw answer;
    return new Response(null, { status: answer });
  }) as typeof globalThis.fetch;
  return { requests, fetch };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function options(o: Partial<ForwardOptions> & Pick<ForwardOptions, 'fetch'>): ForwardOptions {
  return { owner: 'other:8083', self: 'self:8083', connector: 'a', task: 3, scheme: 'http', ...o };
}

describe('distributed herder: REST writes', () => {
  it('allows writes only when the worker is ready, not rebalancing and its membership stable', () => {
    expect(() => checkWritable(stable)).to.not.throw();
    for (const broken of [{ ready: false }, { rebalancing: true }, { membershipStable: false }]) {
      const state = { ...stable, ...broken };
      expect(() => checkWritable(state), JSON.stringify(broken))
        .to.throw(RebalanceInProgressError, REBALANCE_MESSAGE)
        .with.property('status', 409);
    }
  });

  it("forwards a task restart to the task's worker as POST /connectors/<name>/tasks/<id>/restart", async () => {
    const { requests, fetch } = fakeFetch(204);
    await forwardTaskRestart(options({ fetch, connector: 'my conn/x', scheme: 'https' }));
    expect(requests).to.deep.equal([
      { url: 'https://other:8083/connectors/my%20conn%2Fx/tasks/3/restart', method: 'POST' },
    ]);
  });

  it('answers 409 without asking anyone when the task has no known worker, or its worker is this one', async () => {
    for (const owner of [undefined, 'self:8083']) {
      const { requests, fetch } = fakeFetch(204);
      const err = await rejection(forwardTaskRestart(options({ fetch, owner })));
      expect(err, String(owner)).to.be.instanceOf(RebalanceInProgressError);
      expect(requests).to.deep.equal([]);
    }
  });

  it('answers 409 when the owner cannot be reached or does not restart the task', async () => {
    for (const answer of [new Error('ECONNREFUSED'), 404, 409, 500]) {
      const { fetch } = fakeFetch(answer);
      const err = await rejection(forwardTaskRestart(options({ fetch })));
      expect(err, String(answer)).to.be.instanceOf(RebalanceInProgressError);
    }
  });
});

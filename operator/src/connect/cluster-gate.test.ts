import { expect } from 'chai';
import { ConnectApiError } from '../errors.js';
import { ClusterGate, reportingFailures } from './cluster-gate.js';
import type { ConnectApi } from './connect-client.js';

describe('connect/cluster-gate', () => {
  let now = 0;
  const gate = (o = {}) => new ClusterGate({ now: () => now, waitMs: 20, ...o });
  beforeEach(() => (now = 1_000_000));

  it('shares one probe, remembers a failure with a doubling lifetime, and forgets it after a success', async () => {
    const g = gate();
    let probes = 0;
    const failing = async () => (probes++, false);
    const [a, b] = await Promise.all([g.check('ns/c', 'v1', failing), g.check('ns/c', 'v1', failing)]);
    expect(probes).to.equal(1);
    expect(a.state).to.equal('unhealthy');
    expect(b.state).to.equal('unhealthy');
    expect(await g.check('ns/c', 'v1', failing)).to.include({ state: 'unhealthy', retryInMs: 5000 });
    expect(probes).to.equal(1, 'a remembered failure answers without a probe');
    now += 5001;
    expect((await g.check('ns/c', 'v1', failing)).state).to.equal('unhealthy');
    expect(probes).to.equal(2);
    expect(g.known('ns/c', 'v1')).to.include({ retryInMs: 10_000 });
    now += 10_001;
    expect((await g.check('ns/c', 'v1', async () => true)).state).to.equal('healthy');
    expect(g.known('ns/c', 'v1')).to.equal(undefined);
  });

  it('a changed cluster (another version) is probed afresh', async () => {
    const g = gate();
    await g.check('ns/c', 'v1', async () => false);
    expect((await g.check('ns/c', 'v2', async () => true)).state).to.equal('healthy');
  });

  it('answers pending instead of waiting out a probe that hangs, and remembers its failure later', async () => {
    const g = gate();
    let release!: (ok: boolean) => void;
    let probes = 0;
    const hanging = () => new Promise<boolean>((r) => (probes++, (release = r)));
    expect((await g.check('ns/h', 'v', hanging)).state).to.equal('pending');
    now += 100;
    expect((await g.check('ns/h', 'v', hanging)).state).to.equal('pending');
    expect(probes).to.equal(1, 'one probe per cluster at a time');
    release(false);
    await new Promise((r) => setImmediate(r));
    expect(g.known('ns/h', 'v')?.state).to.equal('unhealthy');
  });

  it('reportingFailures passes cluster failures (timeout, refused, 5xx) to the gate, not refusals', async () => {
    const failures: string[] = [];
    const errors = [
      new ConnectApiError(0, 'GET', '/a', 'x', { timedOut: true }),
      new ConnectApiError(0, 'GET', '/a', 'refused'),
      new ConnectApiError(503, 'GET', '/a', 'x'),
      new ConnectApiError(400, 'GET', '/a', 'x'),
      new ConnectApiError(409, 'GET', '/a', 'x'),
    ];
    let i = 0;
    const client = reportingFailures(
      {
        baseUrl: 'http://w',
        connectors: async () => {
          throw errors[i++];
        },
      } as unknown as ConnectApi,
      (err) => failures.push((err as ConnectApiError).code),
    );
    for (const _ of errors) await client.connectors().catch(() => undefined);
    expect(failures).to.deep.equal(['CONNECT_TIMEOUT', 'CONNECT_UNREACHABLE', 'CONNECT_SERVER_ERROR']);
    expect(client.baseUrl).to.equal('http://w');
  });
});

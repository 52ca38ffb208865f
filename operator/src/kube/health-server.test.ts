import { expect } from 'chai';
import { HealthServer } from './health-server.js';
import { OperatorMetrics } from './metrics.js';

describe('kube/health-server', () => {
  let synced = false;
  let leader = false;
  const metrics = new OperatorMetrics();
  const server = new HealthServer({
    port: 0,
    host: '127.0.0.1',
    registry: metrics.registry,
    synced: () => synced,
    isLeader: () => leader,
  });
  let base = '';

  before(async () => {
    base = `http://127.0.0.1:${await server.start()}`;
  });
  after(() => server.stop());

  it('answers /healthz while the process runs', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).to.equal(200);
  });

  it('is ready once caches synced, whether or not it leads', async () => {
    synced = false;
    expect((await fetch(`${base}/readyz`)).status).to.equal(503);
    synced = true;
    const standby = await fetch(`${base}/readyz`);
    expect(standby.status).to.equal(200);
    expect(await standby.json()).to.deep.equal({ ready: true, synced: true, leader: false });
    leader = true;
    expect(await (await fetch(`${base}/readyz`)).json()).to.include({ leader: true });
  });

  it('serves operator and process metrics', async () => {
    metrics.reconcileTotal.inc({ kind: 'Widget', result: 'success' });
    metrics.reconcileDuration.observe({ kind: 'Widget' }, 0.2);
    metrics.workqueueDepth.set({ kind: 'Widget' }, 3);
    metrics.leader.set(1);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await res.text();
    expect(text).to.include('sluice_reconcile_total{kind="Widget",result="success"} 1');
    expect(text).to.include('sluice_reconcile_duration_seconds_bucket{le="0.25",kind="Widget"} 1');
    expect(text).to.include('sluice_workqueue_depth{kind="Widget"} 3');
    expect(text).to.include('sluice_leader 1');
    expect(text).to.include('sluice_reconcile_errors_total');
    expect(text).to.include('sluice_workqueue_retries_total');
    expect(text).to.include('process_resident_memory_bytes');
  });

  it('404s unknown paths', async () => {
    expect((await fetch(`${base}/nope`)).status).to.equal(404);
  });
});

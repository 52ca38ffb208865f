import { expect } from 'chai';
import { API_VERSION, type Connector, type KafkaConnect } from '../../api/v1alpha1/index.js';
import type { ReconcileDeps } from '../deps.js';
import { newConnectorMemory } from '../memory.js';
import type { ConnectorPass } from './pass.js';
import { requireCluster } from './require-cluster.js';
import { waitForModeSwitch } from './wait-for-mode-switch.js';

const cluster = (mode: 'standalone' | 'distributed'): KafkaConnect => ({
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps', uid: 'u1' },
  spec: { bootstrapServers: 'kafka:9092', mode },
});
const connector: Connector = {
  apiVersion: API_VERSION,
  kind: 'Connector',
  metadata: { name: 'src', namespace: 'apps', generation: 2 },
  spec: { clusterRef: { name: 'demo' }, class: 'FileStreamSource', tasksMax: 2 },
};

/** A pass whose caches hold `workloads` (kind -> names) and whose status writes are recorded. */
function pass(kc: KafkaConnect | undefined, workloads: { Deployment?: string[]; StatefulSet?: string[] } = {}) {
  const written: Array<Record<string, unknown>> = [];
  const informer = (names: string[] = []) => ({
    get: (_ns: string | undefined, name: string) => (names.includes(name) ? { metadata: { name } } : undefined),
  });
  const deps = {
    deployments: informer(workloads.Deployment),
    statefulSets: informer(workloads.StatefulSet),
    applier: {
      patchStatus: async (_r: unknown, _ns: string, _n: string, s: Record<string, unknown>) => written.push(s),
    },
    now: () => new Date('2026-12-02T12:00:00Z'),
  } as unknown as ReconcileDeps;
  const p: ConnectorPass = { deps, key: 'apps/src', cr: connector, cluster: kc, memory: newConnectorMemory() };
  return { p, written };
}

const ready = (s: Record<string, unknown>) => (s['conditions'] as Array<Record<string, unknown>>)[0];

describe('Connector reconcile steps', () => {
  it('require-cluster: a missing KafkaConnect is ClusterNotFound and looked at again later', async () => {
    const { p, written } = pass(undefined);
    expect(await requireCluster.run(p)).to.deep.equal({ then: 'requeue', afterMs: 10_000 });
    expect(ready(written[0]!)).to.include({ status: 'False', reason: 'ClusterNotFound', observedGeneration: 2 });
  });

  it('require-cluster: an existing cluster gives the pass its worker selector', async () => {
    const { p, written } = pass(cluster('distributed'));
    expect(await requireCluster.run(p)).to.deep.equal({ then: 'continue' });
    expect(p.labelSelector).to.equal('sluice.dev/cluster=demo,sluice.dev/component=worker');
    expect(written).to.have.length(0);
  });

  it("wait-for-mode-switch: the old mode's workload still there is a switch under way, remembered", async () => {
    const { p, written } = pass(cluster('distributed'), {
      Deployment: ['demo-connect'],
      StatefulSet: ['demo-connect'],
    });
    p.labelSelector = 'sel';
    expect(await waitForModeSwitch.run(p)).to.deep.equal({ then: 'requeue', afterMs: 2_000 });
    expect(p.memory.lastMode).to.equal('switching');
    expect(ready(written[0]!)).to.include({ reason: 'ModeSwitching' });
    expect(written[0]).to.include({ labelSelector: 'sel', tasksMax: 2 });
  });

  it('wait-for-mode-switch: only the workload of the current mode is no switch, whatever the last condition said', async () => {
    const { p, written } = pass(cluster('standalone'), { Deployment: ['demo-connect'] });
    const said = { type: 'Ready', status: 'False' as const, reason: 'ModeSwitching' };
    p.cr.status = { conditions: [said] };
    try {
      expect(await waitForModeSwitch.run(p)).to.deep.equal({ then: 'continue' });
      expect(p.memory.lastMode).to.equal(undefined);
      expect(written).to.have.length(0);
    } finally {
      delete p.cr.status;
    }
  });
});

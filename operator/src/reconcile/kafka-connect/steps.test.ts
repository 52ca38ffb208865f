import { expect } from 'chai';
import { API_VERSION, type KafkaConnect } from '../../api/v1alpha1/index.js';
import type { ReconcileDeps } from '../deps.js';
import { newClusterMemory } from '../memory.js';
import { buildDesired } from './build-desired.js';
import { carryOffsetsAcrossModeSwitch } from './carry-offsets-across-mode-switch.js';
import { drainBeforeScaleDown } from './drain-before-scale-down.js';
import type { ClusterPass } from './pass.js';

const cluster = (spec: Partial<KafkaConnect['spec']>): KafkaConnect => ({
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps', uid: 'u1', generation: 1 },
  spec: { bootstrapServers: 'kafka:9092', ...spec },
});

/** A pass whose caches hold `objects` (kind -> object by name); nothing else is reachable. */
function pass(kc: KafkaConnect, objects: { Deployment?: object; StatefulSet?: object; ConfigMap?: object } = {}) {
  const informer = (obj: object | undefined) => ({ get: () => obj });
  const asked: string[] = [];
  const deps = {
    deployments: informer(objects.Deployment),
    statefulSets: informer(objects.StatefulSet),
    configMaps: informer(objects.ConfigMap),
    settings: { defaultImage: 'sluice/runtime:0.1.0', operatorPodLabels: {}, operatorNamespace: 'sluice-system' },
    connectFor: (_kc: KafkaConnect, mode?: string) => {
      asked.push(`connectFor ${mode}`);
      return { health: async () => false };
    },
    events: { warning: async (_o: unknown, reason: string) => void asked.push(reason) },
  } as unknown as ReconcileDeps;
  const p: ClusterPass = {
    deps,
    key: 'apps/demo',
    kc,
    memory: newClusterMemory(),
    now: 0,
    conflicts: [],
    failures: [],
    tlsRecheckMs: Infinity,
  };
  return { p, asked };
}

describe('KafkaConnect reconcile steps', () => {
  it('build-desired: builds the StatefulSet at the size the drain step keeps, else at spec.replicas', async () => {
    const { p } = pass(cluster({ mode: 'distributed', replicas: 1 }));
    p.drainingAt = 3;
    await buildDesired.run(p);
    const sts = p.desired?.objects.find((o) => o.kind === 'StatefulSet') as { spec: { replicas: number } };
    expect(sts.spec.replicas).to.equal(3);
    delete p.drainingAt;
    await buildDesired.run(p);
    expect((p.desired?.objects.find((o) => o.kind === 'StatefulSet') as typeof sts).spec.replicas).to.equal(1);
  });

  it('drain-before-scale-down: a standalone cluster never drains', async () => {
    const { p } = pass(cluster({ mode: 'standalone' }), { StatefulSet: { spec: { replicas: 3 } } });
    p.memory.drainStartedAt = 5;
    expect(await drainBeforeScaleDown.run(p)).to.deep.equal({ then: 'continue' });
    expect(p.drainingAt).to.equal(undefined);
    expect(p.memory.drainStartedAt).to.equal(undefined);
  });

  it('carry-offsets-across-mode-switch: no workload of the other mode is no switch, and the memory of one is dropped', async () => {
    const { p, asked } = pass(cluster({ mode: 'distributed' }));
    p.memory.offsetsCapturedFor = 'u1/standalone';
    expect(await carryOffsetsAcrossModeSwitch.run(p)).to.deep.equal({ then: 'continue' });
    expect(p.memory.offsetsCapturedFor).to.equal(undefined);
    expect(asked).to.deep.equal([]);
  });

  it('carry-offsets-across-mode-switch: the old Deployment found means the standalone workers hold the offsets', async () => {
    const { p, asked } = pass(cluster({ mode: 'distributed' }), { Deployment: { metadata: { generation: 1 } } });
    await carryOffsetsAcrossModeSwitch.run(p);
    expect(asked).to.deep.equal(['connectFor standalone', 'OffsetsNotCarried']);
  });

  it('carry-offsets-across-mode-switch: once the offsets of this switch are kept, nothing is asked again', async () => {
    const { p, asked } = pass(cluster({ mode: 'distributed' }), { Deployment: { metadata: { generation: 1 } } });
    p.memory.offsetsCapturedFor = 'u1/standalone';
    await carryOffsetsAcrossModeSwitch.run(p);
    expect(asked).to.deep.equal([]);
  });
});

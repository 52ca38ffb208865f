import { expect } from 'chai';
import { API_VERSION, type KafkaConnect } from '../api/v1alpha1/index.js';
import { OFFSETS_FROM_ANNOTATION, RUNTIME_LABEL } from '../model/labels.js';
import { rolledOut, runtimeSwitchPending } from './runtime-switch.js';
import { ClusterWork } from './cluster-work.js';

const cluster = (spec: Partial<KafkaConnect['spec']>): KafkaConnect => ({
  apiVersion: API_VERSION,
  kind: 'KafkaConnect',
  metadata: { name: 'demo', namespace: 'apps', uid: 'uid-1', generation: 2 },
  spec: { bootstrapServers: 'kafka:9092', mode: 'standalone', ...spec },
});

/** A standalone Deployment as the cache holds it. */
const deployment = (runtime: string, generation: number, status: Record<string, number>) => ({
  metadata: { name: 'demo-connect', namespace: 'apps', generation },
  spec: { replicas: 1, template: { metadata: { labels: { [RUNTIME_LABEL]: runtime } } } },
  status,
});
/** The cached Deployment, and the hand-off ConfigMap as the apiserver has it. */
const world = (obj: unknown, handoff?: { from: string; data: Record<string, string> }) =>
  ({
    deployments: { get: () => obj },
    rest: {
      request: async () => {
        if (!handoff) throw Object.assign(new Error('not found'), { code: 404 });
        return { metadata: { annotations: { [OFFSETS_FROM_ANNOTATION]: handoff.from } }, data: handoff.data };
      },
    },
  }) as never;
const cache = (obj: unknown) => world(obj, { from: 'standalone/apache', data: { cdc: '{"offsets":[]}' } });

describe('standalone runtime switch: connectors stay off the old worker', () => {
  const done = { observedGeneration: 3, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };

  it('is rolled out once the controller saw the template and no older pod is left', () => {
    expect(rolledOut(deployment('sluice', 3, done))).to.equal(true);
    // Not seen by the Deployment controller yet.
    expect(rolledOut(deployment('sluice', 4, done))).to.equal(false);
    // Recreate: the old pod goes first, then the new one is created.
    expect(rolledOut(deployment('sluice', 3, { observedGeneration: 3, replicas: 0, updatedReplicas: 0 }))).to.equal(
      false,
    );
    // A new pod that is not ready yet is still the new worker (the health probe waits for it).
    expect(rolledOut(deployment('sluice', 3, { observedGeneration: 3, replicas: 1, updatedReplicas: 1 }))).to.equal(
      true,
    );
  });

  it('is pending while the Deployment runs the other runtime, and until the new template replaced the old pod', async () => {
    const kc = cluster({ runtime: 'sluice' });
    // spec.runtime changed, the new Deployment not applied (or not in the cache) yet.
    expect(await runtimeSwitchPending(cache(deployment('apache', 3, done)), kc)).to.equal(true);
    // Applied, the old pod still being replaced.
    expect(await runtimeSwitchPending(cache(deployment('sluice', 4, done)), kc)).to.equal(true);
    expect(
      await runtimeSwitchPending(
        cache(deployment('sluice', 4, { observedGeneration: 4, replicas: 0, updatedReplicas: 0 })),
        kc,
      ),
    ).to.equal(true);
    // The new worker runs.
    expect(await runtimeSwitchPending(cache(deployment('sluice', 4, { ...done, observedGeneration: 4 })), kc)).to.equal(
      false,
    );
    // Any other roll (no offsets waiting from a runtime switch) leaves the connectors alone.
    const rolling = deployment('sluice', 4, done);
    expect(await runtimeSwitchPending(world(rolling), kc)).to.equal(false);
    expect(await runtimeSwitchPending(world(rolling, { from: 'standalone/apache', data: {} }), kc)).to.equal(false);
    expect(await runtimeSwitchPending(world(rolling, { from: 'distributed', data: { a: '{}' } }), kc)).to.equal(false);
    // No Deployment yet (a new cluster), or distributed (the runtimes share the topics).
    expect(await runtimeSwitchPending(cache(undefined), kc)).to.equal(false);
    expect(await runtimeSwitchPending(cache(deployment('apache', 3, done)), cluster({ mode: 'distributed' }))).to.equal(
      false,
    );
  });
});

describe('ClusterWork: connector reconciles in flight per cluster', () => {
  it('lets a switch wait for the reconciles running when it starts, not for later ones', async () => {
    const work = new ClusterWork();
    let release!: () => void;
    const running = work.track('apps/demo', () => new Promise<void>((r) => (release = r)));
    void work.track('apps/other', () => new Promise<void>(() => undefined));
    expect(work.inFlight('apps/demo')).to.equal(1);
    let settled = false;
    const waiting = work.settled('apps/demo', 5_000).then((v) => (settled = v));
    await new Promise((r) => setImmediate(r));
    expect(settled).to.equal(false);
    release();
    await running;
    expect(await waiting).to.equal(true);
    expect(work.inFlight('apps/demo')).to.equal(0);
    // Nothing running: at once.
    expect(await work.settled('apps/demo', 5_000)).to.equal(true);
  });

  it('gives up after the timeout when a reconcile hangs, and counts failed ones as settled', async () => {
    const work = new ClusterWork();
    void work.track('apps/demo', () => new Promise<void>(() => undefined));
    expect(await work.settled('apps/demo', 20)).to.equal(false);
    const failing = work.track('apps/x', () => Promise.reject(new Error('boom')));
    const settled = work.settled('apps/x', 5_000);
    await failing.catch(() => undefined);
    expect(await settled).to.equal(true);
    expect(await work.track(undefined, async () => 7)).to.equal(7);
  });
});

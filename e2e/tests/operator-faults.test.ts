// The Connector reconciler when workers fail: against the real apiserver,
// with each cluster's REST API on a real local HTTP server (FakeConnect) that
// can answer 5xx or hang. Proves that a delete goes through after the grace
// period on any persistent error (with Events), that healthy clusters'
// connectors reconcile meanwhile, and that deleting a namespace never hangs
// on a broken cluster.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { RecordingLogger, dumpOnFailure } from '../src/diagnostics.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { installCrds, kubeConfig } from '../src/kube.js';
import { FakeConnect } from '../src/fake-connect.js';
import { sluiceResources } from '../src/sluice-resources.js';
import { startTestOperator } from '../src/test-operator.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { createConnectClient } from '../../operator/src/connect/connect-client.js';

const GRACE_MS = 20_000;

describe('operator: Connector deletes and reconciles when workers fail @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  const ns = randomName('op-faults');
  const operatorLog = new RecordingLogger();
  dumpOnFailure({ env, namespaces: () => [ns], operatorLog });
  const workers = new Map<string, FakeConnect>();
  let operator: RunningOperator | undefined;
  let core: k8s.CoreV1Api;

  const { get, create, patchSpec, remove } = sluiceResources(env, ns);
  const ready = (name: string) =>
    eventually(
      `${name} Ready`,
      async () => {
        const cr = await get('Connector', name);
        return cr?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' ? cr : undefined;
      },
      { timeoutMs: 120_000 },
    );
  const events = async (name: string) =>
    (await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items;
  const connector = (name: string, cluster: string) =>
    create('Connector', name, { clusterRef: { name: cluster }, class: 'FileStreamSource', config: { topic: name } });

  before(async () => {
    await installCrds(env());
    const kc = kubeConfig(env());
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    for (const name of ['good', 'failing', 'hanging']) {
      workers.set(name, await new FakeConnect().start());
      await create('KafkaConnect', name, { mode: 'standalone', bootstrapServers: env().kafka.bootstrapServers });
    }
    operator = await startTestOperator(kc, operatorLog, ns, {
      connectorDeleteGraceMs: GRACE_MS,
      connectFor: (k) =>
        createConnectClient(workers.get(k.metadata.name)?.url ?? 'http://127.0.0.1:9', { timeoutMs: 2000 }),
    });
  });
  after(async () => {
    await operator?.stop();
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
    for (const w of workers.values()) await w.stop();
  });

  it('releases the finalizer after the grace period when the workers answer 5xx or hang, while a healthy cluster reconciles', async () => {
    await connector('on-failing', 'failing');
    await connector('on-hanging', 'hanging');
    await connector('on-good', 'good');
    await Promise.all([ready('on-failing'), ready('on-hanging'), ready('on-good')]);
    expect(workers.get('failing')!.connectors.has('on-failing')).to.equal(true);

    workers.get('failing')!.mode = 'error';
    workers.get('hanging')!.mode = 'hang';
    const failingSeen = workers.get('failing')!.requests.length;
    const deleted = Date.now();
    for (const name of ['on-failing', 'on-hanging']) await remove('Connector', name);

    // Meanwhile: the healthy cluster's connectors are reconciled (a new one, and a change).
    await connector('on-good-2', 'good');
    await ready('on-good-2');
    const stillThere = await get('Connector', 'on-failing');
    if (Date.now() - deleted < GRACE_MS) {
      // Not gone before the grace period: the operator kept trying and said why.
      expect(stillThere?.metadata.finalizers).to.include('sluice.dev/connector-cleanup');
    }
    await eventually('a DeletePending Warning', async () =>
      (await events('on-failing')).find((e) => e.reason === 'DeletePending' && e.type === 'Warning'),
    );

    // After the grace period both go, each with a DeleteUnconfirmed Warning.
    for (const name of ['on-failing', 'on-hanging']) {
      await eventually(`${name} deleted`, async () => (await get('Connector', name)) === undefined, {
        timeoutMs: 90_000,
      });
      const unconfirmed = await eventually(`${name}: DeleteUnconfirmed`, async () =>
        (await events(name)).find((e) => e.reason === 'DeleteUnconfirmed'),
      );
      expect(unconfirmed.type).to.equal('Warning');
      expect(unconfirmed.message).to.contain('may still exist');
    }
    // deletionTimestamp has whole seconds: allow for its truncation.
    expect(Date.now() - deleted).to.be.at.least(GRACE_MS - 1500, 'the finalizer waited for the grace period');
    // The operator heard the 5xx from the worker itself (its DELETE, or the
    // cluster gate's health probe, which then answers for the cluster's other
    // requests: which comes first depends on timing), and the worker never
    // confirmed: the connector is still there.
    const asked = workers.get('failing')!.requests.slice(failingSeen);
    expect(asked.filter((r) => r === 'DELETE /connectors/on-failing' || r === 'GET /health')).to.not.deep.equal([]);
    expect(workers.get('failing')!.connectors.has('on-failing')).to.equal(true);
    // The healthy cluster still works: a delete there is confirmed at once.
    await remove('Connector', 'on-good-2');
    await eventually('on-good-2 deleted', async () => (await get('Connector', 'on-good-2')) === undefined);
    expect(workers.get('good')!.connectors.has('on-good-2')).to.equal(false);
  });

  it('a connector of a hanging cluster is not Ready meanwhile, and becomes Ready once the worker answers again', async () => {
    workers.get('hanging')!.mode = 'ok';
    await connector('late', 'hanging');
    await ready('late');
    workers.get('hanging')!.mode = 'hang';
    await patchSpec('Connector', 'late', { config: { topic: 'late-2' } });
    await eventually('late: not Ready while its worker hangs', async () => {
      const cr = await get('Connector', 'late');
      return cr?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'False';
    });
    workers.get('hanging')!.mode = 'ok';
    await eventually(
      'the new config on the worker',
      async () => workers.get('hanging')!.connectors.get('late')?.config['topic'] === 'late-2',
      { timeoutMs: 120_000 },
    );
    await ready('late');
  });

  it('deleting the namespace never hangs on a connector whose workers hang', async () => {
    await connector('last', 'hanging');
    await eventually('last has its finalizer', async () =>
      (await get('Connector', 'last'))?.metadata.finalizers?.includes('sluice.dev/connector-cleanup'),
    );
    workers.get('hanging')!.mode = 'hang';
    await core.deleteNamespace({ name: ns });
    await eventually(
      'the namespace gone',
      async () => (await core.readNamespace({ name: ns }).catch(() => undefined)) === undefined,
      { timeoutMs: 150_000, intervalMs: 1000 },
    );
  });
});

// The end-to-end suite: what users do, against the real parts. Sluice is
// installed with `helm install` (the operator runs as the chart's pod under
// its ServiceAccount), the runtime workers run as pods of our image on the
// node, Kafka is the test broker; resources are applied and scaled as a user
// would, and what moved through Kafka is checked from outside.
//
// Runs against the test environment (withEnv). On failure it prints the
// operator's and workers' logs, events and pod descriptions.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { installOperator, uninstallOperator } from '../src/helm.js';
import { testKafka } from '../src/kafka.js';
import { createNamespaceReady, installCrds, kubeConfig, kubectl, rest } from '../src/kube.js';
import { randomName } from '../src/names.js';
import { nodeEnv, type NodeEnv } from '../src/node.js';
import { SluiceResources, diagnostics, sequenceCheck, topicSize, workerPods } from '../src/cluster.js';

describe('end to end: helm install, kubectl apply, scale, kill pods @env', function () {
  this.timeout(600_000);
  const getEnv = withEnv();
  let env: NodeEnv;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let kafka: Kafka;
  const release = randomName('e2e');
  const system = `${release}-system`;
  const ns = {
    standalone: randomName('e2e-solo'),
    distributed: randomName('e2e-dist'),
    switching: randomName('e2e-switch'),
  };
  const namespaces = Object.values(ns);
  const res = (namespace: string) => new SluiceResources(rest(env), namespace);

  /** A KafkaConnect spec for this environment (the broker as pods reach it). */
  const kcSpec = (spec: Record<string, unknown>) => ({
    bootstrapServers: env.kafka.podBootstrapServers,
    ...spec,
    config: {
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '1000',
      ...((spec.config as Record<string, string>) ?? {}),
    },
  });
  const datagen = (cluster: string, topic: string, tasks: number, perTask: number, rate: number) => ({
    clusterRef: { name: cluster },
    class: 'DataGen',
    tasksMax: tasks,
    config: {
      topic,
      'key.type': 'sequence',
      'records.per.second': String(rate),
      'max.records': String(perTask),
    },
  });

  before(async () => {
    env = nodeEnv(getEnv());
    const kc = kubeConfig(env);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    kafka = testKafka(env.kafka.bootstrapServers);
    await installCrds(env);
    for (const n of namespaces) await createNamespaceReady(core, n);
    // The operator watches only this suite's namespaces: other tests run operators of their own.
    await installOperator(env, {
      release,
      namespace: system,
      watchNamespaces: namespaces,
      createNamespace: true,
      set: { logLevel: 'debug' },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(await diagnostics(env, namespaces, system));
  });

  after(async () => {
    for (const n of namespaces) await core?.deleteNamespace({ name: n }).catch(() => undefined);
    await uninstallOperator(env, { release, namespace: system });
  });

  it('installs the operator from the chart: one Ready pod under its ServiceAccount', async () => {
    const pods = await core.listNamespacedPod({
      namespace: system,
      labelSelector: 'app.kubernetes.io/name=sluice-operator',
    });
    expect(pods.items).to.have.length(1);
    const pod = pods.items[0]!;
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    expect(pod.spec?.serviceAccountName).to.match(/sluice-operator$/);
    expect(pod.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem).to.equal(true);
  });

  describe('standalone', () => {
    const r = () => res(ns.standalone);
    const topic = randomName('solo');
    const perTask = 6_000;
    const rate = 200;

    it('moves data; a deleted pod comes back and resumes from the offsets on its PVC', async () => {
      await r().create('kafkaconnects', 'solo', kcSpec({ mode: 'standalone', storage: { deleteClaim: true } }));
      await r().create('connectors', 'gen', datagen('solo', topic, 1, perTask, rate));
      await r().waitReady('kafkaconnects', 'solo');
      await r().waitReady('connectors', 'gen');
      await eventually('records flowing', async () => (await topicSize(kafka, topic)) > 1_000);
      const [pod] = await workerPods(core, ns.standalone, 'solo');
      await core.deleteNamespacedPod({ namespace: ns.standalone, name: pod!.metadata!.name! });
      await eventually(
        'a new worker pod, Ready',
        async () => {
          const pods = await workerPods(core, ns.standalone, 'solo');
          return pods.length === 1 && pods[0]!.metadata!.name !== pod!.metadata!.name;
        },
        { timeoutMs: 120_000 },
      );
      const result = await sequenceCheck(kafka, topic, perTask);
      console.log(`      standalone pod deleted: ${result.total} records, ${result.duplicates} duplicates`);
      expect(result.missing).to.deep.equal([]);
      // SIGTERM lets the task commit; at most one flush interval (1 s) is replayed.
      expect(result.duplicates).to.be.at.most(rate);
    });

    it('follows pause, stop, resume and delete of a Connector in its status', async () => {
      for (const [state, shown] of [
        ['paused', 'PAUSED'],
        ['stopped', 'STOPPED'],
        ['running', 'RUNNING'],
      ] as const) {
        await r().patch('connectors', 'gen', { state });
        await r().waitFor('connectors', 'gen', shown, (c) => c.status?.state === shown);
      }
      await r().delete('connectors', 'gen');
      // The finalizer goes only once the worker deleted the connector.
      await eventually(
        'the Connector gone',
        async () =>
          (await r()
            .get('connectors', 'gen')
            .catch(() => null)) === null,
      );
    });

    it('accepts an HPA on the KafkaConnect scale subresource', async () => {
      await kubectl(
        env,
        '-n',
        ns.standalone,
        'autoscale',
        'kafkaconnect/solo',
        '--min=1',
        '--max=1',
        '--cpu-percent=80',
      );
      const hpa = await eventually(
        'the HPA able to scale',
        async () => {
          const out = JSON.parse(await kubectl(env, '-n', ns.standalone, 'get', 'hpa', 'solo', '-o', 'json'));
          return out.status?.conditions?.find((c: any) => c.type === 'AbleToScale' && c.status === 'True')
            ? out
            : undefined;
        },
        { timeoutMs: 120_000 },
      );
      expect(hpa.spec.scaleTargetRef).to.deep.include({ kind: 'KafkaConnect', name: 'solo' });
      const kc = await r().get('kafkaconnects', 'solo');
      expect(kc.status.labelSelector).to.include('sluice.dev/cluster=solo');
    });

    it('garbage-collects everything when the KafkaConnect is deleted, the PVC too with deleteClaim', async () => {
      await r().delete('kafkaconnects', 'solo');
      await eventually(
        'owned objects gone',
        async () => {
          const deploys = await apps.listNamespacedDeployment({ namespace: ns.standalone });
          const pvcs = await core.listNamespacedPersistentVolumeClaim({ namespace: ns.standalone });
          const cms = await core.listNamespacedConfigMap({
            namespace: ns.standalone,
            labelSelector: 'sluice.dev/cluster=solo',
          });
          const pods = await core.listNamespacedPod({
            namespace: ns.standalone,
            labelSelector: 'sluice.dev/cluster=solo',
          });
          return deploys.items.length + pvcs.items.length + cms.items.length + pods.items.length === 0;
        },
        { timeoutMs: 180_000 },
      );
    });
  });

  describe('distributed', () => {
    const r = () => res(ns.distributed);
    const topic = randomName('dist');
    const perTask = 6_000;
    const rate = 100;

    it('scales 1 -> 3 workers with tasks spread, survives a killed pod, and drains on scale-down; nothing lost', async () => {
      await r().create('kafkaconnects', 'dist', kcSpec({ mode: 'distributed', replicas: 1 }));
      await r().waitReady('kafkaconnects', 'dist');
      await r().create('connectors', 'gen', datagen('dist', topic, 3, perTask, rate));
      await r().waitReady('connectors', 'gen');

      await r().patch('kafkaconnects', 'dist', { replicas: 3 });
      const spread = await r().waitFor(
        'connectors',
        'gen',
        'tasks on 3 workers',
        (c) => c.status?.tasksReady === '3/3' && new Set(c.status.tasks.map((t: any) => t.workerId)).size === 3,
      );
      expect(spread.status.tasks).to.have.length(3);
      const kc = await r().waitReady('kafkaconnects', 'dist');
      expect(kc.status).to.deep.include({ replicas: 3, readyReplicas: 3 });

      // A worker pod deleted under load: its task runs again (on the others, or on its
      // replacement, which comes back under the same name).
      await core.deleteNamespacedPod({ namespace: ns.distributed, name: 'dist-connect-1' });
      await r().waitFor('connectors', 'gen', 'all tasks running again', (c) => c.status?.tasksReady === '3/3');

      // kubectl scale: the departing workers are drained before the StatefulSet shrinks.
      await kubectl(env, '-n', ns.distributed, 'scale', 'kafkaconnect/dist', '--replicas=1');
      await eventually(
        'a StatefulSet of 1',
        async () =>
          (await apps.readNamespacedStatefulSet({ namespace: ns.distributed, name: 'dist-connect' })).spec?.replicas ===
          1,
        { timeoutMs: 180_000 },
      );
      const events = await core.listNamespacedEvent({
        namespace: ns.distributed,
        fieldSelector: 'involvedObject.name=dist',
      });
      expect(events.items.map((e) => e.reason)).to.include.members(['Draining', 'Drained']);
      await r().waitFor(
        'connectors',
        'gen',
        'all tasks on one worker',
        (c) => c.status?.tasksReady === '3/3' && new Set(c.status.tasks.map((t: any) => t.workerId)).size === 1,
      );
      const result = await sequenceCheck(kafka, topic, 3 * perTask);
      console.log(`      distributed scale/kill/drain: ${result.total} records, ${result.duplicates} duplicates`);
      expect(result.missing).to.deep.equal([]);
    });
  });

  describe('mode switch', () => {
    const r = () => res(ns.switching);
    const topic = randomName('switch');
    const perTask = 8_000;

    it('switches standalone -> distributed -> standalone keeping source offsets; the PVC stays without deleteClaim', async () => {
      await r().create('kafkaconnects', 'sw', kcSpec({ mode: 'standalone', storage: { deleteClaim: false } }));
      await r().create('connectors', 'gen', datagen('sw', topic, 2, perTask, 200));
      await r().waitReady('connectors', 'gen');
      await eventually('records flowing', async () => (await topicSize(kafka, topic)) > 1_000);
      for (const mode of ['distributed', 'standalone']) {
        await r().patch('kafkaconnects', 'sw', { mode });
        await r().waitFor(
          'kafkaconnects',
          'sw',
          `${mode} and Ready`,
          (k) =>
            k.status?.mode === mode && k.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True',
        );
        await r().waitFor(
          'connectors',
          'gen',
          `running on the ${mode} worker`,
          (c) =>
            c.status?.tasksReady === '2/2' &&
            c.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True',
        );
        await eventually('more records', async () => (await topicSize(kafka, topic)) > 0);
      }
      const result = await sequenceCheck(kafka, topic, 2 * perTask);
      console.log(`      mode switches: ${result.total} records, ${result.duplicates} duplicates`);
      expect(result.missing).to.deep.equal([]);
      // Offsets were carried: the sources did not start over (that would duplicate everything before the switch).
      expect(result.duplicates).to.be.below(1_000);
      const events = await core.listNamespacedEvent({
        namespace: ns.switching,
        fieldSelector: 'involvedObject.name=sw',
      });
      expect(events.items.filter((e) => e.reason === 'OffsetsCaptured')).to.have.length(2);

      await r().delete('kafkaconnects', 'sw');
      await eventually(
        'the workload gone',
        async () => {
          const pods = await core.listNamespacedPod({
            namespace: ns.switching,
            labelSelector: 'sluice.dev/cluster=sw',
          });
          return pods.items.length === 0;
        },
        { timeoutMs: 180_000 },
      );
      const pvcs = await core.listNamespacedPersistentVolumeClaim({ namespace: ns.switching });
      expect(pvcs.items.map((p) => p.metadata?.name)).to.include('sw-connect-data');
    });
  });
});

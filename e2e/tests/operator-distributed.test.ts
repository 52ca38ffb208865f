// The operator with a distributed cluster against the real apiserver and real
// runtime workers. This control plane runs no pods, so the StatefulSet's
// workers are local processes: the cluster's API Service and each pod's DNS
// name are mapped to them (connectFor / workerFor).
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { RecordingLogger, dumpOnFailure } from '../src/diagnostics.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { installCrds, kubeConfig, rest, sluicePath } from '../src/kube.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { RuntimeProcess, distributedProps, freePort, standaloneProps, tempDir } from '../src/runtime-process.js';
import { startTestOperator } from '../src/test-operator.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { createConnectClient } from '../../operator/src/connect/connect-client.js';
import { names } from '../../operator/src/model/names.js';

describe('operator: distributed clusters with real workers @env', function () {
  this.timeout(240_000);
  const env = withEnv();
  const ns = randomName('dist-op');
  const operatorLog = new RecordingLogger();
  dumpOnFailure({
    env,
    namespaces: () => [ns],
    operatorLog,
    workerLogs: () => [...workers.values()].map((w) => w.logFile),
  });
  const group = randomName('dist-op');
  let operator: RunningOperator;
  let apps: k8s.AppsV1Api;
  let core: k8s.CoreV1Api;
  let kafka: Kafka;
  let dir: string;
  /** ordinal -> worker process */
  const workers = new Map<number, RuntimeProcess>();
  /** the mode-switch test's workers: "<cluster>/<mode>" -> process */
  const byMode = new Map<string, RuntimeProcess>();

  const api = () => rest(env());
  const kcBody = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'KafkaConnect',
    metadata: { name },
    spec: { bootstrapServers: env().kafka.bootstrapServers, ...spec },
  });
  const patchKc = (name: string, spec: Record<string, unknown>) =>
    api().request({
      method: 'PATCH',
      path: sluicePath('kafkaconnects', ns, name),
      body: { spec },
      contentType: 'application/merge-patch+json',
    });
  /** A DataGen Connector: `tasksMax` tasks writing `perTask` sequence-keyed records each, 500 a second. */
  const createDataGen = (name: string, cluster: string, tasksMax: number, topic: string, perTask: number) =>
    api().request({
      method: 'POST',
      path: sluicePath('connectors', ns),
      body: {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'Connector',
        metadata: { name },
        spec: {
          clusterRef: { name: cluster },
          class: 'DataGen',
          tasksMax,
          config: { topic, 'key.type': 'sequence', 'records.per.second': '500', 'max.records': String(perTask) },
        },
      },
    });
  const stsReplicas = async (name: string) =>
    (await apps.readNamespacedStatefulSet({ namespace: ns, name: names.workload(name) })).spec?.replicas;

  async function startWorker(ordinal: number) {
    const port = await freePort();
    const w = new RuntimeProcess({
      mode: 'distributed',
      dir,
      port,
      workerProps: distributedProps(env().kafka.bootstrapServers, group, port),
    });
    workers.set(ordinal, w);
    await w.start();
    return w;
  }

  before(async () => {
    await installCrds(env());
    const kc = kubeConfig(env());
    apps = kc.makeApiClient(k8s.AppsV1Api);
    core = kc.makeApiClient(k8s.CoreV1Api);
    kafka = testKafka(env().kafka.bootstrapServers);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    dir = await tempDir('op-dist');
    for (const i of [0, 1, 2]) await startWorker(i);
    const urlOf = (i: number) => workers.get(i)?.url ?? 'http://127.0.0.1:9';
    operator = await startTestOperator(kc, operatorLog, ns, {
      // The API Service reaches any live worker; each pod name reaches its own.
      connectFor: (k, mode) => {
        const switched = byMode.get(`${k.metadata.name}/${mode ?? k.spec.mode}`);
        if (switched) return createConnectClient(switched.url, { timeoutMs: 5000 });
        const live = [...workers.keys()].find((i) => workers.get(i)!.exitCode === undefined) ?? 0;
        return createConnectClient(urlOf(live), { timeoutMs: 5000 });
      },
      workerFor: (_k, i) => createConnectClient(urlOf(i), { timeoutMs: 5000 }),
    });
  });

  after(async () => {
    await operator?.stop();
    await Promise.all([...workers.values()].map((w) => w.stop().catch(() => undefined)));
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('drains departing workers before the StatefulSet shrinks; no record is lost', async () => {
    await api().request({
      method: 'POST',
      path: sluicePath('kafkaconnects', ns),
      body: kcBody('big', { mode: 'distributed', replicas: 3 }),
    });
    await eventually('a StatefulSet of 3', async () => (await stsReplicas('big').catch(() => undefined)) === 3);
    const topic = randomName('scale');
    const perTask = 3_000;
    await createDataGen('gen', 'big', 3, topic, perTask);
    const w0 = workers.get(0)!;
    await eventually('3 tasks on 3 workers', async () => {
      const s = await w0.rest('GET', '/connectors/gen/status');
      if (s.status !== 200 || s.body.tasks.length !== 3) return false;
      const owners = new Set(s.body.tasks.map((t: { worker_id: string }) => t.worker_id));
      return s.body.tasks.every((t: { state: string }) => t.state === 'RUNNING') && owners.size === 3;
    });

    await patchKc('big', { replicas: 1 });
    // The StatefulSet may only shrink once workers 1 and 2 are drained.
    const seenWhileDraining: number[] = [];
    await eventually(
      'the StatefulSet scaled to 1',
      async () => {
        const replicas = await stsReplicas('big');
        if (replicas === 3) {
          seenWhileDraining.push(3);
          return false;
        }
        for (const i of [1, 2]) {
          const drain = (await workers.get(i)!.rest('GET', '/admin/drain')).body;
          expect(drain, `worker ${i} when the StatefulSet shrank`).to.deep.include({ drained: true, tasks: 0 });
        }
        return replicas === 1;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(seenWhileDraining.length).to.be.greaterThan(0);
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=big' });
    expect(events.items.map((e) => e.reason)).to.include.members(['Draining', 'Drained']);
    // Worker 0 runs everything, and the departing workers go away as their pods would.
    await eventually('all tasks on worker 0', async () => {
      const s = (await w0.rest('GET', '/connectors/gen/status')).body;
      return s.tasks.every(
        (t: { state: string; worker_id: string }) =>
          t.state === 'RUNNING' && t.worker_id === `127.0.0.1:${w0.opts.port}`,
      );
    });
    for (const i of [1, 2]) await workers.get(i)!.stop();
    const records = await readTopic(kafka, topic, 3 * perTask, 90_000);
    const ids = new Set(records.map((r) => Number(r.key)));
    const missing = [...Array(3 * perTask).keys()].filter((i) => !ids.has(i));
    expect(missing).to.deep.equal([]);
  });

  it('keeps source offsets across standalone -> distributed -> standalone mode switches', async () => {
    const standalonePort = await freePort();
    const standaloneDir = await tempDir('op-switch');
    const standalone = await new RuntimeProcess({
      mode: 'standalone',
      dir: standaloneDir,
      port: standalonePort,
      workerProps: standaloneProps(env().kafka.bootstrapServers, standaloneDir, 500),
    }).start();
    const distGroup = randomName('switch');
    const distPort = await freePort();
    const distributed = await new RuntimeProcess({
      mode: 'distributed',
      dir,
      port: distPort,
      workerProps: distributedProps(env().kafka.bootstrapServers, distGroup, distPort),
    }).start();
    byMode.set('sw/standalone', standalone);
    byMode.set('sw/distributed', distributed);
    try {
      await api().request({
        method: 'POST',
        path: sluicePath('kafkaconnects', ns),
        body: kcBody('sw', { mode: 'standalone' }),
      });
      const topic = randomName('switch');
      const perTask = 6_000;
      await createDataGen('moving', 'sw', 2, topic, perTask);
      /** task -> next sequence number, as the worker's offsets say */
      const seqs = async (w: RuntimeProcess): Promise<Map<number, number>> => {
        const res = await w.rest('GET', '/connectors/moving/offsets');
        if (res.status !== 200) return new Map();
        const offsets = res.body.offsets as Array<{ partition: { task: number }; offset: { seq: number } }>;
        return new Map(offsets.map((o) => [o.partition.task, o.offset.seq]));
      };
      await eventually('records flow on the standalone worker', async () => (await seqs(standalone)).size === 2);
      await new Promise((r) => setTimeout(r, 1_500));
      /**
       * The operator has reconciled the cluster's current spec and its workload
       * exists. The workers here are local processes that run before any pod
       * could: on a real cluster no connector runs before its workload exists,
       * and a switch before that point would have no old workers to stop.
       */
      const settled = (mode: 'standalone' | 'distributed') =>
        eventually(`the ${mode} workload reconciled`, async () => {
          const kc = await api().request<any>({ method: 'GET', path: sluicePath('kafkaconnects', ns, 'sw') });
          if (kc.status?.observedGeneration !== kc.metadata.generation || kc.status?.mode !== mode) return false;
          const read =
            mode === 'standalone'
              ? apps.readNamespacedDeployment({ namespace: ns, name: names.workload('sw') })
              : apps.readNamespacedStatefulSet({ namespace: ns, name: names.workload('sw') });
          return read.then(
            () => true,
            () => false,
          );
        });
      await settled('standalone');

      for (const [to, from] of [
        ['distributed', standalone],
        ['standalone', distributed],
      ] as const) {
        const target = to === 'distributed' ? distributed : standalone;
        await patchKc('sw', { mode: to });
        const connector = await eventually(
          `the connector runs on the ${to} worker with the carried offsets`,
          async () => {
            const s = await target.rest('GET', '/connectors/moving/status');
            const cr = await api().request<any>({ method: 'GET', path: sluicePath('connectors', ns, 'moving') });
            const ready = cr.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
            return s.status === 200 && s.body.connector.state === 'RUNNING' && ready ? s.body : undefined;
          },
          { timeoutMs: 90_000 },
        );
        expect(connector.tasks).to.have.length(2);
        // The old workers' connector was stopped (its last offsets final) before the new one ran.
        expect((await from.rest('GET', '/connectors/moving/status')).body.connector.state).to.equal('STOPPED');
        const carried = await seqs(from);
        const now = await seqs(target);
        expect(now.size).to.equal(2);
        for (const [task, seq] of carried) expect(now.get(task), `task ${task}`).to.be.at.least(seq);
        await settled(to);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=sw' });
      expect(events.items.filter((e) => e.reason === 'OffsetsCaptured')).to.have.length(2);
      // Every record once: the sources never started over.
      const records = await readTopic(kafka, topic, 2 * perTask, 90_000);
      const all =
        records.length >= 2 * perTask ? await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 5_000) : records;
      const ids = new Set(all.map((r) => Number(r.key)));
      const missing = [...Array(2 * perTask).keys()].filter((i) => !ids.has(i));
      console.log(`      mode switches: ${all.length} records, ${all.length - ids.size} duplicates`);
      expect(missing).to.deep.equal([]);
      expect(all.length - ids.size).to.equal(0);
    } finally {
      await standalone.stop();
      await distributed.stop();
    }
  });
});

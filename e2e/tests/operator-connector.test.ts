// The Connector reconciler against the real apiserver and a real runtime
// worker (as a local process: this control plane runs no pods yet, so the
// cluster's REST API is mapped to the process instead of its Service).
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { withEnv } from '../src/env.js';
import { RecordingLogger, dumpOnFailure } from '../src/diagnostics.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { installCrds, kubeConfig, rest, sluicePath } from '../src/kube.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir } from '../src/runtime-process.js';
import { createTopic, produce, testKafka } from '../src/kafka.js';
import { conditionOf, sluiceResources } from '../src/sluice-resources.js';
import { startTestOperator } from '../src/test-operator.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { createConnectClient } from '../../operator/src/connect/connect-client.js';

describe('operator: Connector reconcile against a real worker @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  const ns = randomName('conn-test');
  const operatorLog = new RecordingLogger();
  dumpOnFailure({ env, namespaces: () => [ns], operatorLog, workerLogs: () => (worker ? [worker.logFile] : []) });
  let operator: RunningOperator;
  let worker: RuntimeProcess;
  let dir: string;
  let core: k8s.CoreV1Api;
  const urls = new Map<string, string>();

  const api = () => rest(env());
  const resources = sluiceResources(env, ns);
  const getConnector = (name: string) => resources.get('Connector', name);
  const createConnector = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    resources.create('Connector', name, spec, { annotations });
  const patchConnector = (name: string, body: Record<string, unknown>) => resources.patch('Connector', name, body);
  /** A standalone KafkaConnect (its REST API is the local worker's once urls has it). */
  const createCluster = (name: string) =>
    resources.create('KafkaConnect', name, { mode: 'standalone', bootstrapServers: env().kafka.bootstrapServers });
  const condition = (cr: any) => conditionOf(cr);
  const waitFor = (name: string, what: string, check: (cr: any) => boolean) =>
    resources.waitFor('Connector', name, what, check);

  before(async () => {
    await installCrds(env());
    const kc = kubeConfig(env());
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    dir = await tempDir('op-conn');
    worker = await new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: standaloneProps(env().kafka.bootstrapServers, dir, 500),
    }).start();
    urls.set('local', worker.url);
    await createCluster('local');
    operator = await startTestOperator(kc, operatorLog, ns, {
      // Backoffs of 0, 4, 12 s: the restarted task fails again (group join, refetch)
      // well before the counter could reset.
      restartUnitMs: 2000,
      connectFor: (k) => createConnectClient(urls.get(k.metadata.name) ?? 'http://127.0.0.1:9', { timeoutMs: 2000 }),
    });
  });
  after(async () => {
    await operator?.stop();
    await worker?.kill();
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('creates the connector on the worker and mirrors its status', async () => {
    const file = path.join(dir, 'in.txt');
    await writeFile(file, 'a\nb\n');
    await createConnector('files', {
      clusterRef: { name: 'local' },
      class: 'FileStreamSource',
      config: { file, topic: randomName('op') },
    });
    const cr = await waitFor('files', 'Ready', (c) => condition(c)?.status === 'True');
    expect(cr.status).to.deep.include({
      state: 'RUNNING',
      type: 'source',
      tasksReady: '1/1',
      taskCount: 1,
      tasksMax: 1,
    });
    expect(cr.status.tasks[0]).to.include({ id: 0, state: 'RUNNING' });
    expect(cr.status.labelSelector).to.equal('sluice.dev/cluster=local,sluice.dev/component=worker');
    expect(cr.metadata.finalizers).to.include('sluice.dev/connector-cleanup');
    const live = await worker.rest('GET', '/connectors/files/config');
    expect(live.body).to.include({ name: 'files', 'connector.class': 'FileStreamSource', 'tasks.max': '1', file });
  });

  it('PUTs the config only when the spec differs', async () => {
    await patchConnector('files', {
      spec: { config: { file: path.join(dir, 'in.txt'), topic: 'renamed-topic', 'batch.size': '5' } },
    });
    await eventually(
      'the new config on the worker',
      async () => (await worker.rest('GET', '/connectors/files/config')).body['batch.size'] === '5',
    );
    expect((await worker.rest('GET', '/connectors/files/config')).body.topic).to.equal('renamed-topic');
  });

  it('pauses, stops and resumes through spec.state', async () => {
    await patchConnector('files', { spec: { state: 'paused' } });
    await waitFor('files', 'paused', (c) => c.status?.state === 'PAUSED' && condition(c)?.reason === 'Paused');
    expect((await worker.rest('GET', '/connectors/files/status')).body.connector.state).to.equal('PAUSED');
    await patchConnector('files', { spec: { state: 'stopped' } });
    const cr = await waitFor('files', 'stopped', (c) => c.status?.state === 'STOPPED');
    expect(cr.status.tasksReady).to.equal('0/0');
    await patchConnector('files', { spec: { state: 'running' } });
    await waitFor('files', 'running again', (c) => c.status?.state === 'RUNNING' && condition(c)?.status === 'True');
  });

  it("reports an invalid config with Kafka Connect's validation message and creates nothing", async () => {
    await createConnector('broken', {
      clusterRef: { name: 'local' },
      class: 'FileStreamSource',
      config: { file: '/tmp/x' },
    });
    const cr = await waitFor('broken', 'InvalidConfig', (c) => condition(c)?.reason === 'InvalidConfig');
    expect(condition(cr).message).to.include('Connector configuration is invalid');
    expect(condition(cr).message).to.include('topic');
    expect((await worker.rest('GET', '/connectors/broken')).status).to.equal(404);
  });

  it('waits for a missing cluster and reconciles as soon as it appears', async () => {
    const file = path.join(dir, 'late.txt');
    await writeFile(file, 'x\n');
    await createConnector('late', {
      clusterRef: { name: 'later' },
      class: 'FileStreamSource',
      config: { file, topic: randomName('late') },
    });
    await waitFor('late', 'ClusterNotFound', (c) => condition(c)?.reason === 'ClusterNotFound');
    urls.set('later', worker.url);
    await createCluster('later');
    await waitFor('late', 'Ready once the cluster exists', (c) => condition(c)?.status === 'True');
  });

  it('restarts a failed task automatically, with counters in status', async () => {
    const topic = randomName('bad');
    // A fresh name per run: its consumer group (connect-<name>) must not wait for a dead member of an earlier run.
    const failing = randomName('failing');
    const kafka = testKafka(env().kafka.bootstrapServers);
    await createTopic(kafka, topic);
    await produce(kafka, topic, [{ value: '{not json' }]);
    await createConnector(failing, {
      clusterRef: { name: 'local' },
      class: 'FileStreamSink',
      config: {
        topics: topic,
        file: path.join(dir, 'never.txt'),
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
      },
      autoRestart: { maxRestarts: 2 },
    });
    const cr = await eventually(
      'failing: two automatic restarts',
      async () => {
        const c = await getConnector(failing);
        return (c.status?.autoRestart?.count ?? 0) >= 2 ? c : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(cr.status.autoRestart.lastRestartTime).to.be.a('string');
    // Right after a restart the task runs until it reads the bad record again,
    // so Ready may briefly be True; once maxRestarts is spent it stays failed.
    const settled = await waitFor(
      failing,
      'TaskFailed with a trace',
      (c) => condition(c)?.reason === 'TaskFailed' && c.status.tasks?.[0]?.trace?.includes('Tolerance exceeded'),
    );
    expect(condition(settled).status).to.equal('False');
    expect(settled.status.autoRestart.count).to.equal(2);
  });

  it('restarts on demand through an annotation and removes it', async () => {
    await patchConnector('files', { metadata: { annotations: { 'sluice.dev/restart': 'includeTasks' } } });
    await waitFor('files', 'annotation removed', (c) => !c.metadata.annotations?.['sluice.dev/restart']);
  });

  it('lists offsets into a ConfigMap on demand', async () => {
    await patchConnector('files', { metadata: { annotations: { 'sluice.dev/offsets': 'list' } } });
    const cm = await eventually('the offsets ConfigMap', () =>
      core.readNamespacedConfigMap({ namespace: ns, name: 'files-offsets' }).catch(() => undefined),
    );
    const offsets = JSON.parse(cm.data?.['offsets.json'] ?? '{}');
    expect(offsets.offsets[0].partition).to.deep.equal({ filename: path.join(dir, 'in.txt') });
  });

  it('does not list offsets over a ConfigMap of that name that someone else wrote', async () => {
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'other-offsets' }, data: { mine: 'yes' } },
    });
    await createConnector('other', {
      clusterRef: { name: 'local' },
      class: 'FileStreamSource',
      config: { file: path.join(dir, 'in.txt'), topic: randomName('op') },
    });
    await waitFor('other', 'Ready', (c) => condition(c)?.status === 'True');
    await patchConnector('other', { metadata: { annotations: { 'sluice.dev/offsets': 'list' } } });
    const refusal = await eventually('an OffsetsFailed Event', async () => {
      const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=other' });
      return events.items.find((e) => e.reason === 'OffsetsFailed');
    });
    expect(refusal.message).to.include(
      'ConfigMap other-offsets already exists and was not written for connector other',
    );
    const cm = await core.readNamespacedConfigMap({ namespace: ns, name: 'other-offsets' });
    expect(cm.data).to.deep.equal({ mine: 'yes' });
    await api().request({ method: 'DELETE', path: sluicePath('connectors', ns, 'other') });
  });

  it('alters and resets offsets on demand while stopped, and refuses while running', async () => {
    const file = path.join(dir, 'in.txt');
    await patchConnector('files', { metadata: { annotations: { 'sluice.dev/offsets': 'reset' } } });
    await waitFor('files', 'annotation handled', (c) => !c.metadata.annotations?.['sluice.dev/offsets']);
    const refusal = await eventually('an OffsetsFailed event', async () => {
      const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=files' });
      return events.items.find((e) => e.reason === 'OffsetsFailed');
    });
    expect(refusal.message).to.include('STOPPED');
    expect((await worker.rest('GET', '/connectors/files/offsets')).body.offsets).to.have.length(1);
    await patchConnector('files', { spec: { state: 'stopped' } });
    await waitFor('files', 'stopped', (c) => c.status?.state === 'STOPPED');
    await core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'files-offsets',
      body: {
        metadata: { name: 'files-offsets' },
        data: {
          'offsets.json': JSON.stringify({ offsets: [{ partition: { filename: file }, offset: { position: 2 } }] }),
        },
      },
    });
    await patchConnector('files', { metadata: { annotations: { 'sluice.dev/offsets': 'alter' } } });
    await eventually('the altered offset on the worker', async () => {
      const res = await worker.rest('GET', '/connectors/files/offsets');
      return res.body.offsets[0]?.offset?.position === 2;
    });
    // The operator removes the handled annotation after acting: set the next one only then.
    await waitFor('files', 'alter handled', (c) => !c.metadata.annotations?.['sluice.dev/offsets']);
    await patchConnector('files', { metadata: { annotations: { 'sluice.dev/offsets': 'reset' } } });
    await eventually(
      'the offsets reset on the worker',
      async () => (await worker.rest('GET', '/connectors/files/offsets')).body.offsets.length === 0,
    );
    await patchConnector('files', { spec: { state: 'running' } });
    await waitFor('files', 'running again', (c) => c.status?.state === 'RUNNING');
  });

  it('deletes the connector from the worker when the resource is deleted (finalizer)', async () => {
    await resources.remove('Connector', 'files');
    await eventually('the resource gone', async () => (await getConnector('files')) === undefined);
    expect((await worker.rest('GET', '/connectors/files')).status).to.equal(404);
  });

  it('leaves connectors that no resource owns alone', async () => {
    const file = path.join(dir, 'mine.txt');
    await writeFile(file, 'x\n');
    expect(
      (
        await worker.rest('PUT', '/connectors/handmade/config', {
          'connector.class': 'FileStreamSource',
          file,
          topic: randomName('hm'),
        })
      ).status,
    ).to.equal(201);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await worker.rest('GET', '/connectors/handmade')).status).to.equal(200);
  });
});

// spec.runtime: apache on the real node, through the operator (installed with
// the chart): Debezium's PostgreSQL connector from a plugin image
// (e2e/env/images/debezium-postgres) on an Apache Kafka Connect cluster
// captures a table of the environment's PostgreSQL while rows keep being
// inserted, and the cluster goes through everything a user may do to it:
//   standalone: a runtime switch apache -> sluice -> apache (offsets handed
//     over through the hand-off ConfigMap; our CDC connector takes Debezium's
//     class and config),
//   a mode switch standalone -> distributed, scale 1 -> 3 -> 1,
//   distributed: a runtime switch apache -> sluice -> apache (the group rolls
//     over the shared config, offset and status topics),
//   a mode switch distributed -> standalone.
// At the end every inserted row is in Kafka (0 lost), the snapshot ran once
// (no row read twice by a snapshot), and neither the Connector status (polled
// every second) nor the cluster's status topic ever showed FAILED. A cluster of
// our runtime runs side by side in the same namespace, healthy throughout.
//
// Needs the Apache and plugin images on the node: `node.sh import-apache` and
// `import-debezium` (built once and cached; a cold build takes minutes).
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withEnv, repoRoot } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { installOperator, uninstallOperator } from '../src/helm.js';
import { testKafka } from '../src/kafka.js';
import { createNamespaceReady, installCrds, kubeConfig, rest } from '../src/kube.js';
import { randomName } from '../src/names.js';
import { nodeEnv, type NodeEnv } from '../src/node.js';
import { SluiceResources, diagnostics, ready, topicSize } from '../src/cluster.js';
import { createTestDatabase, dropTestDatabase, pgClient, pgName } from '../src/pg.js';
import { debeziumConfig } from '../src/cdc.js';
import {
  ConnectorStatusWatch,
  ItemsWriter,
  cdcClusterSpec,
  countChangeEvents,
  createItemsTable,
  eventCount,
  statusTopicStates,
  waitFlowing,
} from '../src/cdc-on-node.js';

const run = promisify(execFile);
const DEBEZIUM_IMAGE = 'docker.io/sluice/debezium-postgres:3.6.1.Final';
const INITIAL_ROWS = 300;

describe('apache runtime on the node: Debezium through runtime and mode switches and scaling @env', function () {
  this.timeout(1_800_000);
  const getEnv = withEnv();
  let env: NodeEnv;
  let core: k8s.CoreV1Api;
  let kafka: Kafka;
  const release = randomName('apn');
  const system = `${release}-system`;
  const ns = randomName('apache-node');
  const res = () => new SluiceResources(rest(env), ns);
  let database = '';
  const prefix = pgName('apn');
  const slot = pgName('apn_slot');
  const topic = `${prefix}.public.items`;
  const genTopic = randomName('apn-gen');
  const log = (line: string) => console.log(`      ${new Date().toISOString().slice(11, 19)} ${line}`);

  const writer = new ItemsWriter(INITIAL_ROWS);
  const seen = new ConnectorStatusWatch('cdc');

  const kcSpec = (spec: Record<string, unknown>) => cdcClusterSpec(env, spec);

  const clusterIs = (what: string, check: (kc: any) => boolean) =>
    res().waitFor('kafkaconnects', 'java', what, (kc) => check(kc) && ready(kc), 600_000);

  const flowing = (phase: string) => waitFlowing({ res: res(), kafka, topic, connector: 'cdc', writer, log }, phase);

  before(async () => {
    env = nodeEnv(getEnv());
    if (!env.postgres) throw new Error('the test environment has no postgres');
    const kc = kubeConfig(env);
    core = kc.makeApiClient(k8s.CoreV1Api);
    kafka = testKafka(env.kafka.bootstrapServers);
    // The Apache image and the Debezium plugin image (built once, then cached by input hash).
    const started = Date.now();
    for (const what of ['import-apache', 'import-debezium'])
      await run('bash', [path.join(repoRoot, 'e2e/env/node.sh'), what], { maxBuffer: 1 << 24 });
    log(`images on the node after ${Math.round((Date.now() - started) / 1000)} s`);
    database = await createTestDatabase(env.postgres, 'apn');
    writer.client = await pgClient(env.postgres, database);
    await createItemsTable(writer.client, INITIAL_ROWS);
    await installCrds(env);
    await createNamespaceReady(core, ns);
    await installOperator(env, {
      release,
      namespace: system,
      watchNamespaces: [ns],
      createNamespace: true,
      set: { logLevel: 'debug' },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(await diagnostics(env, [ns], system));
  });

  after(async () => {
    seen.stop();
    await writer.stop().catch(() => undefined);
    await writer.client?.end().catch(() => undefined);
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
    await uninstallOperator(env, { release, namespace: system });
    if (database) {
      // The namespace's workers hold the slot until they are gone.
      await eventually(
        'the workers gone',
        async () => (await core.listNamespacedPod({ namespace: ns }).catch(() => ({ items: [] }))).items.length === 0,
        { timeoutMs: 120_000 },
      ).catch(() => undefined);
      await dropTestDatabase(env.postgres, database).catch(() => undefined);
    }
  });

  it('runs an apache and a sluice KafkaConnect side by side in one namespace, both healthy', async () => {
    await res().create(
      'kafkaconnects',
      'java',
      kcSpec({
        runtime: 'apache',
        mode: 'standalone',
        storage: { deleteClaim: true },
        plugins: [{ name: 'debezium-postgres', image: DEBEZIUM_IMAGE }],
      }),
    );
    await res().create('kafkaconnects', 'ours', kcSpec({ mode: 'distributed', replicas: 1 }));
    await res().create('connectors', 'gen', {
      clusterRef: { name: 'ours' },
      class: 'DataGen',
      config: {
        topic: genTopic,
        'key.type': 'sequence',
        'records.per.second': '20',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    });
    const {
      name: _n,
      'connector.class': cls,
      'tasks.max': _t,
      ...config
    } = debeziumConfig(env.postgres, {
      name: 'cdc',
      database,
      prefix,
      slot,
      tables: 'public.items',
      host: env.postgres.podHost ?? undefined,
    });
    await res().create('connectors', 'cdc', { clusterRef: { name: 'java' }, class: cls, tasksMax: 1, config });
    const java = await res().waitReady('kafkaconnects', 'java', 600_000);
    expect(java.status).to.deep.include({ runtime: 'apache', mode: 'standalone' });
    const ours = await res().waitReady('kafkaconnects', 'ours', 600_000);
    expect(ours.status).to.deep.include({ runtime: 'sluice', mode: 'distributed' });
    seen.start(res());
    writer.start();
    await flowing('apache standalone');
    // The plugin came from the plugin image: Apache lists Debezium's connector.
    const listed = await res().waitFor('kafkaconnects', 'java', 'Debezium among the plugins', (kc) =>
      (kc.status?.connectorPlugins ?? []).some(
        (p: any) => p.class === 'io.debezium.connector.postgresql.PostgresConnector',
      ),
    );
    expect(listed.status.connectorPlugins.length).to.be.greaterThan(1);
    await res().waitFor('connectors', 'gen', 'running', (c) => ready(c) && c.status?.state === 'RUNNING');
  });

  it('standalone: switches the runtime apache -> sluice -> apache with the offsets handed over', async () => {
    for (const runtime of ['sluice', 'apache']) {
      await res().patch('kafkaconnects', 'java', { runtime });
      await clusterIs(`standalone on ${runtime}`, (kc) => kc.status?.runtime === runtime);
      await flowing(`standalone runtime switch to ${runtime}`);
    }
    const count = (object: string, reason: string) => eventCount(core, ns, object, reason);
    expect(await count('java', 'RuntimeChanged')).to.equal(2);
    expect(await count('java', 'OffsetsNotCarried')).to.equal(0);
    expect(await count('cdc', 'OffsetsCarried')).to.equal(2);
  });

  it('switches standalone -> distributed and scales 1 -> 3 -> 1', async () => {
    await res().patch('kafkaconnects', 'java', { mode: 'distributed', replicas: 1 });
    await clusterIs('distributed', (kc) => kc.status?.mode === 'distributed');
    await flowing('mode switch to distributed');
    await res().patch('kafkaconnects', 'java', { replicas: 3 });
    await clusterIs('3 workers', (kc) => kc.status?.readyReplicas === 3);
    await flowing('scale to 3');
    await res().patch('kafkaconnects', 'java', { replicas: 1 });
    await clusterIs('1 worker', (kc) => kc.status?.readyReplicas === 1 && kc.status?.replicas === 1);
    await flowing('scale to 1');
  });

  it('distributed: switches the runtime apache -> sluice -> apache over the shared topics', async () => {
    for (const runtime of ['sluice', 'apache']) {
      await res().patch('kafkaconnects', 'java', { runtime });
      await clusterIs(
        `distributed on ${runtime}`,
        (kc) => kc.status?.runtime === runtime && kc.status?.readyReplicas === 1,
      );
      await flowing(`distributed runtime switch to ${runtime}`);
    }
  });

  it('switches distributed -> standalone; every row arrived, the snapshot ran once, never FAILED', async () => {
    await res().patch('kafkaconnects', 'java', { mode: 'standalone' });
    await clusterIs('standalone again', (kc) => kc.status?.mode === 'standalone');
    await flowing('mode switch to standalone');
    await writer.stop();
    const rows = writer.next;
    // Every row, read by the snapshot (op r) or streamed (op c).
    const { events, missing, duplicates, snapshotReads } = await countChangeEvents(kafka, topic, rows);
    // The status topic of the distributed phases: every state any worker wrote.
    const statusTopic = await statusTopicStates(kafka, 'java', ns);
    log(
      `${rows} rows, ${events} change events, ${missing.length} missing, ${duplicates} duplicates, ` +
        `${snapshotReads.length} snapshot reads; states seen ${[...seen.states].join(',')} in ${seen.polls} polls; ` +
        `${statusTopic.records} status records, ${statusTopic.failed.length} FAILED`,
    );
    expect(missing).to.deep.equal([]);
    // The snapshot ran once: no row read by a snapshot twice, every initial row read by it.
    expect(new Set(snapshotReads).size, 'rows read by a second snapshot').to.equal(snapshotReads.length);
    expect(snapshotReads.filter((id) => id < INITIAL_ROWS)).to.have.length(INITIAL_ROWS);
    expect(seen.failed, 'FAILED in the Connector status').to.deep.equal([]);
    expect(statusTopic.failed, 'FAILED in the status topic').to.deep.equal([]);
    // Side by side: our cluster stayed healthy all along.
    expect(ready(await res().get('kafkaconnects', 'ours'))).to.equal(true);
    const gen = await res().get('connectors', 'gen');
    expect(gen.status?.state).to.equal('RUNNING');
    expect(await topicSize(kafka, genTopic)).to.be.greaterThan(0);
  });
});

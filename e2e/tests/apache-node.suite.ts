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
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../src/env.js';
import { randomName } from '../src/names.js';
import { ready, topicSize } from '../src/cluster.js';
import { cdcClusterSpec, cdcScenario, countChangeEvents, eventCount, statusTopicStates } from '../src/cdc-on-node.js';

const run = promisify(execFile);
const DEBEZIUM_IMAGE = 'docker.io/sluice/debezium-postgres:3.6.1.Final';
const INITIAL_ROWS = 300;

describe('apache runtime on the node: Debezium through runtime and mode switches and scaling @env', function () {
  this.timeout(1_800_000);
  const cdc = cdcScenario({
    name: 'apn',
    namespace: 'apache-node',
    initialRows: INITIAL_ROWS,
    connector: 'cdc',
    prepare: async (_env, log) => {
      // The Apache image and the Debezium plugin image (built once, then cached by input hash).
      const started = Date.now();
      for (const what of ['import-apache', 'import-debezium'])
        await run('bash', [path.join(repoRoot, 'e2e/env/node.sh'), what], { maxBuffer: 1 << 24 });
      log(`images on the node after ${Math.round((Date.now() - started) / 1000)} s`);
    },
    workersGone: 'pods gone',
  });
  const { ns, topic, writer, seen, log, res, flowing } = cdc;
  const genTopic = randomName('apn-gen');

  const kcSpec = (spec: Record<string, unknown>) => cdcClusterSpec(cdc.env, spec);

  const clusterIs = (what: string, check: (kc: any) => boolean) =>
    res().waitFor('kafkaconnects', 'java', what, (kc) => check(kc) && ready(kc), 600_000);

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
    const { cls, config } = cdc.debeziumConnector();
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
    const count = (object: string, reason: string) => eventCount(cdc.core, ns, object, reason);
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
    const { events, missing, duplicates, snapshotReads } = await countChangeEvents(cdc.kafka, topic, rows);
    // The status topic of the distributed phases: every state any worker wrote.
    const statusTopic = await statusTopicStates(cdc.kafka, 'java', ns);
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
    expect(await topicSize(cdc.kafka, genTopic)).to.be.greaterThan(0);
  });
});

// spec.runtime: sluice on the real node, through the operator (installed with
// the chart): our CDC connector, as a Connector with Debezium's
// PostgresConnector class and config, captures a table of the environment's
// PostgreSQL while rows keep being inserted (20 a second, from before the
// snapshot to the end), and the cluster goes through what a user may do to it:
//   a mode switch standalone -> distributed (the operator carries the source
//     offsets over),
//   scale 1 -> 3 -> 1,
//   a mode switch distributed -> standalone.
// At the end every inserted row is in Kafka (0 lost), the snapshot ran once
// (no row read twice by a snapshot), and neither the Connector status (polled
// every second) nor the distributed cluster's status topic ever showed FAILED.
// The scenario of apache-node.suite.ts (Debezium on spec.runtime apache) on
// our runtime, without the runtime switches; both share e2e/src/cdc-on-node.ts.
//
// Needs only our images on the node (as the suites in `npm test` do); its own
// script, `npm run test:cdc-operator`, keeps it out of `npm test`'s CI time.
import { expect } from 'chai';
import { ready } from '../src/cluster.js';
import { cdcClusterSpec, cdcScenario, countChangeEvents, eventCount, statusTopicStates } from '../src/cdc-on-node.js';

const INITIAL_ROWS = 300;
/** The KafkaConnect, and the Connector on it. */
const CLUSTER = 'connect';
const CONNECTOR = 'cdc';

describe('sluice runtime on the node: our CDC connector through mode switches and scaling @env', function () {
  this.timeout(1_800_000);
  const cdc = cdcScenario({
    name: 'cdcop',
    namespace: 'cdc-operator',
    initialRows: INITIAL_ROWS,
    connector: CONNECTOR,
    prepare: (env) => {
      if (!env.postgres.podHost) throw new Error('this PostgreSQL does not listen on the node’s address (no podHost)');
    },
    workersGone: 'namespace gone',
  });
  const { ns, topic, writer, seen, log, res, flowing } = cdc;

  const clusterIs = (what: string, check: (kc: any) => boolean) =>
    res().waitFor('kafkaconnects', CLUSTER, what, (kc) => check(kc) && ready(kc), 600_000);

  it('captures the table on a standalone sluice cluster while rows are inserted', async () => {
    await res().create(
      'kafkaconnects',
      CLUSTER,
      cdcClusterSpec(cdc.env, { runtime: 'sluice', mode: 'standalone', replicas: 1, storage: { deleteClaim: true } }),
    );
    const { cls, config } = cdc.debeziumConnector();
    expect(cls).to.equal('io.debezium.connector.postgresql.PostgresConnector');
    await res().create('connectors', CONNECTOR, {
      clusterRef: { name: CLUSTER },
      class: cls,
      tasksMax: 1,
      config: { ...config, 'snapshot.mode': 'initial' },
    });
    // From here to the end: the status polled, rows inserted (the first ones before the snapshot is taken).
    seen.start(res());
    writer.start();
    const cluster = await res().waitReady('kafkaconnects', CLUSTER, 600_000);
    expect(cluster.status).to.deep.include({ runtime: 'sluice', mode: 'standalone' });
    await flowing('sluice standalone');
  });

  it('switches standalone -> distributed and scales 1 -> 3 -> 1', async () => {
    await res().patch('kafkaconnects', CLUSTER, { mode: 'distributed', replicas: 1 });
    await clusterIs('distributed', (kc) => kc.status?.mode === 'distributed');
    await flowing('mode switch to distributed');
    await res().patch('kafkaconnects', CLUSTER, { replicas: 3 });
    await clusterIs('3 workers', (kc) => kc.status?.readyReplicas === 3);
    await flowing('scale to 3');
    await res().patch('kafkaconnects', CLUSTER, { replicas: 1 });
    await clusterIs('1 worker', (kc) => kc.status?.readyReplicas === 1 && kc.status?.replicas === 1);
    await flowing('scale to 1');
  });

  it('switches distributed -> standalone; every row arrived, the snapshot ran once, never FAILED', async () => {
    await res().patch('kafkaconnects', CLUSTER, { mode: 'standalone' });
    await clusterIs('standalone again', (kc) => kc.status?.mode === 'standalone');
    await flowing('mode switch to standalone');
    await writer.stop();
    const rows = writer.next;
    // Every row, read by the snapshot (op r) or streamed (op c).
    const { events, missing, duplicates, snapshotReads } = await countChangeEvents(cdc.kafka, topic, rows);
    // The status topic of the distributed phase: every state any worker wrote.
    const statusTopic = await statusTopicStates(cdc.kafka, CLUSTER, ns);
    const count = (object: string, reason: string) => eventCount(cdc.core, ns, object, reason);
    const captured = await count(CLUSTER, 'OffsetsCaptured');
    const notCarried = await count(CLUSTER, 'OffsetsNotCarried');
    const carried = await count(CONNECTOR, 'OffsetsCarried');
    log(
      `${rows} rows, ${events} change events, ${missing.length} missing, ${duplicates} duplicates, ` +
        `${snapshotReads.length} snapshot reads; states seen ${[...seen.states].join(',')} in ${seen.polls} polls; ` +
        `${statusTopic.records} status records, ${statusTopic.failed.length} FAILED; events: ` +
        `${captured} OffsetsCaptured, ${notCarried} OffsetsNotCarried, ${carried} OffsetsCarried`,
    );
    expect(missing).to.deep.equal([]);
    // The snapshot ran once: no row read by a snapshot twice, every initial row read by it.
    expect(new Set(snapshotReads).size, 'rows read by a second snapshot').to.equal(snapshotReads.length);
    expect(snapshotReads.filter((id) => id < INITIAL_ROWS)).to.have.length(INITIAL_ROWS);
    expect(seen.failed, 'FAILED in the Connector status').to.deep.equal([]);
    expect(statusTopic.failed, 'FAILED in the status topic').to.deep.equal([]);
    // Both mode switches went through the operator's offset hand-off.
    expect({ captured, notCarried, carried }).to.deep.equal({ captured: 2, notCarried: 0, carried: 2 });
  });
});

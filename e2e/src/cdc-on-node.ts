// The CDC scenario that the suites through the operator on the node share
// (e2e/tests/apache-node.suite.ts: Debezium on spec.runtime apache;
// e2e/tests/cdc-operator.suite.ts: our CDC connector on spec.runtime sluice):
// their set-up and tear-down (cdcScenario), a table `items` that a writer
// keeps inserting into, the Connector's status polled for FAILED, a wait for
// change events to flow after each step done to the cluster, and the final
// count of the change events by primary key.
import * as k8s from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { names } from '../../operator/src/model/names.js';
import { debeziumConfig } from './cdc.js';
import { SluiceResources, diagnostics, ready, topicSize } from './cluster.js';
import { withEnv } from './env.js';
import { eventually } from './eventually.js';
import { installOperator, uninstallOperator } from './helm.js';
import { readTopic, testKafka } from './kafka.js';
import { createNamespaceReady, installCrds, kubeConfig, namespaceGone, rest } from './kube.js';
import { randomName } from './names.js';
import { nodeEnv, type NodeEnv } from './node.js';
import { createTestDatabase, dropTestDatabase, pgClient, pgName } from './pg.js';

/** The captured table, with `rows` rows (ids 0..rows-1) for the snapshot. */
export async function createItemsTable(client: pg.Client, rows: number): Promise<void> {
  await client.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
  await client.query(`INSERT INTO items (id, note) SELECT i, 'row ' || i FROM generate_series(0, ${rows - 1}) i`);
}

/** Rows inserted while the connector runs: one short transaction of two rows every 100 ms, ids counting up. */
export class ItemsWriter {
  /** The next id; after stop(), the number of rows in the table (ids 0..next-1). */
  next: number;
  client: pg.Client | undefined;
  private stopped = false;
  private done: Promise<void> = Promise.resolve();

  constructor(first: number) {
    this.next = first;
  }

  start(): void {
    this.done = (async () => {
      while (!this.stopped) {
        const id = this.next;
        try {
          await this.client!.query('INSERT INTO items (id, note) VALUES ($1, $2), ($3, $4)', [
            id,
            `row ${id}`,
            id + 1,
            `row ${id + 1}`,
          ]);
          this.next += 2;
        } catch {
          // PostgreSQL busy for a moment: the same ids again.
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** Every state a Connector and its tasks showed, polled each second from start() to stop(): FAILED must never be one. */
export class ConnectorStatusWatch {
  readonly states = new Set<string>();
  /** The status, each time it showed FAILED. */
  readonly failed: string[] = [];
  polls = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly connector: string) {}

  start(res: SluiceResources, intervalMs = 1_000): void {
    this.timer = setInterval(() => void this.poll(res), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(res: SluiceResources): Promise<void> {
    const cr = await res.get('connectors', this.connector).catch(() => undefined);
    this.polls++;
    const states = [cr?.status?.state, ...((cr?.status?.tasks as any[]) ?? []).map((t) => t.state)].filter(Boolean);
    for (const s of states) this.states.add(s);
    if (states.includes('FAILED')) this.failed.push(JSON.stringify(cr.status).slice(0, 2000));
  }
}

/** A KafkaConnect spec on the test broker, with schemaless JSON change events and offsets flushed every second. */
export function cdcClusterSpec(env: NodeEnv, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    bootstrapServers: env.kafka.podBootstrapServers,
    ...spec,
    config: {
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter.schemas.enable': 'false',
      'offset.flush.interval.ms': '1000',
    },
  };
}

export interface Flow {
  readonly res: SluiceResources;
  readonly kafka: Kafka;
  readonly topic: string;
  /** The Connector's name (one task). */
  readonly connector: string;
  readonly writer: ItemsWriter;
  readonly log: (line: string) => void;
}

/** The connector runs its task on the new workers and new rows reach Kafka through them. */
export async function waitFlowing(f: Flow, phase: string): Promise<void> {
  await f.res.waitFor(
    'connectors',
    f.connector,
    `running (${phase})`,
    (c) => ready(c) && c.status?.state === 'RUNNING' && c.status?.tasksReady === '1/1',
    600_000,
  );
  const before = await topicSize(f.kafka, f.topic);
  await eventually(`new change events after ${phase}`, async () => (await topicSize(f.kafka, f.topic)) > before + 20, {
    timeoutMs: 300_000,
    intervalMs: 500,
  });
  f.log(`${phase}: flowing (${await topicSize(f.kafka, f.topic)} events so far, rows inserted ${f.writer.next})`);
}

export interface ChangeEventCount {
  /** Change events on the topic (tombstones left out). */
  readonly events: number;
  /** Ids of 0..rows-1 with no change event. */
  readonly missing: number[];
  /** Change events beyond the first of each id. */
  readonly duplicates: number;
  /** Ids read by a snapshot (op r), once per read: the initial rows, and those inserted before its snapshot was taken. */
  readonly snapshotReads: number[];
}

/**
 * Reads the topic of the items table until every id of 0..rows-1 is on it
 * (or `timeoutMs` passed) and counts the change events (schemaless JSON:
 * Debezium's envelope with op and after), read by a snapshot (op r) or
 * streamed (op c).
 */
export async function countChangeEvents(
  kafka: Kafka,
  topic: string,
  rows: number,
  timeoutMs = 300_000,
): Promise<ChangeEventCount> {
  const count = (records: Array<{ value: string | null }>): ChangeEventCount => {
    const ids = new Map<number, number>();
    const snapshotReads: number[] = [];
    let events = 0;
    for (const r of records) {
      if (r.value === null) continue;
      const v = JSON.parse(r.value) as { op: string; after: { id: number } };
      events++;
      if (v.op === 'r') snapshotReads.push(v.after.id);
      ids.set(v.after.id, (ids.get(v.after.id) ?? 0) + 1);
    }
    const missing = [...Array(rows).keys()].filter((i) => !ids.has(i));
    const duplicates = [...ids.values()].reduce((n, c) => n + c - 1, 0);
    return { events, missing, duplicates, snapshotReads };
  };
  const deadline = Date.now() + timeoutMs;
  const first = await readTopic(kafka, topic, rows, timeoutMs);
  if (first.length < rows) return count(first);
  // Read again (briefly) past `rows` so that duplicates are counted too, until the last ids are there.
  for (;;) {
    const counted = count(await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 5_000));
    if (counted.missing.length === 0 || Date.now() > deadline) return counted;
  }
}

/** The records of a distributed cluster's status topic (every state any worker wrote) and those saying FAILED. */
export async function statusTopicStates(kafka: Kafka, cluster: string, namespace: string) {
  const records = await readTopic(kafka, names.statusTopic(cluster, namespace), Number.MAX_SAFE_INTEGER, 10_000).catch(
    () => [],
  );
  const failed = records
    .filter((r) => r.value && JSON.parse(r.value).state === 'FAILED')
    .map((r) => `${r.key}: ${r.value?.slice(0, 300)}`);
  return { records: records.length, failed };
}

/** Events with this reason on an object; repeats with the same message are counted on one Event. */
export async function eventCount(core: k8s.CoreV1Api, namespace: string, object: string, reason: string) {
  return (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${object}` })).items
    .filter((e) => e.reason === reason)
    .reduce((n, e) => n + (e.count ?? 1), 0);
}

export interface CdcScenarioOptions {
  /** The suite's short name: its operator release, test database, topic prefix and replication slot are named after it. */
  readonly name: string;
  /** The prefix of the test namespace's random name. */
  readonly namespace: string;
  /** Rows in the table before the Connector starts (ids 0..initialRows-1). */
  readonly initialRows: number;
  /** The Connector (one task) whose status is watched and whose change events flowing() waits for. */
  readonly connector: string;
  /**
   * Run first in before(), once the environment is known to have PostgreSQL and before anything is
   * created: the suite's own preconditions, or the images it needs on the node.
   */
  readonly prepare?: (env: NodeEnv, log: (line: string) => void) => Promise<void> | void;
  /**
   * How after() waits for the workers, which hold the replication slot, before it drops the database:
   * 'namespace gone' before the operator is uninstalled (it removes the Connector's finalizer), or
   * 'pods gone' after the operator is uninstalled (only when the database was created).
   */
  readonly workersGone: 'namespace gone' | 'pods gone';
}

/**
 * The state of a CDC scenario on the node: names fixed when the suite is declared, clients and the
 * database set by setUp().
 */
export class CdcScenario {
  env!: NodeEnv;
  core!: k8s.CoreV1Api;
  kafka!: Kafka;
  /** The test database; '' until setUp() created it. */
  database = '';
  readonly release: string;
  /** The operator's namespace. */
  readonly system: string;
  /** The test namespace, the only one the operator watches. */
  readonly ns: string;
  /** Debezium's topic.prefix; the items table's change events go to `topic`. */
  readonly prefix: string;
  readonly slot: string;
  readonly topic: string;
  readonly writer: ItemsWriter;
  readonly seen: ConnectorStatusWatch;

  constructor(
    private readonly options: CdcScenarioOptions,
    private readonly getEnv: () => NodeEnv,
  ) {
    this.release = randomName(options.name);
    this.system = `${this.release}-system`;
    this.ns = randomName(options.namespace);
    this.prefix = pgName(options.name);
    this.slot = pgName(`${options.name}_slot`);
    this.topic = `${this.prefix}.public.items`;
    this.writer = new ItemsWriter(options.initialRows);
    this.seen = new ConnectorStatusWatch(options.connector);
  }

  readonly log = (line: string): void => console.log(`      ${new Date().toISOString().slice(11, 19)} ${line}`);

  readonly res = (): SluiceResources => new SluiceResources(rest(this.env), this.ns);

  /** waitFlowing for the scenario's Connector: running on the new workers, new rows reaching its topic. */
  readonly flowing = (phase: string): Promise<void> =>
    waitFlowing(
      {
        res: this.res(),
        kafka: this.kafka,
        topic: this.topic,
        connector: this.options.connector,
        writer: this.writer,
        log: this.log,
      },
      phase,
    );

  /**
   * Debezium's PostgresConnector config for the items table, split as a Connector takes it: the class,
   * and the config without name and tasks.max (the Connector's own fields); PostgreSQL at the address
   * pods reach it on (podHost), where there is one.
   */
  readonly debeziumConnector = () => {
    const {
      name: _n,
      'connector.class': cls,
      'tasks.max': _t,
      ...config
    } = debeziumConfig(this.env.postgres, {
      name: this.options.connector,
      database: this.database,
      prefix: this.prefix,
      slot: this.slot,
      tables: 'public.items',
      host: this.env.postgres.podHost ?? undefined,
    });
    return { cls, config };
  };

  /** The clients, the database with its table of initialRows rows, the namespace and the operator watching it. */
  async setUp(): Promise<void> {
    this.env = this.getEnv();
    if (!this.env.postgres) throw new Error('the test environment has no postgres');
    await this.options.prepare?.(this.env, this.log);
    this.core = kubeConfig(this.env).makeApiClient(k8s.CoreV1Api);
    this.kafka = testKafka(this.env.kafka.bootstrapServers);
    this.database = await createTestDatabase(this.env.postgres, this.options.name);
    this.writer.client = await pgClient(this.env.postgres, this.database);
    await createItemsTable(this.writer.client, this.options.initialRows);
    await installCrds(this.env);
    await createNamespaceReady(this.core, this.ns);
    await installOperator(this.env, {
      release: this.release,
      namespace: this.system,
      watchNamespaces: [this.ns],
      createNamespace: true,
      set: { logLevel: 'debug' },
    });
  }

  /** Best effort, never throws: the watch and the writer stopped, the namespace, the operator, the database. */
  async tearDown(): Promise<void> {
    this.seen.stop();
    await this.writer.stop().catch(() => undefined);
    await this.writer.client?.end().catch(() => undefined);
    if (!this.core) return; // the environment never came up
    await this.core.deleteNamespace({ name: this.ns }).catch(() => undefined);
    if (this.options.workersGone === 'namespace gone') {
      // The operator removes the Connector's finalizer, and the workers hold the slot until they are gone.
      await namespaceGone(this.core, this.ns, {
        timeoutMs: 120_000,
        what: 'the namespace gone (its workers release the slot)',
      }).catch(() => undefined);
    }
    await uninstallOperator(this.env, { release: this.release, namespace: this.system });
    if (!this.database) return;
    if (this.options.workersGone === 'pods gone') {
      // The namespace's workers hold the slot until they are gone.
      await eventually(
        'the workers gone',
        async () =>
          (await this.core.listNamespacedPod({ namespace: this.ns }).catch(() => ({ items: [] }))).items.length === 0,
        { timeoutMs: 120_000 },
      ).catch(() => undefined);
    }
    // The slot and the publication go with the database.
    await dropTestDatabase(this.env.postgres, this.database).catch(() => undefined);
  }
}

/**
 * Registers the mocha hooks of a CDC suite on the node in the enclosing describe: before all, the
 * environment and setUp(); after a failed test, the diagnostics of the namespace and the operator;
 * after all, tearDown(). It exists so that the suites through the operator on the node set up and
 * tear down one way, written once, and differ only in their options.
 */
export function cdcScenario(options: CdcScenarioOptions): CdcScenario {
  const getEnv = withEnv();
  const scenario = new CdcScenario(options, () => nodeEnv(getEnv()));
  before(async () => {
    await scenario.setUp();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      console.error(await diagnostics(scenario.env, [scenario.ns], scenario.system));
  });
  after(async () => {
    await scenario.tearDown();
  });
  return scenario;
}

// The issue-14 pipeline through the operator on the node, shared by its short
// form in the test suite (e2e/tests/pipeline.test.ts) and the long run
// (`npm run pipeline`, bench/pipeline.ts): a PostgreSQL table -> the CDC
// source (Debezium's PostgresConnector config) -> Kafka -> the PostgreSQL
// sink (Debezium's JdbcSinkConnector config) into a second database, both as
// Connector resources on a distributed KafkaConnect whose workers are pods on
// the node, the operator installed with the Helm chart. A writer makes random
// inserts, updates and deletes in random-sized transactions while faults hit
// the pipeline at evenly spaced points of its progress: worker SIGKILLs (the
// container's processes killed from this machine, or the pod deleted with
// grace 0, alternately; the victim is the worker running the CDC task, then
// the one running the sink's) and PostgreSQL restarts (both databases live on
// the restarted server). At the end the replica must equal the source: row
// count and an md5 over every row.
import * as k8s from '@kubernetes/client-node';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { PostgresEnv } from './env.js';
import { eventually } from './eventually.js';
import { installOperator, uninstallOperator } from './helm.js';
import { createNamespaceReady, installCrds, kubeConfig, namespaceGone, rest } from './kube.js';
import { randomName } from './names.js';
import type { NodeEnv } from './node.js';
import { SluiceResources, diagnostics, workerPods } from './cluster.js';
import { createTestDatabase, dropTestDatabase, pgConfig, pgName } from './pg.js';

/** The PostgreSQL server the pipeline runs on: its connection settings and, for the restart fault, restart(). */
export interface PipelineServer {
  readonly env: PostgresEnv;
  /** A clean restart (pg_ctl stop -m fast, start). */
  restart?(): Promise<void>;
  /** SIGKILL of every server process; start() then runs crash recovery. */
  kill?(): Promise<void>;
  start?(): Promise<void>;
  destroy?(): Promise<void>;
}

export interface PipelineOptions {
  /** Row changes (inserts, updates, deletes) to commit at the source after the snapshot. */
  readonly changes: number;
  /** Worker SIGKILLs spread over the run. */
  readonly kills: number;
  /** PostgreSQL restarts spread over the run (needs server.restart): clean ones, and every second one a crash (SIGKILL, then start) when the server can be killed. */
  readonly restarts: number;
  /** Distributed workers (pods). */
  readonly replicas?: number;
  /** Distinct primary keys the writer picks from (default changes / 10, at least 200). */
  readonly keys?: number;
  /** How long the replica may take to catch up after the last change. */
  readonly convergeTimeoutMs?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface FaultRecord {
  readonly what: string;
  /** Changes committed when it was injected. */
  readonly atChange: number;
  /** Seconds from the injection until the cluster had all pods Ready again (SIGKILL) or the server accepted connections (restart). */
  readonly recoverySeconds: number;
}

export interface PipelineResult {
  readonly changes: number;
  readonly transactions: number;
  /** Transactions that failed (the server restarting) and were given up. */
  readonly writerErrors: number;
  readonly rows: number;
  readonly checksum: string;
  readonly faults: FaultRecord[];
  readonly writeSeconds: number;
  /** From the last committed change until the replica equalled the source. */
  readonly catchUpSeconds: number;
  readonly totalSeconds: number;
  readonly connectorRestarts: number;
}

/** Row count and md5 of every row in id order, in a form that reads the same in both databases. */
export const CHECKSUM_SQL = `SELECT count(*)::int AS n, md5(coalesce(string_agg(
    id || ':' || coalesce(note, '~') || ':' || coalesce(amount::text, '~') || ':' || coalesce(qty::text, '~') || ':' ||
    paid || ':' || coalesce(day::text, '~') || ':' ||
    coalesce(to_char(updated AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), '~'), ',' ORDER BY id), '')) AS sum
  FROM orders`;

const SOURCE_DDL = `CREATE TABLE orders (id int PRIMARY KEY, note text, amount numeric(12,2), qty bigint,
  paid boolean NOT NULL, day date, updated timestamptz)`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded PRNG (LCG): the same seed gives the same sequence of changes. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

/** Runs the pipeline in a namespace of its own and removes everything afterwards. */
export async function runPipeline(
  env: NodeEnv,
  server: PipelineServer,
  opts: PipelineOptions,
): Promise<PipelineResult> {
  const log = opts.log ?? (() => undefined);
  if (opts.restarts > 0 && !server.restart) throw new Error('PostgreSQL restarts need a server of the test’s own');
  const pgEnv = server.env;
  if (!pgEnv.podHost) throw new Error('this PostgreSQL does not listen on the node’s address (no podHost)');
  const kc = kubeConfig(env);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = randomName('pipeline');
  const release = randomName('pipe');
  const system = `${release}-system`;
  const res = new SluiceResources(rest(env), ns);
  const rand = prng(opts.seed ?? 14);
  const keys = opts.keys ?? Math.max(200, Math.floor(opts.changes / 10));
  const started = Date.now();
  let sourceDb = '';
  let targetDb = '';
  let ok = false;
  try {
    sourceDb = await createTestDatabase(pgEnv, 'pipesrc');
    targetDb = await createTestDatabase(pgEnv, 'pipetgt');
    const writer = new Writer(pgEnv, sourceDb, rand, keys, log);
    await writer.connect();
    await writer.client!.query(SOURCE_DDL);
    await writer.write(Math.min(2_000, Math.floor(opts.changes / 10))); // rows for the snapshot

    await installCrds(env);
    await createNamespaceReady(core, ns);
    await core.createNamespace({ body: { metadata: { name: system } } });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'pg' }, stringData: { password: pgEnv.password } },
    });
    log(`installing the operator (helm release ${release}, watching ${ns})`);
    await installOperator(env, { release, namespace: system, watchNamespaces: [ns], createNamespace: false });
    const replicas = opts.replicas ?? 2;
    await res.create('kafkaconnects', 'pipe', {
      mode: 'distributed',
      replicas,
      bootstrapServers: env.kafka.podBootstrapServers,
      connectorSecrets: ['pg'],
      config: {
        'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'offset.flush.interval.ms': '1000',
      },
    });
    await res.waitReady('kafkaconnects', 'pipe', 300_000);
    const prefix = pgName('pipe');
    const slot = pgName('slot');
    await res.create('connectors', 'cdc', {
      clusterRef: { name: 'pipe' },
      class: 'io.debezium.connector.postgresql.PostgresConnector',
      config: {
        'database.hostname': pgEnv.podHost,
        'database.port': String(pgEnv.port),
        'database.user': pgEnv.user,
        'database.password': '${secret:pg:password}',
        'database.dbname': sourceDb,
        'topic.prefix': prefix,
        'plugin.name': 'pgoutput',
        'slot.name': slot,
        'publication.name': `${slot}_pub`,
        'publication.autocreate.mode': 'filtered',
        'table.include.list': 'public.orders',
      },
    });
    await res.create('connectors', 'sink', {
      clusterRef: { name: 'pipe' },
      class: 'io.debezium.connector.jdbc.JdbcSinkConnector',
      config: {
        topics: `${prefix}.public.orders`,
        'connection.url': `jdbc:postgresql://${pgEnv.podHost}:${pgEnv.port}/${targetDb}`,
        'connection.username': pgEnv.user,
        'connection.password': '${secret:pg:password}',
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        'schema.evolution': 'basic',
        'collection.name.format': '${source.table}',
      },
    });
    await res.waitReady('connectors', 'cdc');
    await res.waitReady('connectors', 'sink');
    log(
      `connectors Ready after ${((Date.now() - started) / 1000).toFixed(0)} s; writing ${opts.changes} changes over ${keys} keys`,
    );

    // Faults at evenly spaced points of the writer's progress: kills and restarts interleaved.
    const plan: Array<'kill' | 'restart'> = [];
    for (let i = 0; i < Math.max(opts.kills, opts.restarts); i++) {
      if (i < opts.kills) plan.push('kill');
      if (i < opts.restarts) plan.push('restart');
    }
    const faults: FaultRecord[] = [];
    let kills = 0;
    let restarts = 0;
    const inject = async (fault: 'kill' | 'restart') => {
      const t0 = Date.now();
      const atChange = writer.changes;
      let what: string;
      if (fault === 'restart') {
        const crash = restarts++ % 2 === 1 && server.kill && server.start;
        what = crash ? 'PostgreSQL crash (SIGKILL) and start' : 'PostgreSQL restart (fast shutdown)';
        log(`fault at change ${atChange}: ${what}`);
        if (crash) {
          await server.kill!();
          await sleep(1_000);
          await server.start!();
        } else await server.restart!();
      } else {
        const connector = kills % 2 === 0 ? 'cdc' : 'sink';
        const how = kills % 2 === 0 ? 'process' : 'pod';
        kills++;
        const victim = await taskPod(core, res, ns, connector);
        what = `SIGKILL ${how === 'process' ? 'the worker process of' : 'pod (grace 0) of'} ${victim} (${connector} task)`;
        log(`fault at change ${atChange}: ${what}`);
        if (how === 'process') await killContainerProcesses(core, ns, victim);
        else await core.deleteNamespacedPod({ namespace: ns, name: victim, gracePeriodSeconds: 0 });
        await sleep(2_000);
        await eventually(
          'all worker pods Ready again',
          async () => (await workerPods(core, ns, 'pipe')).length === replicas,
          { timeoutMs: 300_000, intervalMs: 500 },
        );
      }
      faults.push({ what, atChange, recoverySeconds: (Date.now() - t0) / 1000 });
    };

    const writeStart = Date.now();
    let next = 0;
    let pending: Promise<void> = Promise.resolve();
    while (writer.changes < opts.changes) {
      await writer.write(Math.min(500, opts.changes - writer.changes));
      const due = ((next + 1) * opts.changes) / (plan.length + 1);
      if (next < plan.length && writer.changes >= due) {
        await pending; // one fault at a time; the writer goes on meanwhile
        pending = inject(plan[next++]!);
        pending.catch(() => undefined);
      }
    }
    const writeSeconds = (Date.now() - writeStart) / 1000;
    const lastChange = Date.now();
    await pending;
    log(
      `${writer.changes} changes in ${writer.transactions} transactions written in ${writeSeconds.toFixed(0)} s; waiting for the replica`,
    );

    const source = new pg.Client(pgConfig(pgEnv, sourceDb));
    const target = new pg.Client(pgConfig(pgEnv, targetDb));
    await source.connect();
    await target.connect();
    try {
      const final = await eventually(
        'the replica to equal the source',
        async () => {
          const [a] = (await source.query(CHECKSUM_SQL)).rows;
          const b = await target.query(CHECKSUM_SQL).then(
            (r) => r.rows[0],
            () => undefined,
          );
          return b !== undefined && a.n === b.n && a.sum === b.sum ? (a as { n: number; sum: string }) : undefined;
        },
        { timeoutMs: opts.convergeTimeoutMs ?? 600_000, intervalMs: 2_000 },
      );
      const cdc = await res.get('connectors', 'cdc');
      const sink = await res.get('connectors', 'sink');
      ok = true;
      await writer.end();
      return {
        changes: writer.changes,
        transactions: writer.transactions,
        writerErrors: writer.errors,
        rows: final.n,
        checksum: final.sum,
        faults,
        writeSeconds,
        catchUpSeconds: (Date.now() - lastChange) / 1000,
        totalSeconds: (Date.now() - started) / 1000,
        connectorRestarts: (cdc.status?.autoRestart?.count ?? 0) + (sink.status?.autoRestart?.count ?? 0),
      };
    } finally {
      await source.end().catch(() => undefined);
      await target.end().catch(() => undefined);
    }
  } finally {
    if (!ok) log(await diagnostics(env, [ns], system).catch((e) => `no diagnostics: ${(e as Error).message}`));
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    await namespaceGone(core, ns, {
      timeoutMs: 120_000,
      what: 'the pipeline namespace gone (its workers release the slot)',
    }).catch(() => undefined);
    log(`cleaned up (${((Date.now() - started) / 1000).toFixed(0)} s since the start)`);
    await uninstallOperator(env, { release, namespace: system });
    for (const db of [sourceDb, targetDb]) if (db) await dropTestDatabase(pgEnv, db).catch(() => undefined);
  }
}

/** The worker pod running the first task of a connector (its workerId is the pod's advertised host:port). */
async function taskPod(core: k8s.CoreV1Api, res: SluiceResources, ns: string, connector: string): Promise<string> {
  return eventually(`the pod running ${connector}'s task`, async () => {
    const c = await res.get('connectors', connector);
    const workerId: string | undefined = c.status?.tasks?.[0]?.workerId;
    if (!workerId) return undefined;
    const pods = await workerPods(core, ns, 'pipe');
    const pod = pods.find(
      (p) =>
        workerId.startsWith(`${p.metadata!.name!}.`) ||
        workerId.startsWith(`${p.metadata!.name!}:`) ||
        (p.status?.podIP && workerId.startsWith(`${p.status.podIP}:`)),
    );
    return pod?.metadata?.name;
  });
}

/**
 * SIGKILL to every process of the pod's worker container, from this machine
 * (the node runs here): the kubelet restarts the container in the same pod.
 * Inside the container the worker is PID 1, which ignores a SIGKILL sent from
 * its own PID namespace, so `kubectl exec kill -9 1` would do nothing.
 */
async function killContainerProcesses(core: k8s.CoreV1Api, ns: string, podName: string): Promise<void> {
  const pod = await core.readNamespacedPod({ namespace: ns, name: podName });
  const id = pod.status?.containerStatuses?.[0]?.containerID?.replace(/^[a-z]+:\/\//, '');
  const uid = pod.metadata?.uid;
  if (!id || !uid) throw new Error(`pod ${podName} has no running container`);
  let dir: string | undefined;
  // cgroup v1 (this environment's node) or v2, kubelet's cgroupfs driver.
  for (const root of ['/sys/fs/cgroup/pids/kubepods', '/sys/fs/cgroup/kubepods']) {
    dir ??= await findDir(root, `pod${uid}`, 2);
  }
  if (!dir) throw new Error(`no cgroup for pod ${podName} (${uid})`);
  const procs = await readFile(path.join(dir, id, 'cgroup.procs'), 'utf8');
  const pids = procs.split('\n').filter(Boolean).map(Number);
  if (pids.length === 0) throw new Error(`no processes in the container of ${podName}`);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
}

async function findDir(root: string, name: string, depth: number): Promise<string | undefined> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory() && e.name === name) return path.join(root, e.name);
  if (depth === 0) return undefined;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const found = await findDir(path.join(root, e.name), name, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Random transactions of 1 to 10 row changes at the source. A transaction
 * that fails (the server restarting) is given up and the connection made
 * again; the writer then reads the live keys back, since a COMMIT whose answer
 * was lost may or may not have happened.
 */
class Writer {
  client: pg.Client | undefined;
  changes = 0;
  transactions = 0;
  errors = 0;
  private live = new Set<number>();

  constructor(
    private readonly pgEnv: PostgresEnv,
    private readonly db: string,
    private readonly rand: (n: number) => number,
    private readonly keys: number,
    private readonly log: (line: string) => void,
  ) {}

  async connect(): Promise<void> {
    await eventually(
      'the source database to accept connections',
      async () => {
        const c = new pg.Client(pgConfig(this.pgEnv, this.db));
        c.on('error', () => undefined); // a dropped connection fails the next query instead
        try {
          await c.connect();
        } catch (err) {
          await c.end().catch(() => undefined);
          throw err;
        }
        this.client = c;
        return true;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    const r = await this.client!.query('SELECT id FROM orders').catch(() => ({ rows: [] as Array<{ id: number }> }));
    this.live = new Set(r.rows.map((row) => row.id));
  }

  /** Commits at least `n` row changes. */
  async write(n: number): Promise<void> {
    const goal = this.changes + n;
    while (this.changes < goal) {
      const stmts = this.transaction(1 + this.rand(10));
      try {
        await this.client!.query(`BEGIN; ${stmts.sql.join('; ')}; COMMIT`);
        this.live = stmts.live;
        this.changes += stmts.sql.length;
        this.transactions++;
      } catch (err) {
        this.errors++;
        this.log(`writer: ${(err as Error).message}; reconnecting`);
        await this.client!.end().catch(() => undefined);
        await sleep(200);
        await this.connect();
      }
    }
  }

  end(): Promise<void> {
    return this.client?.end() ?? Promise.resolve();
  }

  private transaction(size: number): { sql: string[]; live: Set<number> } {
    const live = new Set(this.live);
    const sql: string[] = [];
    const r = this.rand;
    for (let i = 0; i < size; i++) {
      const id = r(this.keys);
      const note = r(6) === 0 ? 'NULL' : `'note ${id}/${r(100_000)}${r(5) === 0 ? " it''s ünïcødé ✓" : ''}'`;
      const amount = r(8) === 0 ? 'NULL' : (r(1_000_000_000) / 100 - 1_000_000).toFixed(2);
      const qty = r(8) === 0 ? 'NULL' : String(r(2 ** 30) * 4096 - 2 ** 40);
      const day = r(5) === 0 ? 'NULL' : `DATE '2020-01-01' + ${r(3000)}`;
      if (live.has(id) && r(4) === 0) {
        sql.push(`DELETE FROM orders WHERE id = ${id}`);
        live.delete(id);
      } else if (live.has(id)) {
        sql.push(
          `UPDATE orders SET note = ${note}, amount = ${amount}, qty = ${qty}, paid = NOT paid, day = ${day}, updated = clock_timestamp() WHERE id = ${id}`,
        );
      } else {
        sql.push(
          `INSERT INTO orders VALUES (${id}, ${note}, ${amount}, ${qty}, ${r(2) === 0}, ${day}, clock_timestamp())`,
        );
        live.add(id);
      }
    }
    return { sql, live };
  }
}

// Sink benchmark: our PostgreSQL sink vs the Debezium JDBC sink on Apache
// Kafka Connect 4.3.1, the same topic of Debezium change events (create
// events of one table, JsonConverter with schemas) into a fresh database
// each, one run; then the HTTP sink's records/s against a local server.
//   npm run bench:sink     (env: BENCH_EVENTS=1000000, BENCH_IMPLS=sluice,apache, BENCH_HTTP=1)
// Prints a side-by-side table and one final JSON line.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { repoRoot, type PostgresEnv } from '../e2e/src/env.js';
import { HttpTarget } from '../e2e/src/http-target.js';
import { testKafka } from '../e2e/src/kafka.js';
import { randomName } from '../e2e/src/names.js';
import { createTestDatabase, dropTestDatabase, pgConfig } from '../e2e/src/pg.js';
import { freePort, tempDir, toProperties } from '../e2e/src/runtime-process.js';
import { envUp, machineFacts } from './lib/env.js';
import { MeasuredProcess } from './lib/process.js';
import { trackProgress } from './lib/progress.js';
import { aligned } from './lib/report.js';
import { createTopicsAndWait } from '../runtime/src/kafka/topics.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const IMPLS = (process.env.BENCH_IMPLS ?? 'sluice,apache').split(',');
const HTTP = process.env.BENCH_HTTP !== '0';
const run = promisify(execFile);

interface Env {
  readonly kafka: { readonly bootstrapServers: string; readonly version: string };
  readonly postgres: PostgresEnv;
}

/** The running environment's JSON, or up.sh when it is not up. */
async function environment(): Promise<Env> {
  try {
    const { stdout } = await run('bash', [path.join(repoRoot, 'e2e/env/info.sh')]);
    const env = JSON.parse(stdout) as Env;
    if (env.postgres) return env;
  } catch {
    // not up
  }
  return (await envUp()) as unknown as Env;
}

/** A Debezium PostgreSQL create event of public.bench(id int PK, name text, qty int, price numeric(10,2), at timestamptz). */
function event(id: number): { key: string; value: string } {
  const f = (type: string, field: string, optional: boolean, extra: object = {}) => ({
    type,
    optional,
    field,
    ...extra,
  });
  const row = [
    f('int32', 'id', false),
    f('string', 'name', true),
    f('int32', 'qty', true),
    f('bytes', 'price', true, {
      name: 'org.apache.kafka.connect.data.Decimal',
      version: 1,
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    }),
    f('string', 'at', true, { name: 'io.debezium.time.ZonedTimestamp', version: 1 }),
  ];
  const rowSchema = (field: string) => ({
    type: 'struct',
    fields: row,
    optional: true,
    name: 'bench.public.bench.Value',
    field,
  });
  const cents = id % 100_000;
  const value = {
    schema: {
      type: 'struct',
      fields: [
        rowSchema('before'),
        rowSchema('after'),
        {
          type: 'struct',
          fields: [f('string', 'connector', false), f('string', 'schema', false), f('string', 'table', false)],
          optional: false,
          name: 'io.debezium.connector.postgresql.Source',
          field: 'source',
        },
        f('string', 'op', false),
        f('int64', 'ts_ms', true),
      ],
      optional: false,
      name: 'bench.public.bench.Envelope',
      version: 2,
    },
    payload: {
      before: null,
      after: {
        id,
        name: `item-${id}`,
        qty: id % 97,
        price: Buffer.from(cents.toString(16).padStart(8, '0'), 'hex').toString('base64'),
        at: '2025-01-15T10:30:00.123456Z',
      },
      source: { connector: 'postgresql', schema: 'public', table: 'bench' },
      op: 'c',
      ts_ms: 1736937000250,
    },
  };
  const key = {
    schema: { type: 'struct', fields: [f('int32', 'id', false)], optional: false, name: 'bench.public.bench.Key' },
    payload: { id },
  };
  return { key: JSON.stringify(key), value: JSON.stringify(value) };
}

async function fillTopic(env: Env, topic: string): Promise<void> {
  const kafka = testKafka(env.kafka.bootstrapServers);
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let start = 0; start < EVENTS; start += 500) {
    const messages = [];
    for (let id = start; id < Math.min(EVENTS, start + 500); id++) messages.push(event(id));
    await producer.send({ topic, acks: 1, messages });
  }
  await producer.disconnect();
}

interface Result {
  readonly what: string;
  readonly perSec?: number;
  readonly peakRssMb?: number;
  readonly error?: string;
}

async function startWorker(impl: string, dir: string, env: Env, connector: Record<string, string | number>) {
  const port = await freePort();
  const workerFile = path.join(dir, 'worker.properties');
  const pluginPath =
    impl === 'apache' ? (await run('bash', [path.join(repoRoot, 'bench/debezium-jdbc/fetch.sh')])).stdout.trim() : '';
  await writeFile(
    workerFile,
    toProperties({
      'bootstrap.servers': env.kafka.bootstrapServers,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'offset.storage.file.filename': path.join(dir, 'offsets'),
      'offset.flush.interval.ms': 10_000,
      listeners: `http://127.0.0.1:${port}`,
      ...(pluginPath ? { 'plugin.path': pluginPath } : {}),
    }),
  );
  const connectorFile = path.join(dir, 'connector.properties');
  await writeFile(connectorFile, toProperties({ name: randomName('bench-sink'), 'tasks.max': 1, ...connector }));
  const log = path.join(dir, 'stdout.log');
  if (impl === 'sluice')
    return new MeasuredProcess(
      process.execPath,
      [path.join(repoRoot, 'dist/runtime/src/cli.js'), 'standalone', workerFile, connectorFile],
      'node',
      log,
    );
  return new MeasuredProcess(
    'bash',
    [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'standalone', workerFile, connectorFile],
    'java',
    log,
    {
      ...process.env,
      SLUICE_CONNECT_LOG: path.join(dir, 'connect.log'),
    },
  );
}

async function postgresRun(impl: string, env: Env, topic: string, root: string): Promise<Result> {
  const what = `postgres ${impl === 'apache' ? 'Debezium JDBC sink 3.6.0 on Apache Connect' : 'sluice JdbcSinkConnector'}`;
  const database = await createTestDatabase(env.postgres, 'bench');
  const dir = path.join(root, `${impl}-pg`);
  await mkdir(dir);
  const client = new pg.Client(pgConfig(env.postgres, database));
  await client.connect();
  const proc = await startWorker(impl, dir, env, {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    topics: topic,
    'connection.url': `jdbc:postgresql://${env.postgres.host}:${env.postgres.port}/${database}`,
    'connection.username': env.postgres.user,
    'connection.password': env.postgres.password,
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_key',
    'delete.enabled': 'true',
    'schema.evolution': 'basic',
    'collection.name.format': 'bench_${source.table}',
  });
  try {
    const progress = await trackProgress({
      sample: async () =>
        Number(
          (await client.query('SELECT count(*) AS n FROM bench_bench').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n,
        ),
      target: EVENTS,
      intervalMs: 500,
      assertAlive: () => proc.assertRunning(),
      firstTimeoutMs: 300_000,
    });
    return { what, perSec: EVENTS / ((progress.doneAt - progress.firstAt) / 1000), peakRssMb: proc.peakRssKb() / 1024 };
  } catch (err) {
    return { what, error: `${(err as Error).message} (logs in ${dir})` };
  } finally {
    await proc.stop();
    await client.end();
    await dropTestDatabase(env.postgres, database).catch(() => undefined);
  }
}

async function httpRun(env: Env, topic: string, root: string): Promise<Result> {
  const what = 'http sluice HttpSinkConnector (local server)';
  const target = new HttpTarget();
  const url = await target.start();
  const dir = path.join(root, 'sluice-http');
  await mkdir(dir);
  const proc = await startWorker('sluice', dir, env, {
    'connector.class': 'HttpSink',
    topics: topic,
    'http.api.url': `${url}/events`,
  });
  try {
    const progress = await trackProgress({
      sample: async () => target.accepted.reduce((n, a) => n + (Array.isArray(a.body) ? a.body.length : 1), 0),
      target: EVENTS,
      assertAlive: () => proc.assertRunning(),
    });
    return { what, perSec: EVENTS / ((progress.doneAt - progress.firstAt) / 1000), peakRssMb: proc.peakRssKb() / 1024 };
  } catch (err) {
    return { what, error: `${(err as Error).message} (logs in ${dir})` };
  } finally {
    await proc.stop();
    await target.stop();
  }
}

async function main(): Promise<number> {
  const env = await environment();
  const machine = { ...(await machineFacts()), kafka: env.kafka.version, postgres: env.postgres.version };
  console.log(`machine: ${JSON.stringify(machine)}`);
  const topic = randomName('bench.public.bench');
  const started = performance.now();
  await fillTopic(env, topic);
  console.log(
    `topic ${topic}: ${EVENTS} Debezium create events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const root = await tempDir('sluice-bench-sink');
  const results: Result[] = [];
  for (const impl of IMPLS) {
    results.push(await postgresRun(impl, env, topic, root));
    console.error(JSON.stringify(results.at(-1)));
  }
  if (HTTP) results.push(await httpRun(env, topic, root));
  const admin = testKafka(env.kafka.bootstrapServers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  const load = (await run('cat', ['/proc/loadavg'])).stdout.trim();
  console.log(`\n== ${EVENTS} change events, one run each (load average ${load})`);
  console.log(
    aligned([
      ['sink', 'records/s', 'peak RSS MB'],
      ...results.map((r) => [
        r.what,
        r.error ? `error: ${r.error}` : r.perSec!.toFixed(0),
        r.peakRssMb?.toFixed(0) ?? '',
      ]),
    ]),
  );
  const ours = results.find((r) => r.what.includes('sluice Jdbc'));
  const theirs = results.find((r) => r.what.includes('Debezium'));
  const ratios =
    ours?.perSec && theirs?.perSec
      ? { rowsPerSec: ours.perSec / theirs.perSec, peakRss: ours.peakRssMb! / theirs.peakRssMb! }
      : undefined;
  if (ratios)
    console.log(`sluice / Debezium: rows/s ${ratios.rowsPerSec.toFixed(2)}x, peak RSS ${ratios.peakRss.toFixed(2)}x`);
  console.log(JSON.stringify({ bench: 'sink', machine, events: EVENTS, load, results, ratios }));
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

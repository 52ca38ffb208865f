// npm run bench:cdc: Sluice's PostgreSQL CDC connector against Debezium
// 3.6.1.Final on Apache Kafka Connect 4.3.1, one after the other on the same
// database and table (standalone workers, JsonConverter without schemas):
// - snapshot of CDC_ROWS rows (default 200,000): rows/s from the slot's
//   creation to the last record in Kafka;
// - streaming CDC_ROWS updates in transactions of 1,000 rows: events/s from
//   the first commit to the last record in Kafka;
// - streaming CDC_TX1_ROWS (default CDC_ROWS) updates in transactions of 1
//   row: events/s from the first commit to the last record in Kafka;
// - commit-to-Kafka latency: CDC_LATENCY_SECONDS (default 30) of single-row
//   updates at CDC_LATENCY_RATE rows/s (default 200); p50 and p99 in ms of the
//   time between COMMIT returning to this process and a kafkajs consumer in
//   this process receiving the record (one clock, no producer timestamps);
// - peak RSS of the worker process (VmHWM) over all of the above;
// - the worker's CPU time (user + system, all threads) per record in the
//   snapshot and each streaming phase: steadier than rates on shared cores.
// The size is CDC_ROWS=1000000 (tens of minutes per side on 2 shared
// cores).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import { repoRoot, useEnv } from '../e2e/src/env.js';
import { testKafka } from '../e2e/src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgName, withPg } from '../e2e/src/pg.js';
import { freePort, toProperties } from '../e2e/src/runtime-process.js';
import { debeziumConfig } from '../e2e/src/cdc.js';
import { MeasuredProcess } from './lib/process.js';
import { machineFacts } from './lib/env.js';

const ROWS = Number(process.env.CDC_ROWS ?? 200_000);
const TX = 1000;
const TX1_ROWS = Number(process.env.CDC_TX1_ROWS ?? ROWS);
const LATENCY_SECONDS = Number(process.env.CDC_LATENCY_SECONDS ?? 30);
const LATENCY_RATE = Number(process.env.CDC_LATENCY_RATE ?? 200);
const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

async function main(): Promise<void> {
  const env = await useEnv();
  const pgEnv = env.postgres;
  const { stdout } = await promisify(execFile)('bash', [path.join(repoRoot, 'e2e/env/debezium.sh'), 'jars']);
  const pluginPath = stdout.trim().split('\n').at(-1)!;
  const db = await createTestDatabase(pgEnv, 'bench');
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-cdc-'));
  const kafka = testKafka(env.kafka.bootstrapServers);
  const admin = kafka.admin();
  await admin.connect();
  const results: Record<string, Record<string, number>> = {};
  try {
    await withPg(
      pgEnv,
      async (c) => {
        await c.query(
          'CREATE TABLE bench (id int PRIMARY KEY, a int NOT NULL, b text, c numeric(12,2), d timestamptz)',
        );
        await c.query(
          `INSERT INTO bench SELECT g, g, 'row ' || g || ' ' || repeat('x', 40), g / 100.0, now() FROM generate_series(1, ${ROWS}) g`,
        );
        // Single-row transactions come from a server-side loop rather than from
        // several client connections: no round trip per commit, and with
        // synchronous_commit off (set by the caller; a procedure with a SET
        // clause may not COMMIT) no fsync wait either, so the commit rate is
        // bounded only by the server's CPU, which on 2 shared cores is more
        // than 8 node connections sharing those cores could reach. Each row is
        // still its own transaction in the WAL, which is what the phase tests.
        await c.query(`CREATE PROCEDURE bench_tx1(n int, total int) LANGUAGE plpgsql AS $$
          BEGIN
            FOR i IN 1..n LOOP
              UPDATE bench SET a = a + 1 WHERE id = (i - 1) % total + 1;
              COMMIT;
            END LOOP;
          END $$`);
      },
      db,
    );
    // CDC_IMPLS=sluice measures one side only (e.g. while tuning).
    const impls = (process.env.CDC_IMPLS ?? 'sluice,debezium').split(',') as Array<'sluice' | 'debezium'>;
    for (const impl of impls) {
      const prefix = pgName(impl === 'sluice' ? 'bs' : 'bd');
      const slot = `${prefix}_slot`;
      const topic = `${prefix}.public.bench`;
      const port = await freePort();
      const workerFile = path.join(dir, `${impl}-worker.properties`);
      const connectorFile = path.join(dir, `${impl}-connector.properties`);
      await writeFile(
        workerFile,
        toProperties({
          'bootstrap.servers': env.kafka.bootstrapServers,
          'key.converter': JSON_CONVERTER,
          'value.converter': JSON_CONVERTER,
          'key.converter.schemas.enable': false,
          'value.converter.schemas.enable': false,
          'offset.storage.file.filename': path.join(dir, `${impl}-offsets`),
          listeners: `http://127.0.0.1:${port}`,
          ...(impl === 'debezium' ? { 'plugin.path': pluginPath } : {}),
        }),
      );
      await writeFile(
        connectorFile,
        toProperties({
          ...debeziumConfig(pgEnv, { name: impl, database: db, prefix, slot, tables: 'public.bench' }),
          'slot.drop.on.stop': 'true',
        }),
      );
      const log = path.join(dir, `${impl}.log`);
      const proc =
        impl === 'sluice'
          ? new MeasuredProcess(
              process.execPath,
              [
                // CDC_NODE_ARGS: extra node flags for Sluice's worker (e.g. --cpu-prof while tuning).
                ...(process.env.CDC_NODE_ARGS ?? '').split(' ').filter(Boolean),
                path.join(repoRoot, 'dist/runtime/src/cli.js'),
                'standalone',
                workerFile,
                connectorFile,
              ],
              'node',
              log,
            )
          : new MeasuredProcess(
              'bash',
              [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'standalone', workerFile, connectorFile],
              'java',
              log,
              { ...process.env, SLUICE_CONNECT_LOG: path.join(dir, 'apache-connect.log') },
            );
      const count = async () => {
        try {
          const offsets = await admin.fetchTopicOffsets(topic);
          return offsets.reduce((n, p) => n + Number(p.high), 0);
        } catch {
          return 0;
        }
      };
      const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 1_800_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await check())) {
          proc.assertRunning();
          if (Date.now() > deadline) throw new Error(`${impl}: timed out waiting for ${what} (log ${log})`);
          await new Promise((r) => setTimeout(r, 100));
        }
        return performance.now();
      };
      const slotExists = () =>
        withPg(
          pgEnv,
          async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount! > 0,
        );
      const slotAt = await until('the slot', slotExists);
      const cpuAtSlot = proc.cpuSeconds();
      const snapDone = await until(`${ROWS} snapshot records`, async () => (await count()) >= ROWS);
      const cpuAtSnapDone = proc.cpuSeconds();
      const snapshotRowsPerSec = ROWS / ((snapDone - slotAt) / 1000);
      await until('streaming', () =>
        withPg(
          pgEnv,
          async (c) =>
            (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount! > 0,
        ),
      );
      const streamStart = performance.now();
      const cpuAtStreamStart = proc.cpuSeconds();
      await withPg(
        pgEnv,
        async (c) => {
          for (let i = 0; i < ROWS; i += TX)
            await c.query(`UPDATE bench SET a = a + 1 WHERE id > ${i} AND id <= ${i + TX}`);
        },
        db,
      );
      const streamDone = await until(`${ROWS} streamed records`, async () => (await count()) >= 2 * ROWS);
      const streamEventsPerSec = ROWS / ((streamDone - streamStart) / 1000);
      const cpuAtStreamDone = proc.cpuSeconds();
      const tx1Start = performance.now();
      const tx1Call = withPg(
        pgEnv,
        async (c) => {
          await c.query('SET synchronous_commit = off');
          // Simple protocol (no parameters): COMMIT inside a procedure needs a
          // top-level CALL, not one inside the extended protocol's implicit transaction.
          await c.query(`CALL bench_tx1(${TX1_ROWS}, ${ROWS})`);
        },
        db,
      );
      tx1Call.catch(() => undefined); // awaited below; until() may throw first
      const tx1Done = await until(
        `${TX1_ROWS} single-row transactions`,
        async () => (await count()) >= 2 * ROWS + TX1_ROWS,
        3_600_000, // 1M single-row transactions at under 1,000 events/s would pass the default 30 min
      );
      const cpuAtTx1Done = proc.cpuSeconds();
      await tx1Call;
      const tx1EventsPerSec = TX1_ROWS / ((tx1Done - tx1Start) / 1000);
      const latency = await withPg(
        pgEnv,
        (c) =>
          measureLatency(kafka, admin, topic, `${prefix}_lat`, (k) =>
            c.query('UPDATE bench SET b = $2 WHERE id = $1', [(k % ROWS) + 1, `${LATENCY_MARK}${k}`]),
          ),
        db,
      );
      proc.assertRunning();
      const peakRssMb = proc.peakRssKb() / 1024;
      await proc.stop(30_000);
      results[impl] = {
        snapshotRowsPerSec: Math.round(snapshotRowsPerSec),
        streamEventsPerSec: Math.round(streamEventsPerSec),
        tx1EventsPerSec: Math.round(tx1EventsPerSec),
        latencyP50Ms: latency.p50,
        latencyP99Ms: latency.p99,
        peakRssMb: Math.round(peakRssMb),
        // The worker's CPU (all threads) per record in each phase, in µs.
        snapshotCpuUs: Math.round(((cpuAtSnapDone - cpuAtSlot) * 1e6) / ROWS),
        streamCpuUs: Math.round(((cpuAtStreamDone - cpuAtStreamStart) * 1e6) / ROWS),
        tx1CpuUs: Math.round(((cpuAtTx1Done - cpuAtStreamDone) * 1e6) / TX1_ROWS),
      };
      console.error(`[bench:cdc] ${impl}: ${JSON.stringify(results[impl])}`);
    }
    const s = results.sluice ?? {};
    const d = results.debezium ?? {};
    const facts = await machineFacts();
    console.log(
      `bench:cdc  rows=${ROWS}  tx=${TX}  tx1Rows=${TX1_ROWS}  latency=${LATENCY_RATE}/s x ${LATENCY_SECONDS}s  ${JSON.stringify(facts)}  load=${(
        await import('node:os')
      )
        .loadavg()
        .map((x) => x.toFixed(1))
        .join('/')}`,
    );
    console.log(`${'metric'.padEnd(48)}  sluice   debezium   ratio sluice/debezium`);
    const ratio: Record<string, number> = {};
    for (const [k, label] of Object.entries(METRICS)) {
      if (s[k] && d[k]) ratio[k] = Number((s[k] / d[k]).toFixed(2));
      console.log(
        `${label.padEnd(48)} ${String(s[k] ?? '-').padStart(7)} ${String(d[k] ?? '-').padStart(9)}   ${ratio[k]?.toFixed(2) ?? '-'}x`,
      );
    }
    console.log(
      JSON.stringify({
        bench: 'cdc',
        rows: ROWS,
        tx1Rows: TX1_ROWS,
        latencySeconds: LATENCY_SECONDS,
        latencyRate: LATENCY_RATE,
        sluice: results.sluice ?? null,
        debezium: results.debezium ?? null,
        ratio,
      }),
    );
  } finally {
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 2000));
    await dropTestDatabase(pgEnv, db).catch((e) => console.error(`drop ${db}: ${e.message}`));
    console.error(`[bench:cdc] logs in ${dir}`);
  }
}

// Table labels; for the latency rows a lower value (and ratio) is better.
const METRICS: Record<string, string> = {
  snapshotRowsPerSec: 'snapshot rows/s',
  streamEventsPerSec: `stream events/s (tx of ${TX})`,
  tx1EventsPerSec: 'stream events/s (tx of 1)',
  latencyP50Ms: 'commit-to-Kafka p50 ms (lower = better)',
  latencyP99Ms: 'commit-to-Kafka p99 ms (lower = better)',
  peakRssMb: 'peak RSS MB (lower = better)',
  snapshotCpuUs: 'worker CPU µs per snapshot row (lower = better)',
  streamCpuUs: `worker CPU µs per event, tx of ${TX} (lower = better)`,
  tx1CpuUs: 'worker CPU µs per event, tx of 1 (lower = better)',
};

// Marks the latency phase's rows in column b, so that the consumer knows them
// from earlier records and which update each one is.
const LATENCY_MARK = 'lat ';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Commit-to-Kafka latency: LATENCY_SECONDS of single-row updates (autocommit,
 * default synchronous_commit) issued on a fixed schedule of LATENCY_RATE per
 * second; `update(k)` writes the k-th. The consumer joins before the first
 * update and starts at the topic's end as it was then; each record's arrival is
 * this process's clock when its batch was handed over, so both ends of the
 * interval come from one clock.
 */
async function measureLatency(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  groupId: string,
  update: (k: number) => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  const total = Math.round(LATENCY_SECONDS * LATENCY_RATE);
  const committedAt = new Map<number, number>();
  const arrivedAt = new Map<number, number>();
  const end = await admin.fetchTopicOffsets(topic);
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const at = performance.now();
        for (const m of batch.messages) {
          const b = m.value && JSON.parse(m.value.toString())?.after?.b;
          if (typeof b !== 'string' || !b.startsWith(LATENCY_MARK)) continue;
          const k = Number(b.slice(LATENCY_MARK.length));
          if (!arrivedAt.has(k)) arrivedAt.set(k, at); // a redelivery is not a new arrival
        }
      },
    });
    // kafkajs keeps the seek until the partition is fetched, so no record
    // written after `end` is skipped however late the assignment comes.
    for (const p of end) consumer.seek({ topic, partition: p.partition, offset: p.high });
    await joined;
    await sleep(2000); // let the first fetch be under way, so it does not count as latency
    const start = performance.now();
    for (let k = 0; k < total; k++) {
      const wait = start + (k * 1000) / LATENCY_RATE - performance.now();
      if (wait > 0) await sleep(wait);
      await update(k);
      committedAt.set(k, performance.now());
    }
    const behind = performance.now() - (start + (total * 1000) / LATENCY_RATE);
    if (behind > 1000)
      console.error(`[bench:cdc] latency phase: updates fell ${Math.round(behind)} ms behind the rate`);
    const deadline = performance.now() + 120_000;
    while (arrivedAt.size < total && performance.now() < deadline) await sleep(100);
    if (arrivedAt.size < total)
      throw new Error(`latency phase: ${total - arrivedAt.size} of ${total} records not in ${topic} after 120 s`);
  } finally {
    await consumer.disconnect();
  }
  const ms = [...committedAt].map(([k, t]) => arrivedAt.get(k)! - t).sort((a, b) => a - b);
  const at = (q: number) => Number((ms[Math.max(0, Math.ceil(q * ms.length) - 1)] ?? NaN).toFixed(1));
  return { p50: at(0.5), p99: at(0.99) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// npm run bench:cdc: Sluice's PostgreSQL CDC connector against Debezium
// 3.6.1.Final on Apache Kafka Connect 4.3.1, one after the other on the same
// database and table (standalone workers, JsonConverter without schemas):
// - snapshot of CDC_ROWS rows (default 200,000): rows/s from the slot's
//   creation to the last record in Kafka;
// - streaming CDC_ROWS updates in transactions of 1,000 rows: events/s from
//   the first commit to the last record in Kafka;
// - peak RSS of the worker process (VmHWM).
// The issue asks for 1M rows and for latency percentiles; CDC_ROWS=1000000
// runs the larger size (minutes per side on 2 shared cores).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { repoRoot, useEnv } from '../e2e/src/env.js';
import { testKafka } from '../e2e/src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgName, withPg } from '../e2e/src/pg.js';
import { freePort, toProperties } from '../e2e/src/runtime-process.js';
import { debeziumConfig } from '../e2e/src/cdc.js';
import { MeasuredProcess } from './lib/process.js';
import { machineFacts } from './lib/env.js';

const ROWS = Number(process.env.CDC_ROWS ?? 200_000);
const TX = 1000;
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
              [path.join(repoRoot, 'dist/runtime/src/cli.js'), 'standalone', workerFile, connectorFile],
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
      const snapDone = await until(`${ROWS} snapshot records`, async () => (await count()) >= ROWS);
      const snapshotRowsPerSec = ROWS / ((snapDone - slotAt) / 1000);
      await until('streaming', () =>
        withPg(
          pgEnv,
          async (c) =>
            (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount! > 0,
        ),
      );
      const streamStart = performance.now();
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
      const peakRssMb = proc.peakRssKb() / 1024;
      await proc.stop(30_000);
      results[impl] = {
        snapshotRowsPerSec: Math.round(snapshotRowsPerSec),
        streamEventsPerSec: Math.round(streamEventsPerSec),
        peakRssMb: Math.round(peakRssMb),
      };
      console.error(`[bench:cdc] ${impl}: ${JSON.stringify(results[impl])}`);
    }
    const s = results.sluice ?? {};
    const d = results.debezium ?? {};
    const facts = await machineFacts();
    console.log(
      `bench:cdc  rows=${ROWS}  tx=${TX}  ${JSON.stringify(facts)}  load=${(await import('node:os'))
        .loadavg()
        .map((x) => x.toFixed(1))
        .join('/')}`,
    );
    console.log('metric                 sluice   debezium   ratio');
    for (const k of ['snapshotRowsPerSec', 'streamEventsPerSec', 'peakRssMb'] as const)
      console.log(
        `${k.padEnd(22)} ${String(s[k] ?? '-').padStart(7)} ${String(d[k] ?? '-').padStart(9)}   ${s[k] && d[k] ? (s[k] / d[k]).toFixed(2) : '-'}x`,
      );
  } finally {
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 2000));
    await dropTestDatabase(pgEnv, db).catch((e) => console.error(`drop ${db}: ${e.message}`));
    console.error(`[bench:cdc] logs in ${dir}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

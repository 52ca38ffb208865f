// npm run cdc:migrate: moving a running PostgreSQL capture between Debezium
// 3.6.1.Final on Apache Kafka Connect 4.3.1 and Sluice, both distributed
// workers of ONE Connect group (same config, offsets and status topics),
// one after the other: Debezium snapshots and streams; Sluice takes over the
// connector Debezium's group stored and resumes at the stored LSN; then
// Debezium takes it back from the offsets Sluice stored. Rows are inserted
// while no worker runs, at each hand-over. Counted by primary key: every key
// must arrive (no gap), snapshot reads exactly once (no re-snapshot);
// duplicates are printed. Exits 1 on a lost key or a second snapshot.
// CDC_MIGRATE_HEARTBEAT_MS=<ms> turns heartbeats on and lets Sluice idle
// until the offset it hands over is a heartbeat's (checked over REST): the
// take-over from an idle position.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, useEnv } from '../e2e/src/env.js';
import { eventually } from '../e2e/src/eventually.js';
import { testKafka } from '../e2e/src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgName, withPg } from '../e2e/src/pg.js';
import { RuntimeProcess, distributedProps, freePort, tempDir, toProperties } from '../e2e/src/runtime-process.js';
import { countByKey, debeziumConfig } from '../e2e/src/cdc.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
const BATCH = 500;
const HEARTBEAT_MS = Number(process.env.CDC_MIGRATE_HEARTBEAT_MS ?? 0);

async function main(): Promise<void> {
  const started = Date.now();
  const log = (m: string) => console.log(`[cdc-migrate +${Math.round((Date.now() - started) / 1000)}s] ${m}`);
  const env = await useEnv();
  const pgEnv = env.postgres;
  const { stdout } = await promisify(execFile)('bash', [path.join(repoRoot, 'e2e/env/debezium.sh'), 'jars']);
  const pluginPath = stdout.trim().split('\n').at(-1)!;
  const db = await createTestDatabase(pgEnv, 'migr');
  const dir = await tempDir('cdc-migrate');
  const group = pgName('migrate');
  const table = pgName('orders');
  const prefix = pgName('mg');
  const slot = pgName('slot');
  let next = 1;
  const insert = async (n: number) => {
    const from = next;
    next += n;
    await withPg(
      pgEnv,
      (c) => c.query(`INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(${from}, ${next - 1}) g`),
      db,
    );
  };
  const children: ChildProcess[] = [];
  let failures = 0;
  try {
    await withPg(pgEnv, (c) => c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`), db);
    await insert(1000); // the snapshot's rows
    const connector = {
      ...debeziumConfig(pgEnv, { name: 'cdc', database: db, prefix, slot, tables: `public.${table}` }),
      'key.converter': JSON_CONVERTER,
      'value.converter': JSON_CONVERTER,
      ...(HEARTBEAT_MS > 0 ? { 'heartbeat.interval.ms': String(HEARTBEAT_MS) } : {}),
    };
    delete (connector as Record<string, string>).name;
    const kafka = testKafka(env.kafka.bootstrapServers);
    const topic = `${prefix}.public.${table}`;
    const rest = async (url: string, method: string, p: string, body?: unknown) => {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const running = (url: string) =>
      eventually(
        `the connector to run at ${url}`,
        async () => {
          const s = (await rest(url, 'GET', '/connectors/cdc/status')).body;
          return s?.connector?.state === 'RUNNING' && s?.tasks?.[0]?.state === 'RUNNING';
        },
        { timeoutMs: 300_000, intervalMs: 1000 },
      );
    const slotActive = () =>
      eventually(
        'the slot to be streaming',
        () =>
          withPg(pgEnv, async (c) => {
            const r = await c.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
            return r.rows[0]?.active === true;
          }),
        { timeoutMs: 300_000, intervalMs: 1000 },
      );
    const slotIdle = () =>
      eventually(
        'the slot to be released',
        () =>
          withPg(pgEnv, async (c) => {
            const r = await c.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
            return r.rows[0]?.active === false;
          }),
        { timeoutMs: 120_000, intervalMs: 500 },
      );

    let apacheRun = 0;
    const startApache = async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const props = path.join(dir, `apache-${++apacheRun}.properties`);
      const { 'sluice.file.allowed.paths': _drop, ...base } = distributedProps(env.kafka.bootstrapServers, group, port);
      await writeFile(props, toProperties({ ...base, listeners: url, 'plugin.path': pluginPath }));
      const child = spawn('bash', [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'distributed', props], {
        stdio: 'ignore',
        env: {
          ...process.env,
          SLUICE_CONNECT_LOG: path.join(dir, `apache-${apacheRun}.log`),
          KAFKA_HEAP_OPTS: '-Xmx768M',
        },
      });
      children.push(child);
      await eventually(
        `Apache Connect to answer (log in ${dir})`,
        async () => (await rest(url, 'GET', '/')).status === 200,
        {
          timeoutMs: 300_000,
          intervalMs: 1000,
        },
      );
      return {
        url,
        stop: async () => {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      };
    };
    const startSluice = async () => {
      const port = await freePort();
      const w = new RuntimeProcess({
        mode: 'distributed',
        dir,
        port,
        workerProps: distributedProps(env.kafka.bootstrapServers, group, port),
      });
      await w.start();
      return { url: w.url, stop: async () => void (await w.stop()) };
    };
    const check = async (phase: string, expectedSnapshotReads: number) => {
      const counts = await countByKey(kafka, topic, next - 1);
      const lost = next - 1 - counts.keys;
      log(`${phase}: ${JSON.stringify(counts)}`);
      if (lost !== 0) {
        failures++;
        log(`FAIL ${phase}: ${lost} keys lost`);
      }
      if (counts.snapshotReads !== expectedSnapshotReads) {
        failures++;
        log(`FAIL ${phase}: ${counts.snapshotReads} snapshot reads, expected ${expectedSnapshotReads} (a re-snapshot)`);
      }
    };

    // 1. Debezium on Apache Connect: snapshot, then streaming.
    const a1 = await startApache();
    log('Apache Connect (Debezium) up');
    const created = await eventually('Apache to take the connector', async () => {
      const r = await rest(a1.url, 'PUT', '/connectors/cdc/config', connector);
      return r.status === 201 || r.status === 200 ? r : undefined;
    });
    log(`connector created on Apache (${created.status})`);
    await running(a1.url);
    await slotActive();
    await insert(BATCH);
    await check('Debezium: snapshot + streaming', 1000);
    await new Promise((r) => setTimeout(r, 3000)); // an offset flush (500 ms) after the last record
    await a1.stop();
    await slotIdle();
    await insert(BATCH); // while no worker runs

    // 2. Sluice takes over the group's connector and offsets.
    const s1 = await startSluice();
    log('Sluice up in the same group');
    await running(s1.url);
    await insert(BATCH);
    await check('Sluice after Debezium', 1000);
    await new Promise((r) => setTimeout(r, 3000));
    if (HEARTBEAT_MS > 0) {
      // Idle until the stored offset is a heartbeat's (its messageType tells), so Debezium takes over from it.
      const stored = await eventually(
        'a heartbeat offset to be stored',
        async () => {
          const offsets = (await rest(s1.url, 'GET', '/connectors/cdc/offsets')).body?.offsets ?? [];
          const offset = offsets[0]?.offset;
          return offset?.messageType === 'MESSAGE' ? offset : undefined;
        },
        { timeoutMs: 60_000 + 5 * HEARTBEAT_MS, intervalMs: 500 },
      );
      log(`Sluice's stored offset is a heartbeat's: ${JSON.stringify(stored)}`);
    }
    await s1.stop();
    await slotIdle();
    await insert(BATCH);

    // 3. And back to Debezium.
    const a2 = await startApache();
    log('Apache Connect (Debezium) up again');
    await running(a2.url);
    await insert(BATCH);
    await check('Debezium after Sluice', 1000);
    await a2.stop();
    log(
      failures === 0 ? `no key lost, one snapshot: migration both ways OK (${dir})` : `${failures} failures (${dir})`,
    );
    process.exitCode = failures === 0 ? 0 : 1;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    await dropTestDatabase(pgEnv, db).catch((e) => console.error(`drop ${db}: ${e.message}`));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});

// The PostgreSQL CDC connector on a standalone Sluice worker against the
// environment's real PostgreSQL and Kafka: a snapshot and streamed
// inserts/updates/deletes of every type in Debezium's event format, a resume
// after SIGKILL from the stored LSN (nothing lost, duplicates counted), the
// slot's flushed position following the stored offsets, and clear failures
// for the common mistakes.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgName, withPg } from '../src/pg.js';
import { RuntimeProcess, freePort, tempDir, toProperties } from '../src/runtime-process.js';
import { TYPES_TABLE_DDL, debeziumConfig, insertTypesRows } from '../src/cdc.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

describe('PostgreSQL CDC connector (standalone) @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  let db = '';
  const workers: RuntimeProcess[] = [];
  before(async () => {
    db = await createTestDatabase(env().postgres, 'cdc');
  });
  after(async () => {
    if (db) await dropTestDatabase(env().postgres, db);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });

  async function startWorker(dir: string, connector: Record<string, string> | null, port?: number) {
    const file = path.join(dir, 'pg.properties');
    if (connector) await writeFile(file, toProperties(connector));
    const w = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: port ?? (await freePort()),
      workerProps: {
        'bootstrap.servers': env().kafka.bootstrapServers,
        'key.converter': JSON_CONVERTER,
        'value.converter': JSON_CONVERTER,
        'offset.storage.file.filename': path.join(dir, 'offsets.json'),
        'offset.flush.interval.ms': 500,
      },
      connectorFiles: connector ? [file] : [],
    });
    workers.push(w);
    return w.start();
  }

  it('snapshots, then streams inserts, updates and deletes of every type in Debezium format', async () => {
    const pgEnv = env().postgres;
    const table = pgName('types');
    const prefix = pgName('shop');
    const slot = pgName('slot');
    await withPg(
      pgEnv,
      async (c) => {
        await c.query(TYPES_TABLE_DDL(table));
        await insertTypesRows(c, table, [1, 2]);
      },
      db,
    );
    const dir = await tempDir('cdc-types');
    await startWorker(
      dir,
      debeziumConfig(pgEnv, { name: 'cdc', database: db, prefix, slot, tables: `public.${table}` }),
    );
    const topic = `${prefix}.public.${table}`;
    const kafka = testKafka(env().kafka.bootstrapServers);
    await eventually('the two snapshot rows', async () => (await readTopic(kafka, topic, 2, 5000)).length === 2, {
      timeoutMs: 120_000,
    });
    await withPg(
      pgEnv,
      async (c) => {
        await insertTypesRows(c, table, [3]);
        await c.query(`UPDATE ${table} SET c_text = 'changed', c_num = NULL WHERE id = 1`);
        await c.query(`DELETE FROM ${table} WHERE id = 2`);
      },
      db,
    );
    const records = await readTopic(kafka, topic, 6, 120_000);
    expect(records).to.have.length(6);
    const values = records.map((r) => (r.value === null ? null : JSON.parse(r.value)));
    const keys = records.map((r) => JSON.parse(r.key!));
    expect(values.map((v) => v?.payload.op ?? 'tombstone')).to.deep.equal(['r', 'r', 'c', 'u', 'd', 'tombstone']);
    expect(keys.map((k) => k.payload.id)).to.deep.equal([1, 2, 3, 1, 2, 2]);
    expect(keys[0].schema.name).to.equal(`${prefix}.public.${table}.Key`);

    const snap = values[0];
    expect(snap.schema.name).to.equal(`${prefix}.public.${table}.Envelope`);
    expect(snap.payload.source).to.include({
      connector: 'postgresql',
      name: prefix,
      db,
      schema: 'public',
      table,
      snapshot: 'first',
    });
    expect(values[1].payload.source.snapshot).to.equal('last');
    const after = snap.payload.after;
    expect(after).to.deep.include({
      id: 1,
      c_int2: 1,
      c_int4: 1,
      c_int8: 1_000_000_007,
      c_num: Buffer.from([0x7d]).toString('base64'), // 1.25 → unscaled 125
      c_real: 1.5,
      c_double: 2.25e10,
      c_text: 'text 1 é',
      c_varchar: 'vc1',
      c_char: 'ab ',
      c_bool: false,
      c_date: 19782,
      c_time: 49556123456,
      c_time3: 3723456,
      c_ts: 1736937000123456,
      c_ts3: 1736937000500,
      c_tstz: '2025-01-15T08:30:00.123456Z',
      c_timetz: '09:00:00Z',
      c_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a01',
      c_json: '{"a": 1}',
      c_jsonb: '{"b": [1, 2]}',
      c_bytea: Buffer.from([0, 255, 16]).toString('base64'),
      c_mood: 'happy',
    });
    expect(after.c_num_free).to.deep.equal({ scale: 3, value: Buffer.from([0x04, 0x65]).toString('base64') }); // 1.125
    expect(after.c_int_arr).to.deep.equal([1, 2, null]);
    expect(after.c_text_arr).to.deep.equal(['x y', 'z']);
    // 1 year 2 months = 14 × 30.4375 days; + 3 days 04:05:06.5
    expect(after.c_interval).to.equal(Math.round(14 * 30.4375 * 86_400e6 + 3 * 86_400e6 + 14_706.5e6));

    const fields = Object.fromEntries(snap.schema.fields[1].fields.map((f: { field: string }) => [f.field, f]));
    expect(fields.c_num).to.deep.include({
      type: 'bytes',
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    });
    expect(fields.c_int4).to.deep.include({ type: 'int32', optional: false, default: 7 });
    expect(fields.c_tstz.name).to.equal('io.debezium.time.ZonedTimestamp');
    expect(fields.c_ts.name).to.equal('io.debezium.time.MicroTimestamp');
    expect(fields.c_ts3.name).to.equal('io.debezium.time.Timestamp');
    expect(fields.c_time3.name).to.equal('io.debezium.time.Time');
    expect(fields.c_interval.name).to.equal('io.debezium.time.MicroDuration');
    expect(fields.c_mood).to.deep.include({ name: 'io.debezium.data.Enum', parameters: { allowed: 'sad,ok,happy' } });
    expect(fields.c_int_arr).to.deep.include({ type: 'array', items: { type: 'int32', optional: true } });

    const created = values[2].payload;
    expect(created.before).to.equal(null);
    expect(created.after.id).to.equal(3);
    expect(created.source).to.include({ snapshot: 'false', table });
    expect(created.source.lsn).to.be.a('number');
    expect(created.source.txId).to.be.a('number');
    const updated = values[3].payload;
    expect(updated.before).to.equal(null); // REPLICA IDENTITY DEFAULT
    expect(updated.after).to.include({ id: 1, c_text: 'changed', c_num: null });
    const deleted = values[4].payload;
    expect(deleted.before.id).to.equal(2);
    expect(deleted.after).to.equal(null);
  });

  it('resumes after SIGKILL from the stored LSN: nothing lost, duplicates counted; the slot follows the offsets', async () => {
    const pgEnv = env().postgres;
    const table = pgName('resume');
    const prefix = pgName('rs');
    const slot = pgName('slot');
    await withPg(pgEnv, (c) => c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`), db);
    const dir = await tempDir('cdc-resume');
    const config = debeziumConfig(pgEnv, { name: 'cdc', database: db, prefix, slot, tables: `public.${table}` });
    const port = await freePort();
    const first = await startWorker(dir, config, port);
    const topic = `${prefix}.public.${table}`;
    const kafka = testKafka(env().kafka.bootstrapServers);
    const insert = (from: number, to: number) =>
      withPg(
        pgEnv,
        (c) => c.query(`INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(${from}, ${to}) g`),
        db,
      );
    // Streaming has started once the slot is active.
    await eventually('the slot to be streaming', () =>
      withPg(
        pgEnv,
        async (c) =>
          (await c.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active ===
          true,
      ),
    );
    await insert(1, 2000);
    await eventually('some records', async () => (await readTopic(kafka, topic, 1, 3000)).length > 0);
    await first.kill();
    const beforeSecond = await withPg(
      pgEnv,
      async (c) => (await c.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string,
    );
    await insert(2001, 3000);
    await startWorker(dir, config, port);
    await insert(3001, 4000);
    // Duplicates are allowed (at-least-once): read until every key arrived.
    const ids = await eventually(
      'all 4000 keys',
      async () => {
        const records = await readTopic(kafka, topic, 1e9, 5000);
        const got = records.map((r) => JSON.parse(r.key!).payload.id as number);
        return new Set(got).size >= 4000 ? got : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const unique = new Set(ids);
    expect(unique.size, 'distinct ids').to.equal(4000);
    const duplicates = ids.length - unique.size;
    console.log(`      resume after SIGKILL: 4000 rows, ${ids.length} records, ${duplicates} duplicates`);
    // The slot's confirmed position moves to what the stored offsets cover:
    // the third batch's records carry the second batch's commit as lsn_commit.
    await eventually('confirmed_flush_lsn to pass the second batch', () =>
      withPg(pgEnv, async (c) => {
        const r = await c.query(
          'SELECT confirmed_flush_lsn >= $2::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $1',
          [slot, beforeSecond],
        );
        return r.rows[0]?.ok === true;
      }),
    );
  });

  it('reconnects when its replication connection is killed mid-stream, losing nothing', async () => {
    const pgEnv = env().postgres;
    const table = pgName('reconn');
    const prefix = pgName('rc');
    const slot = pgName('slot');
    await withPg(pgEnv, (c) => c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`), db);
    const dir = await tempDir('cdc-reconnect');
    const w = await startWorker(
      dir,
      debeziumConfig(pgEnv, { name: 'cdc', database: db, prefix, slot, tables: `public.${table}` }),
    );
    const activePid = () =>
      withPg(
        pgEnv,
        async (c) =>
          (await c.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rows[0]
            ?.active_pid as number | undefined,
      );
    const firstPid = await eventually('the slot to be streaming', activePid);
    await withPg(
      pgEnv,
      async (c) => {
        for (let i = 0; i < 10; i++) {
          await c.query(
            `INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(${i * 300 + 1}, ${(i + 1) * 300}) g`,
          );
          // The server ends the walsender as on a shutdown or a dropped link (57P01).
          if (i === 4) await c.query('SELECT pg_terminate_backend($1)', [firstPid]);
        }
      },
      db,
    );
    const kafka = testKafka(env().kafka.bootstrapServers);
    const topic = `${prefix}.public.${table}`;
    const ids = await eventually(
      'all 3000 keys',
      async () => {
        const got = (await readTopic(kafka, topic, 1e9, 5000)).map((r) => JSON.parse(r.key!).payload.id as number);
        return new Set(got).size >= 3000 ? got : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(new Set(ids).size).to.equal(3000);
    console.log(`      walsender killed mid-stream: 3000 rows, ${ids.length - 3000} duplicates`);
    const secondPid = await eventually('the slot to stream again', activePid);
    expect(secondPid).to.not.equal(firstPid);
    const status = (await w.rest('GET', '/connectors/cdc/status')).body;
    expect(status.tasks[0].state).to.equal('RUNNING');
  });

  it('fails with clear errors for a wrong password, no REPLICATION privilege and a missing table', async () => {
    const pgEnv = env().postgres;
    const user = pgName('norepl');
    await withPg(pgEnv, (c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw'`));
    try {
      const dir = await tempDir('cdc-errors');
      const w = await startWorker(dir, null);
      const base = debeziumConfig(pgEnv, {
        name: 'x',
        database: db,
        prefix: 'p',
        slot: pgName('s'),
        tables: 'public.nothing_here',
      });
      const cases: Array<[string, Record<string, string>, RegExp]> = [
        ['wrongpw', { ...base, 'database.password': 'wrong' }, /rejected user .*wrong password/],
        ['norepl', { ...base, 'database.user': user, 'database.password': 'pw' }, /no REPLICATION privilege/],
        ['notable', base, /table\.include\.list entry 'public\.nothing_here' matches no table/],
      ];
      for (const [name, config, expected] of cases) {
        const { name: _n, ...rest } = config;
        const put = await w.rest('PUT', `/connectors/${name}/config`, rest);
        expect(put.status, JSON.stringify(put.body)).to.be.oneOf([200, 201]);
        const trace = await eventually(`${name} to fail`, async () => {
          const s = (await w.rest('GET', `/connectors/${name}/status`)).body;
          const failed =
            s?.connector?.state === 'FAILED'
              ? s.connector.trace
              : s?.tasks?.[0]?.state === 'FAILED'
                ? s.tasks[0].trace
                : undefined;
          return failed as string | undefined;
        });
        expect(trace).to.match(expected);
        expect(trace).not.to.contain(pgEnv.password);
      }
      expect((await w.rest('GET', '/')).status).to.equal(200); // the worker is still up
    } finally {
      await withPg(pgEnv, (c) => c.query(`DROP ROLE ${user}`));
    }
  });
  it('PUT config/validate connects first: database errors on database.hostname, the worker keeps serving', async () => {
    const pgEnv = env().postgres;
    const user = pgName('norepl');
    await withPg(pgEnv, (c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'pw'`));
    try {
      const w = await startWorker(await tempDir('cdc-validate'), null);
      const base = debeziumConfig(pgEnv, {
        name: 'v',
        database: db,
        prefix: 'p',
        slot: pgName('s'),
        tables: 'public.x',
      });
      const validate = async (config: Record<string, string>) => {
        const r = await w.rest('PUT', '/connector-plugins/PostgresConnector/config/validate', config);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
        const errors = (key: string): string[] =>
          r.body.configs.find((c: { value: { name: string } }) => c.value.name === key)?.value.errors ?? [];
        return { count: r.body.error_count as number, host: errors('database.hostname'), body: JSON.stringify(r.body) };
      };
      expect((await validate(base)).count, 'a good config').to.equal(0);
      const wrong = await validate({ ...base, 'database.password': 'not-the-password' });
      expect(wrong.host.join()).to.match(/^Error while validating connector config: PostgreSQL rejected user/);
      expect(wrong.body).not.to.contain('not-the-password');
      const norepl = await validate({ ...base, 'database.user': user, 'database.password': 'pw' });
      expect(norepl.host.join()).to.match(/^Postgres roles LOGIN and REPLICATION are not assigned to user: /);
      const closed = await validate({ ...base, 'database.port': String(await freePort()) });
      expect(closed.host.join()).to.match(/Cannot reach PostgreSQL at 127\.0\.0\.1:\d+/);
      // An address that does not answer: the check runs in the background of the event loop.
      let settled = false;
      const hanging = validate({ ...base, 'database.hostname': '10.255.255.1' }).finally(() => (settled = true));
      const root = await w.rest('GET', '/');
      expect(root.status).to.equal(200);
      console.log(`      GET / answered while the unanswered validate was ${settled ? 'already done' : 'pending'}`);
      expect((await hanging).host).to.have.length(1);
      // A missing database.hostname: no connection attempt, only the field error.
      const { 'database.hostname': _h, ...noHost } = base;
      const missing = await validate(noHost);
      expect(missing.host.join()).to.not.match(/validating connector config/);
      expect(missing.count).to.be.greaterThan(0);
    } finally {
      await withPg(pgEnv, (c) => c.query(`DROP ROLE ${user}`));
    }
  });
});

// Crash safety of the PostgreSQL CDC connector (issue 13's Proof): the worker
// SIGKILLed during the initial snapshot (its stored offset says the snapshot
// did not finish), and PostgreSQL itself restarted and SIGKILLed while
// changes stream (a private server, so the shared one stays up for other
// tests). Every primary key must arrive (0 lost); duplicates are counted by
// key and by (key, LSN) and printed, since delivery is at-least-once.
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { testKafka } from '../src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgClient, pgName, withPg } from '../src/pg.js';
import { PrivatePostgres } from '../src/private-postgres.js';
import { type RuntimeProcess, freePort, standaloneWorker, tempDir, toProperties } from '../src/runtime-process.js';
import { countByKey, debeziumConfig } from '../src/cdc.js';
import type { PostgresEnv } from '../src/env.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

describe('PostgreSQL CDC crash safety @env', function () {
  this.timeout(600_000);
  const env = withEnv();
  const workers: RuntimeProcess[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });

  async function startWorker(dir: string, connector: Record<string, string>, port: number) {
    const file = path.join(dir, 'pg.properties');
    await writeFile(file, toProperties(connector));
    const w = await standaloneWorker({
      bootstrapServers: env().kafka.bootstrapServers,
      dir,
      port,
      converter: JSON_CONVERTER,
      flushIntervalMs: 200,
      connectorFiles: [file],
    });
    workers.push(w);
    return w.start();
  }

  /** The connector's stored offset, or undefined before the first flush. */
  async function storedOffset(dir: string): Promise<Record<string, unknown> | undefined> {
    const text = await readFile(path.join(dir, 'offsets.json'), 'utf8').catch(() => undefined);
    if (!text) return undefined;
    const values = Object.values((JSON.parse(text) as { offsets: Record<string, string> }).offsets);
    return values.length ? JSON.parse(values[0]!) : undefined;
  }

  it('SIGKILL during the snapshot: the next run snapshots again and streams on, 0 keys lost', async () => {
    const pgEnv = env().postgres;
    const db = await createTestDatabase(pgEnv, 'cdcsnap');
    // The snapshot reads `first`, then waits at `second`'s first row: a row-level security
    // policy there takes an advisory lock the test holds (a lock on the table itself would
    // assign the holder an xid, and creating the slot would wait for it). The worker is killed
    // there, while its stored offset says the snapshot has not finished. The connector runs as
    // a non-superuser with REPLICATION, since superusers bypass row-level security.
    const first = pgName('first');
    const second = pgName('second');
    const user = pgName('cdcuser');
    const gateKey = Math.floor(Math.random() * 1e9);
    const rows = 3000;
    const locker = await pgClient(pgEnv, db);
    try {
      const slot = pgName('slot');
      await withPg(
        pgEnv,
        async (c) => {
          for (const t of [first, second]) {
            await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`);
            await c.query(`INSERT INTO ${t} SELECT g, 'v' || g FROM generate_series(1, ${rows}) g`);
          }
          await c.query(`CREATE PUBLICATION ${slot}_pub FOR TABLE ${first}, ${second}`);
          await c.query(`CREATE FUNCTION gate() RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_lock_shared(${gateKey}); PERFORM pg_advisory_unlock_shared(${gateKey}); RETURN true; END $$`);
          await c.query(`ALTER TABLE ${second} ENABLE ROW LEVEL SECURITY`);
          await c.query(`CREATE POLICY gate ON ${second} FOR SELECT USING (gate())`);
          await c.query(`CREATE ROLE ${user} LOGIN REPLICATION PASSWORD 'pw'`);
          await c.query(`GRANT SELECT ON ${first}, ${second} TO ${user}`);
        },
        db,
      );
      await locker.query('SELECT pg_advisory_lock($1)', [gateKey]);
      const prefix = pgName('snk');
      const config = {
        ...debeziumConfig(pgEnv, {
          name: 'cdc',
          database: db,
          prefix,
          slot,
          tables: `public.${first},public.${second}`,
        }),
        'database.user': user,
        'database.password': 'pw',
        'publication.autocreate.mode': 'disabled',
        'snapshot.fetch.size': '500',
      };
      const dir = await tempDir('cdc-snapkill');
      const port = await freePort();
      const worker = await startWorker(dir, config, port);
      await eventually(
        `the snapshot to wait at ${second}`,
        () =>
          withPg(pgEnv, async (c) => {
            const r = await c.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND wait_event = 'advisory'`,
              [db, user],
            );
            return (r.rowCount ?? 0) > 0;
          }),
        { timeoutMs: 120_000 },
      );
      const during = await eventually(
        `the first table's snapshot offset to be stored`,
        async () => {
          const o = await storedOffset(dir);
          return o && o.snapshot_completed === false ? o : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      expect(during).to.deep.include({ snapshot: 'INITIAL', last_snapshot_record: false });
      await worker.kill();
      await locker.query('SELECT pg_advisory_unlock($1)', [gateKey]);
      const insert = (t: string, from: number, to: number) =>
        withPg(
          pgEnv,
          (c) => c.query(`INSERT INTO ${t} SELECT g, 'new' || g FROM generate_series(${from}, ${to}) g`),
          db,
        );
      await insert(first, rows + 1, rows + 500); // while no worker runs
      await startWorker(dir, config, port);
      await insert(second, rows + 1, rows + 500);
      const kafka = testKafka(env().kafka.bootstrapServers);
      for (const t of [first, second]) {
        const counts = await countByKey(kafka, `${prefix}.public.${t}`, rows + 500);
        console.log(
          `      SIGKILL during snapshot, table read ${t === first ? 'before' : 'after'} the kill: ${JSON.stringify(counts)}`,
        );
        expect(counts.keys).to.equal(rows + 500);
        expect(counts.snapshotReads, 'the second run read the table again').to.be.at.least(rows);
      }
      const after = await eventually('the snapshot to be stored as completed', async () => {
        const o = await storedOffset(dir);
        return o && !('snapshot' in o) ? o : undefined;
      });
      expect(after.lsn_commit).to.be.a('number');
    } finally {
      await locker.end().catch(() => undefined);
      for (const w of workers.splice(0)) await w.kill();
      await dropTestDatabase(pgEnv, db);
      await withPg(pgEnv, (c) => c.query(`DROP ROLE IF EXISTS ${user}`));
    }
  });

  describe('with PostgreSQL restarted under it', () => {
    let pgp: PrivatePostgres | undefined;
    before(async () => {
      pgp = await PrivatePostgres.create();
    });
    after(async () => {
      await pgp?.destroy();
    });

    it('a clean restart and a SIGKILL of PostgreSQL while streaming: reconnects, 0 keys lost, the slot follows', async () => {
      const pgEnv: PostgresEnv = pgp!.env;
      const table = pgName('pgrestart');
      const slot = pgName('slot');
      await withPg(pgEnv, (c) => c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`));
      const prefix = pgName('pgr');
      const dir = await tempDir('cdc-pgrestart');
      const w = await startWorker(
        dir,
        debeziumConfig(pgEnv, { name: 'cdc', database: pgEnv.database, prefix, slot, tables: `public.${table}` }),
        await freePort(),
      );
      const activePid = () =>
        withPg(pgEnv, async (c) => {
          const r = await c.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1 AND active', [
            slot,
          ]);
          return r.rows[0]?.active_pid as number | undefined;
        });
      const pids = [await eventually('the slot to be streaming', activePid)];
      const batch = 300;
      let beforeLast = '';
      for (let i = 0; i < 10; i++) {
        if (i === 9)
          beforeLast = await withPg(
            pgEnv,
            async (c) => (await c.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l,
          );
        await withPg(pgEnv, (c) =>
          c.query(
            `INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(${i * batch + 1}, ${(i + 1) * batch}) g`,
          ),
        );
        if (i === 3) {
          await pgp!.restart();
          pids.push(await eventually('the slot to stream again after the restart', activePid, { timeoutMs: 120_000 }));
        }
        if (i === 6) {
          await pgp!.kill();
          await pgp!.start();
          pids.push(await eventually('the slot to stream again after the crash', activePid, { timeoutMs: 120_000 }));
        }
      }
      const kafka = testKafka(env().kafka.bootstrapServers);
      const counts = await countByKey(kafka, `${prefix}.public.${table}`, 10 * batch);
      console.log(`      PostgreSQL restarted and killed while streaming: ${JSON.stringify(counts)}`);
      expect(counts.keys).to.equal(10 * batch);
      expect(new Set(pids).size, `walsender pids ${pids.join(',')}`).to.equal(3);
      expect((await w.rest('GET', '/connectors/cdc/status')).body.tasks[0].state).to.equal('RUNNING');
      await eventually(
        'the slot to confirm past the last batch',
        () =>
          withPg(pgEnv, async (c) => {
            const r = await c.query(
              'SELECT confirmed_flush_lsn >= $2::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $1',
              [slot, beforeLast],
            );
            return r.rows[0]?.ok === true;
          }),
        { timeoutMs: 120_000 },
      );
    });
  });
});

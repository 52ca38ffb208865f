// The whole loop on real systems: a PostgreSQL table -> our Debezium-
// compatible CDC source -> Kafka -> our PostgreSQL sink into a second
// database. Random inserts, updates and deletes, with the worker SIGKILLed and
// restarted in the middle (both connectors replay from their last offsets):
// the replica ends equal to the source, row count and checksum of all rows.
import { expect } from 'chai';
import type pg from 'pg';
import { debeziumConfig } from '../src/cdc.js';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { createTestDatabase, dropTestDatabase, pgClient, pgName } from '../src/pg.js';
import { type RuntimeProcess, freePort, standaloneWorker, tempDir } from '../src/runtime-process.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
const CHECKSUM = `SELECT count(*)::int AS n, md5(coalesce(string_agg(
    id || ':' || coalesce(note, '~') || ':' || coalesce(amount::text, '~') || ':' || paid || ':' ||
    coalesce(to_char(updated AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), '~'), ',' ORDER BY id), '')) AS sum
  FROM orders`;

describe('runtime: PostgreSQL -> CDC source -> Kafka -> PostgreSQL sink @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  let sourceDb = '';
  let targetDb = '';
  let source: pg.Client | undefined;
  let target: pg.Client | undefined;
  let worker: RuntimeProcess | undefined;

  after(async () => {
    await worker?.kill();
    await source?.end();
    await target?.end();
    if (sourceDb) await dropTestDatabase(env().postgres, sourceDb).catch(() => undefined);
    if (targetDb) await dropTestDatabase(env().postgres, targetDb).catch(() => undefined);
  });

  it('keeps the replica table equal to the source through random changes and a worker SIGKILL', async () => {
    const pgEnv = env().postgres;
    sourceDb = await createTestDatabase(pgEnv, 'loopsrc');
    targetDb = await createTestDatabase(pgEnv, 'looptgt');
    source = await pgClient(pgEnv, sourceDb);
    target = await pgClient(pgEnv, targetDb);
    await source.query(
      `CREATE TABLE orders (id int PRIMARY KEY, note text, amount numeric(10,2), updated timestamptz, paid boolean NOT NULL)`,
    );
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const live = new Set<number>();
    const change = async (transactions: number) => {
      for (let t = 0; t < transactions; t++) {
        const stmts: string[] = [];
        for (let i = 0; i < 10; i++) {
          const id = rand(300);
          const note = rand(5) === 0 ? 'NULL' : `'note ${id}/${rand(1000)}'`;
          const amount = rand(7) === 0 ? 'NULL' : (rand(10_000_000) / 100).toFixed(2);
          if (live.has(id) && rand(4) === 0) {
            stmts.push(`DELETE FROM orders WHERE id = ${id}`);
            live.delete(id);
          } else if (live.has(id)) {
            stmts.push(
              `UPDATE orders SET note = ${note}, amount = ${amount}, updated = now(), paid = NOT paid WHERE id = ${id}`,
            );
          } else {
            stmts.push(`INSERT INTO orders VALUES (${id}, ${note}, ${amount}, now(), ${rand(2) === 0})`);
            live.add(id);
          }
        }
        await source!.query(`BEGIN; ${stmts.join('; ')}; COMMIT`);
      }
    };
    await change(20); // rows for the snapshot

    const dir = await tempDir('cdc-loop');
    const port = await freePort();
    const startWorker = async () => {
      worker = await standaloneWorker({
        bootstrapServers: env().kafka.bootstrapServers,
        dir,
        port,
        converter: JSON_CONVERTER,
        flushIntervalMs: 1000,
      });
      return worker.start();
    };
    const w = await startWorker();
    const prefix = pgName('loop');
    const slot = pgName('slot');
    const { name: _name, ...cdc } = debeziumConfig(pgEnv, {
      name: 'cdc',
      database: sourceDb,
      prefix,
      slot,
      tables: 'public.orders',
    });
    expect((await w.rest('PUT', `/connectors/${prefix}-cdc/config`, cdc)).status).to.equal(201);
    const sink = {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      topics: `${prefix}.public.orders`,
      'connection.url': `jdbc:postgresql://${pgEnv.host}:${pgEnv.port}/${targetDb}`,
      'connection.username': pgEnv.user,
      'connection.password': pgEnv.password,
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
      'collection.name.format': '${source.table}',
    };
    expect((await w.rest('PUT', `/connectors/${prefix}-sink/config`, sink)).status).to.equal(201);

    const equal = async () => {
      const [a] = (await source!.query(CHECKSUM)).rows;
      const b = await target!.query(CHECKSUM).then(
        (r) => r.rows[0],
        () => undefined,
      );
      return b !== undefined && a.n === b.n && a.sum === b.sum ? a : undefined;
    };
    await change(60);
    await worker!.kill(); // in the middle of the stream: both connectors replay from their last offsets
    await change(60);
    await startWorker(); // standalone keeps REST-created connectors on disk
    await change(60);
    const final = await eventually(`the replica to equal the source (log: ${worker!.logFile})`, equal, {
      timeoutMs: 180_000,
      intervalMs: 1000,
    });
    expect(final.n).to.equal(live.size);

    // The loop as a user sees it: one row changed at the source appears in the replica.
    const id = [...live][0]!;
    await source.query(`UPDATE orders SET note = 'seen in the replica' WHERE id = $1`, [id]);
    await eventually('the change in the replica', async () => {
      const r = await target!.query('SELECT note FROM orders WHERE id = $1', [id]);
      return r.rows[0]?.note === 'seen in the replica';
    });
  });
});

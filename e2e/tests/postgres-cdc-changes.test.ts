// What the PostgreSQL CDC connector does with the changes that are easy to
// get wrong (issue 13): unchanged TOASTed columns (Debezium's placeholder)
// under REPLICA IDENTITY DEFAULT and FULL, ALTER TABLE between changes (a
// column added, a column dropped), and one transaction of 100,000 rows,
// streamed with bounded memory (the worker's peak RSS is measured).
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgName, withPg } from '../src/pg.js';
import { type RuntimeProcess, standaloneWorker, tempDir, toProperties } from '../src/runtime-process.js';
import { debeziumConfig } from '../src/cdc.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
const PLACEHOLDER = '__debezium_unavailable_value';

/** The process's peak resident set (VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('PostgreSQL CDC: TOAST, replica identity, ALTER TABLE, a 100k-row transaction @env', function () {
  this.timeout(600_000);
  const env = withEnv();
  let db = '';
  const workers: RuntimeProcess[] = [];
  before(async () => {
    db = await createTestDatabase(env().postgres, 'cdcchg');
  });
  after(async () => {
    if (db) await dropTestDatabase(env().postgres, db);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });

  async function startWorker(
    tables: string[],
    extra: Record<string, string> = {},
    workerProps: Record<string, string | boolean> = {},
    nodeArgs: string[] = [],
  ) {
    const dir = await tempDir('cdc-changes');
    const prefix = pgName('chg');
    const slot = pgName('slot');
    const file = path.join(dir, 'pg.properties');
    await writeFile(
      file,
      toProperties({
        ...debeziumConfig(env().postgres, {
          name: 'cdc',
          database: db,
          prefix,
          slot,
          tables: tables.map((t) => `public.${t}`).join(','),
        }),
        ...extra,
      }),
    );
    const w = await standaloneWorker({
      bootstrapServers: env().kafka.bootstrapServers,
      dir,
      converter: JSON_CONVERTER,
      flushIntervalMs: 1000,
      props: workerProps,
      connectorFiles: [file],
      nodeArgs,
    });
    workers.push(w);
    await w.start();
    await eventually('the slot to be streaming', () =>
      withPg(env().postgres, async (c) => {
        const r = await c.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        return r.rows[0]?.active === true;
      }),
    );
    return { w, prefix, slot };
  }

  const events = async (topic: string, n: number) => {
    const records = await readTopic(testKafka(env().kafka.bootstrapServers), topic, n, 120_000);
    expect(records.length, `records on ${topic}`).to.be.at.least(n);
    return records.filter((r) => r.value !== null).map((r) => JSON.parse(r.value!));
  };
  const fieldsOf = (e: { schema: { fields: Array<{ field: string; fields?: Array<{ field: string }> }> } }) =>
    e.schema.fields.find((f) => f.field === 'after')!.fields!.map((f) => f.field);

  it('unchanged TOAST columns: the placeholder with REPLICA IDENTITY DEFAULT; FULL has the old values', async () => {
    const pgEnv = env().postgres;
    const [dflt, full] = [pgName('toastd'), pgName('toastf')];
    // About 9.6 kB of hex that compresses poorly: stored out of line (TOASTed).
    const big = `(SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 300) g)`;
    const values = await withPg(
      pgEnv,
      async (c) => {
        const out: Record<string, string> = {};
        for (const t of [dflt, full]) {
          await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, big text, blob bytea, n int)`);
          await c.query(`INSERT INTO ${t} VALUES (1, ${big}, decode(${big}, 'hex'), 1)`);
          out[t] = (await c.query(`SELECT big FROM ${t} WHERE id = 1`)).rows[0].big;
        }
        await c.query(`ALTER TABLE ${full} REPLICA IDENTITY FULL`);
        return out;
      },
      db,
    );
    const { prefix } = await startWorker([dflt, full]);
    await withPg(
      pgEnv,
      async (c) => {
        for (const t of [dflt, full]) {
          await c.query(`UPDATE ${t} SET n = 2 WHERE id = 1`); // big and blob unchanged
          await c.query(`UPDATE ${t} SET big = 'small now', n = 3 WHERE id = 1`);
          await c.query(`DELETE FROM ${t} WHERE id = 1`);
        }
      },
      db,
    );
    // r, u, u, d (+ tombstone)
    const [d, f] = [await events(`${prefix}.public.${dflt}`, 5), await events(`${prefix}.public.${full}`, 5)];
    expect(d.map((e) => e.payload.op)).to.deep.equal(['r', 'u', 'u', 'd']);
    expect(d[0].payload.after.big).to.equal(values[dflt]);
    // DEFAULT: no before; the unchanged TOASTed columns carry Debezium's placeholder.
    expect(d[1].payload.before).to.equal(null);
    expect(d[1].payload.after).to.deep.include({ id: 1, n: 2, big: PLACEHOLDER });
    expect(d[1].payload.after.blob).to.equal(Buffer.from(PLACEHOLDER).toString('base64'));
    expect(d[2].payload.after).to.deep.include({ big: 'small now', n: 3, blob: d[1].payload.after.blob });
    expect(d[3].payload.before).to.deep.include({ id: 1 });
    // FULL: before is the whole old row, TOASTed values included.
    expect(f.map((e) => e.payload.op)).to.deep.equal(['r', 'u', 'u', 'd']);
    expect(f[1].payload.before).to.deep.include({ id: 1, n: 1, big: values[full] });
    expect(f[1].payload.before.blob).to.equal(f[0].payload.after.blob);
    // FULL: the unchanged TOASTed columns of after come from the old row, as Debezium does (bench/cdc-compare.ts).
    expect(f[1].payload.after).to.deep.include({ id: 1, n: 2, big: values[full] });
    expect(f[1].payload.after.blob).to.equal(f[0].payload.after.blob);
    expect(f[2].payload.before).to.deep.include({ n: 2, big: values[full] });
    expect(f[2].payload.after).to.deep.include({ big: 'small now', n: 3, blob: f[0].payload.after.blob });
    expect(f[3].payload.before).to.deep.include({ id: 1, n: 3, big: 'small now' });
  });

  it('ALTER TABLE mid-stream: an added column appears (with its default), a dropped one goes', async () => {
    const pgEnv = env().postgres;
    const t = pgName('alter');
    await withPg(pgEnv, (c) => c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, a text)`), db);
    const { prefix } = await startWorker([t]);
    await withPg(
      pgEnv,
      async (c) => {
        await c.query(`INSERT INTO ${t} VALUES (1, 'one')`);
        await c.query(`ALTER TABLE ${t} ADD COLUMN b int NOT NULL DEFAULT 5`);
        await c.query(`INSERT INTO ${t} VALUES (2, 'two', 7)`);
        await c.query(`UPDATE ${t} SET a = 'uno' WHERE id = 1`);
        await c.query(`ALTER TABLE ${t} DROP COLUMN a`);
        await c.query(`INSERT INTO ${t} VALUES (3, 9)`);
        await c.query(`UPDATE ${t} SET b = 6 WHERE id = 2`);
      },
      db,
    );
    const e = await events(`${prefix}.public.${t}`, 5);
    expect(e.map((x) => `${x.payload.op}${x.payload.after.id}`)).to.deep.equal(['c1', 'c2', 'u1', 'c3', 'u2']);
    expect(fieldsOf(e[0])).to.deep.equal(['id', 'a']);
    expect(fieldsOf(e[1])).to.deep.equal(['id', 'a', 'b']);
    expect(e[1].payload.after).to.deep.equal({ id: 2, a: 'two', b: 7 });
    expect(e[2].payload.after).to.deep.equal({ id: 1, a: 'uno', b: 5 });
    const bField = e[1].schema.fields.find((f: { field: string }) => f.field === 'after').fields[2];
    expect(bField).to.deep.include({ type: 'int32', optional: false, default: 5 });
    expect(fieldsOf(e[3])).to.deep.equal(['id', 'b']);
    expect(e[3].payload.after).to.deep.equal({ id: 3, b: 9 });
    expect(e[4].payload.after).to.deep.equal({ id: 2, b: 6 });
  });

  it('a transaction of 100,000 rows streams with bounded memory', async () => {
    const pgEnv = env().postgres;
    const t = pgName('bigtx');
    const rows = 100_000;
    await withPg(pgEnv, (c) => c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`), db);
    // The worker's JS heap is capped below what the transaction's records would take if held.
    const heapMb = 128;
    const { w, prefix, slot } = await startWorker([t], {}, { 'value.converter.schemas.enable': false }, [
      `--max-old-space-size=${heapMb}`,
    ]);
    const before = await peakRssMb(w.pid!);
    // One transaction of about 100 MB of row data (1 kB a row), then a one-row marker
    // transaction whose record carries the big one's commit as lsn_commit.
    const inside = await withPg(
      pgEnv,
      async (c) => {
        await c.query('BEGIN');
        await c.query(`INSERT INTO ${t} SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, ${rows}) g`);
        const lsn = (await c.query('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string;
        await c.query('COMMIT');
        await c.query(`INSERT INTO ${t} VALUES (${rows + 1}, 'marker')`);
        return lsn;
      },
      db,
    );
    // The slot confirms only what the worker stored offsets for, i.e. what reached Kafka.
    await eventually(
      'the slot to confirm the whole transaction',
      () =>
        withPg(pgEnv, async (c) => {
          const r = await c.query(
            'SELECT confirmed_flush_lsn >= $2::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $1',
            [slot, inside],
          );
          return r.rows[0]?.ok === true;
        }),
      { timeoutMs: 480_000, intervalMs: 1000 },
    );
    const peak = await peakRssMb(w.pid!);
    const records = await readTopic(
      testKafka(env().kafka.bootstrapServers),
      `${prefix}.public.${t}`,
      rows + 1,
      120_000,
    );
    const keys = new Set(records.map((r) => r.key));
    console.log(
      `      100k-row transaction (~100 MB of rows, heap capped at ${heapMb} MB): worker peak RSS ${Math.round(before)} MB before, ` +
        `${Math.round(peak)} MB after; ${records.length} records, ${keys.size} keys`,
    );
    expect(keys.size).to.equal(rows + 1);
    // The worker never died of its capped heap: the same process streamed it all.
    expect(w.exitCode).to.equal(undefined);
    expect((await w.rest('GET', '/connectors/cdc/status')).body.tasks[0].state).to.equal('RUNNING');
  });
});

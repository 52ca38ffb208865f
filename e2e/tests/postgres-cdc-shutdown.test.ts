// A clean restart of PostgreSQL (pg_ctl stop -m fast, the usual maintenance
// restart) while the CDC connector streams, on a server of the test's own.
// PostgreSQL's fast shutdown waits until every logical walsender's client has
// confirmed all the WAL it was sent; a client that answers the shutdown
// keepalives with an older position keeps it waiting for ever (pg_ctl gives
// up, the server stays half shut down). Found by the issue-14 pipeline run:
// the connector confirmed only what its stored offsets covered. Now, idle and
// with every emitted record's offset stored, it confirms the server's WAL
// end, as PostgreSQL's own subscribers do; the shutdown completes and the
// connector streams again after the restart, losing nothing.
import { expect } from 'chai';
import { debeziumConfig } from '../src/cdc.js';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { pgName, withPg } from '../src/pg.js';
import { PrivatePostgres } from '../src/private-postgres.js';
import { type RuntimeProcess, standaloneWorker, tempDir } from '../src/runtime-process.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

describe('PostgreSQL CDC connector: a clean PostgreSQL restart while streaming @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  let server: PrivatePostgres | undefined;
  let worker: RuntimeProcess | undefined;

  after(async () => {
    await worker?.kill();
    await server?.destroy();
  });

  it('lets the fast shutdown complete, then streams again from where it was', async () => {
    server = await PrivatePostgres.create();
    const pgEnv = server.env;
    await withPg(pgEnv, async (c) => {
      await c.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await c.query(`INSERT INTO t SELECT g, 'snapshot' FROM generate_series(1, 10) g`);
    });
    const dir = await tempDir('cdc-shutdown');
    worker = await standaloneWorker({
      bootstrapServers: env().kafka.bootstrapServers,
      dir,
      converter: JSON_CONVERTER,
      flushIntervalMs: 500,
      props: { 'value.converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'false' },
    });
    const w = await worker.start();
    const prefix = pgName('shut');
    const slot = pgName('slot');
    const { name: _name, ...cfg } = debeziumConfig(pgEnv, {
      name: 'x',
      database: pgEnv.database,
      prefix,
      slot,
      tables: 'public.t',
    });
    expect((await w.rest('PUT', '/connectors/cdc/config', cfg)).status).to.equal(201);
    const activeSlot = () =>
      withPg(pgEnv, async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE active')).rows.length === 1);
    await eventually('the slot to stream', activeSlot, { timeoutMs: 60_000 });
    await withPg(pgEnv, async (c) => {
      for (let i = 1; i <= 10; i++) await c.query(`UPDATE t SET v = 'before restart' WHERE id = $1`, [i]);
    });
    const kafka = testKafka(env().kafka.bootstrapServers);
    const topic = `${prefix}.public.t`;
    await readTopic(kafka, topic, 20, 60_000);
    await new Promise((r) => setTimeout(r, 1_500)); // an offset flush after the last event

    // pg_ctl gives up after 120 s and throws; before the fix it did, every time.
    await server.restart();

    await eventually('the slot to stream again', activeSlot, { timeoutMs: 120_000, intervalMs: 500 });
    await withPg(pgEnv, (c) => c.query(`UPDATE t SET v = 'after restart' WHERE id = 1`));
    const after = await eventually(
      'the change made after the restart in Kafka',
      async () => {
        const all = await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 5_000);
        return all.some((r) => String(r.value).includes('after restart')) ? all : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(after.filter((r) => String(r.value).includes('before restart'))).to.have.length.at.least(10);
  });
});

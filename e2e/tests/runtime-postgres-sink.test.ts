// The PostgreSQL sink (configured as the Debezium JDBC sink) through a real
// worker and broker into the real PostgreSQL: Debezium change events with
// replays converge to the source's final state; a missing table with
// schema.evolution=none fails the task clearly; refused rows go to the DLQ.
import { expect } from 'chai';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { createTopic, produce, readTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import { createTestDatabase, dropTestDatabase, withPg } from '../src/pg.js';
import { type RuntimeProcess, STRING_CONVERTER, standaloneWorker, tempDir } from '../src/runtime-process.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

/** A Debezium PostgreSQL change event for table public.items(id int PK, name text, price numeric(10,2), seen timestamptz), as JsonConverter writes it. */
function debeziumEvent(op: 'c' | 'u' | 'd', id: number, row: { name: string; cents: number } | null) {
  const field = (type: string, name: string, optional: boolean, extra: object = {}) => ({
    type,
    optional,
    field: name,
    ...extra,
  });
  const rowFields = [
    field('int32', 'id', false),
    field('string', 'name', true),
    field('bytes', 'price', true, {
      name: 'org.apache.kafka.connect.data.Decimal',
      version: 1,
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    }),
    field('string', 'seen', true, { name: 'io.debezium.time.ZonedTimestamp', version: 1 }),
  ];
  const rowSchema = (f: string) => ({
    type: 'struct',
    fields: rowFields,
    optional: true,
    name: 'db.public.items.Value',
    field: f,
  });
  const payloadRow = (r: { name: string; cents: number }) => ({
    id,
    name: r.name,
    price: Buffer.from(r.cents.toString(16).padStart(8, '0'), 'hex').toString('base64'),
    seen: '2025-01-15T10:30:00.123456Z',
  });
  const value = {
    schema: {
      type: 'struct',
      fields: [
        rowSchema('before'),
        rowSchema('after'),
        {
          type: 'struct',
          fields: [field('string', 'schema', false), field('string', 'table', false)],
          optional: false,
          name: 'io.debezium.connector.postgresql.Source',
          field: 'source',
        },
        field('string', 'op', false),
      ],
      optional: false,
      name: 'db.public.items.Envelope',
      version: 2,
    },
    payload: {
      before: op === 'd' ? { id, name: null, price: null, seen: null } : null,
      after: row ? payloadRow(row) : null,
      source: { schema: 'public', table: 'items' },
      op,
    },
  };
  const key = {
    schema: { type: 'struct', fields: [field('int32', 'id', false)], optional: false, name: 'db.public.items.Key' },
    payload: { id },
  };
  return { key: JSON.stringify(key), value: JSON.stringify(value) };
}

describe('runtime: PostgreSQL sink @env', function () {
  this.timeout(180_000);
  const env = withEnv();
  let worker: RuntimeProcess;
  let database: string;
  let url: string;
  const kafka = () => testKafka(env().kafka.bootstrapServers);
  const q = <T>(sql: string) => withPg(env().postgres, async (c) => (await c.query(sql)).rows as T[], database);

  before(async () => {
    database = await createTestDatabase(env().postgres, 'sink');
    url = `jdbc:postgresql://${env().postgres.host}:${env().postgres.port}/${database}`;
    const dir = await tempDir('pg-sink');
    worker = await standaloneWorker({
      bootstrapServers: env().kafka.bootstrapServers,
      dir,
      converter: STRING_CONVERTER,
      flushIntervalMs: 1000,
    });
    await worker.start();
  });
  after(async () => {
    await worker?.kill();
    if (database) await dropTestDatabase(env().postgres, database).catch(() => undefined);
  });

  const connector = async (extra: Record<string, string>) => {
    const name = randomName('pg-sink');
    const res = await worker.rest('PUT', `/connectors/${name}/config`, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'connection.url': url,
      'connection.username': env().postgres.user,
      'connection.password': env().postgres.password,
      'key.converter': JSON_CONVERTER,
      'value.converter': JSON_CONVERTER,
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return name;
  };
  const taskStatus = async (name: string) => (await worker.rest('GET', `/connectors/${name}/status`)).body?.tasks?.[0];

  it('applies Debezium change events with upserts and deletes; a replayed suffix converges to the same rows', async () => {
    const topic = randomName('db.public.items');
    await createTopic(kafka(), topic, 2);
    const state = new Map<number, { name: string; cents: number }>();
    const events: Array<{ key: string; value: string | null }> = [];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 3000; i++) {
      const id = rand(200);
      if (state.has(id) && rand(4) === 0) {
        state.delete(id);
        const e = debeziumEvent('d', id, null);
        events.push(e, { key: e.key, value: null });
      } else {
        const row = { name: `item ${id} v${i}`, cents: rand(100000) };
        events.push(debeziumEvent(state.has(id) ? 'u' : 'c', id, row));
        state.set(id, row);
      }
    }
    // At-least-once: a suffix delivered twice, as after a crash before an offset commit.
    await produce(kafka(), topic, [...events, ...events.slice(2000)]);
    const name = await connector({
      topics: topic,
      'tasks.max': '2',
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'delete.enabled': 'true',
      'schema.evolution': 'basic',
      'collection.name.format': 'replica_${source.table}',
      'batch.size': '100',
    });
    const expected = [...state]
      .sort(([a], [b]) => a - b)
      .map(([id, r]) => `${id}|${r.name}|${(r.cents / 100).toFixed(2)}`);
    await eventually(
      `the replica table to equal the source state (log: ${worker.logFile})`,
      async () => {
        const rows = await q<{ line: string }>(
          `SELECT id || '|' || name || '|' || price AS line FROM replica_items ORDER BY id`,
        ).catch(() => []);
        return rows.length === expected.length && rows.every((r, i) => r.line === expected[i]);
      },
      { timeoutMs: 120_000 },
    );
    const types = await q<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'replica_items' ORDER BY ordinal_position`,
    );
    expect(types.map((t) => `${t.column_name}:${t.data_type}`)).to.deep.equal([
      'id:integer',
      'name:text',
      'price:numeric',
      'seen:timestamp with time zone',
    ]);
    const [seen] = await q<{ s: string }>(
      `SELECT to_char(seen AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS s FROM replica_items LIMIT 1`,
    );
    expect(seen?.s).to.equal('2025-01-15 10:30:00.123456');
    expect((await taskStatus(name)).state).to.equal('RUNNING');
  });

  it('fails the task with a clear error for a missing table under schema.evolution=none', async () => {
    const topic = randomName('flat');
    await createTopic(kafka(), topic);
    await produce(kafka(), topic, [{ value: '{"id":1}' }]);
    const name = await connector({
      topics: topic,
      'value.converter.schemas.enable': 'false',
      'key.converter': STRING_CONVERTER,
    });
    const task = await eventually('the task to fail', async () => {
      const t = await taskStatus(name);
      return t?.state === 'FAILED' ? t : undefined;
    });
    expect(task.trace).to.include(`Table "${topic.replace(/\./g, '_')}" does not exist and schema.evolution=none`);
  });

  it('sends rows that break a constraint or a column type to the DLQ and writes the others', async () => {
    const topic = randomName('orders');
    const table = topic.replace(/-/g, '_');
    const dlq = randomName('pg-dlq');
    await q(`CREATE TABLE ${table} (id int PRIMARY KEY, qty int CHECK (qty >= 0))`);
    await createTopic(kafka(), topic);
    await produce(kafka(), topic, [
      { value: '{"id":1,"qty":5}' },
      { value: '{"id":2,"qty":-1}' },
      { value: '{"id":3,"qty":"many"}' },
      { value: '{"id":4,"qty":7}' },
    ]);
    await connector({
      topics: topic,
      'collection.name.format': table,
      'key.converter': STRING_CONVERTER,
      'value.converter.schemas.enable': 'false',
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_value',
      'primary.key.fields': 'id',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    const dead = await readTopic(kafka(), dlq, 2, 90_000);
    expect(dead.map((d) => d.value)).to.deep.equal(['{"id":2,"qty":-1}', '{"id":3,"qty":"many"}']);
    expect(dead.map((d) => d.headers['__connect.errors.sql.state']?.toString())).to.deep.equal(['23514', '22P02']);
    expect(dead[0]!.headers['__connect.errors.exception.message']?.toString()).to.include('violates check constraint');
    const rows = await q<{ id: number; qty: number }>(`SELECT id, qty FROM ${table} ORDER BY id`);
    expect(rows).to.deep.equal([
      { id: 1, qty: 5 },
      { id: 4, qty: 7 },
    ]);
  });
});

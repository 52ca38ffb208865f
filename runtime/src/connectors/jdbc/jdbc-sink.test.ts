// The PostgreSQL sink's pure parts: settings, JDBC URLs, how records become
// operations, type mapping and SQL text.
import { expect } from 'chai';
import { Schemas, structSchema, primitiveSchema, type SinkRecord } from '../../sdk/index.js';
import { JdbcSinkConnector } from './jdbc-sink-connector.js';
import { parseJdbcSinkConfig } from './jdbc-sink-config.js';
import { parseJdbcUrl } from './jdbc-url.js';
import { isConnectionError, isRecordError } from './pg-errors.js';
import { pgType, pgValue, unscaledToDecimal } from './pg-types.js';
import { planRuns, type Item } from './pg-writer.js';
import { toSinkOp } from './sink-op.js';
import { deleteRows, insertRows } from './sql.js';

const URL = 'jdbc:postgresql://db.example:5433/shop?sslmode=require';
const config = (extra: Record<string, string> = {}) => parseJdbcSinkConfig({ 'connection.url': URL, ...extra });

const keySchema = structSchema([['id', Schemas.INT32]], { name: 'shop.public.orders.Key' });
const rowSchema = structSchema(
  [
    ['id', Schemas.INT32],
    ['Note', Schemas.OPTIONAL_STRING],
  ],
  { name: 'shop.public.orders.Value', optional: true },
);
const envelopeSchema = structSchema(
  [
    ['before', rowSchema],
    ['after', rowSchema],
    [
      'source',
      structSchema(
        [
          ['table', Schemas.STRING],
          ['schema', Schemas.STRING],
        ],
        { optional: true },
      ),
    ],
    ['op', Schemas.STRING],
  ],
  { name: 'shop.public.orders.Envelope' },
);
const event = (op: string, id: number, offset = 0): SinkRecord => ({
  topic: 'shop.public.orders',
  kafkaPartition: 0,
  kafkaOffset: offset,
  keySchema,
  key: { id },
  valueSchema: envelopeSchema,
  value: {
    op,
    before: op === 'd' ? { id, Note: 'old' } : null,
    after: op === 'd' ? null : { id, Note: `n${id}` },
    source: { schema: 'public', table: 'orders' },
  },
});

describe('JdbcSinkConnector settings', () => {
  it('takes the Debezium JDBC sink keys with its defaults and cross-checks', () => {
    const c = config();
    expect(c).to.include({ insertMode: 'insert', primaryKeyMode: 'none', schemaEvolution: 'none', batchSize: 500 });
    expect(c.collectionNameFormat).to.equal('${topic}');
    expect(config({ 'table.name.format': 'x_${topic}' }).collectionNameFormat).to.equal('x_${topic}');
    const errorsOf = (props: Record<string, string>) =>
      Object.fromEntries(
        new JdbcSinkConnector()
          .validate({ 'connection.url': URL, ...props })
          .filter((v) => v.errors.length)
          .map((v) => [v.name, v.errors.join()]),
      );
    expect(errorsOf({ 'insert.mode': 'upsert' })['primary.key.mode']).to.match(/needs a primary key/);
    expect(errorsOf({ 'delete.enabled': 'true', 'primary.key.mode': 'kafka' })['delete.enabled']).to.match(
      /record_key/,
    );
    expect(errorsOf({ 'connection.url': 'jdbc:mysql://x/y' })['connection.url']).to.match(/only PostgreSQL/);
    expect(errorsOf({ 'insert.mode': 'merge' })).to.have.keys('insert.mode');
    expect(errorsOf({ 'insert.mode': 'upsert', 'primary.key.mode': 'record_key' })).to.deep.equal({});
    for (const k of new JdbcSinkConnector().config().keys()) expect(k.documentation, k.name).to.have.length.above(10);
  });

  it('reads jdbc:postgresql URLs with port, database, credentials and sslmode', () => {
    expect(parseJdbcUrl('u', 'jdbc:postgresql://h:6543/db?user=a&password=b&sslmode=require')).to.deep.equal({
      host: 'h',
      port: 6543,
      database: 'db',
      user: 'a',
      password: 'b',
      ssl: { rejectUnauthorized: false },
    });
    expect(parseJdbcUrl('u', 'jdbc:postgresql://h1,h2/db')).to.include({ host: 'h1', port: 5432, ssl: false });
    expect(config({ 'connection.username': 'me', 'connection.password': 'pw' }).connection).to.include({
      user: 'me',
      password: 'pw',
    });
  });
});

describe('JdbcSinkConnector records to operations', () => {
  const upsertCfg = config({
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_key',
    'delete.enabled': 'true',
    'truncate.enabled': 'true',
  });

  it('reads Debezium change events: c/r/u write after, d and tombstones delete, t truncates, m is skipped', () => {
    const op = toSinkOp(event('c', 1), upsertCfg);
    expect(op.kind).to.equal('upsert');
    if (op.kind !== 'upsert') return;
    expect(op.table).to.deep.equal({ schema: null, name: 'shop_public_orders' });
    expect(op.cells.map((c) => [c.name, c.value])).to.deep.equal([
      ['id', 1],
      ['note', 'n1'],
    ]);
    expect(op.key).to.deep.equal(['id']);
    expect(toSinkOp(event('r', 1), upsertCfg).kind).to.equal('upsert');
    expect(toSinkOp(event('d', 1), upsertCfg)).to.deep.include({ kind: 'delete' });
    expect(toSinkOp({ ...event('d', 1), value: null, valueSchema: null }, upsertCfg).kind).to.equal('delete');
    expect(toSinkOp({ ...event('t', 1), key: null }, upsertCfg).kind).to.equal('truncate');
    expect(toSinkOp(event('m', 1), upsertCfg).kind).to.equal('skip');
    expect(toSinkOp(event('d', 1), config()).kind).to.equal('skip');
  });

  it('reads flat and schemaless records, names tables from the format, keeps case with quote.identifiers', () => {
    const flat: SinkRecord = { topic: 'a.b', kafkaPartition: 2, kafkaOffset: 9, value: { Id: 5, tags: ['x'] } };
    const kafka = toSinkOp(flat, config({ 'primary.key.mode': 'kafka', 'quote.identifiers': 'true' }));
    expect(kafka).to.deep.include({ kind: 'upsert', table: { schema: null, name: 'a_b' } });
    if (kafka.kind === 'upsert') {
      expect(kafka.key).to.deep.equal(['__connect_topic', '__connect_partition', '__connect_offset']);
      expect(kafka.cells.map((c) => c.name)).to.deep.equal(['Id', 'tags', ...kafka.key]);
    }
    const named = toSinkOp(event('u', 3), config({ 'collection.name.format': 'replica.${source.table}' }));
    expect(named).to.deep.include({ table: { schema: 'replica', name: 'orders' } });
    const byValue = toSinkOp(flat, config({ 'primary.key.mode': 'record_value', 'primary.key.fields': 'id' }));
    expect(byValue).to.deep.include({ key: ['id'] });
    expect(() => toSinkOp({ ...flat, value: 'text' }, config())).to.throw(/not a struct or object/);
    expect(() => toSinkOp({ ...flat, key: 7 }, upsertCfg)).to.throw(/primitive key needs primary.key.fields/);
  });

  it('groups operations per table into runs of one kind, in record order per table', () => {
    const items = [event('c', 1, 0), event('u', 2, 1), event('d', 1, 2), event('c', 3, 3)].map(
      (record) => ({ record, op: toSinkOp(record, upsertCfg) }) as Item,
    );
    const other = { ...event('c', 9, 4), topic: 'other' };
    items.splice(1, 0, { record: other, op: toSinkOp(other, upsertCfg) } as Item);
    expect(planRuns(items).map((r) => [r.table.name, r.kind, r.items.map((i) => i.record.kafkaOffset)])).to.deep.equal([
      ['shop_public_orders', 'upsert', [0, 1]],
      ['shop_public_orders', 'delete', [2]],
      ['shop_public_orders', 'upsert', [3]],
      ['other', 'upsert', [4]],
    ]);
  });
});

describe('JdbcSinkConnector types and SQL', () => {
  it('maps Connect and Debezium types to PostgreSQL and converts values', () => {
    const dec = primitiveSchema('bytes', {
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    });
    expect(pgType(dec, null)).to.equal('numeric(10,2)');
    expect(pgValue(dec, Buffer.from('07cf', 'hex'))).to.equal('19.99');
    expect(unscaledToDecimal(Buffer.from('ff', 'hex'), 1)).to.equal('-0.1');
    const micro = primitiveSchema('int64', { name: 'io.debezium.time.MicroTimestamp' });
    expect(pgType(micro, null)).to.equal('timestamp');
    expect(pgValue(micro, 1736937000123456)).to.equal('2025-01-15 10:30:00.123456');
    expect(pgValue(micro, -1)).to.equal('1969-12-31 23:59:59.999999');
    expect(pgValue(micro, 9223372036825200000n)).to.equal('infinity');
    expect(pgValue(primitiveSchema('int32', { name: 'io.debezium.time.Date' }), 20103)).to.equal('2025-01-15');
    expect(pgValue(primitiveSchema('int64', { name: 'io.debezium.time.MicroTime' }), 3_723_000_001)).to.equal(
      '01:02:03.000001',
    );
    expect(pgType(primitiveSchema('string', { name: 'io.debezium.time.ZonedTimestamp' }), null)).to.equal(
      'timestamptz',
    );
    expect(pgType(primitiveSchema('string', { name: 'io.debezium.data.Uuid' }), null)).to.equal('uuid');
    expect(pgType(Schemas.INT64, null)).to.equal('bigint');
    expect(pgValue(Schemas.INT64, 2n ** 62n)).to.equal('4611686018427387904');
    expect(pgType(null, 1.5)).to.equal('double precision');
    expect(pgType(null, { a: 1 })).to.equal('jsonb');
    expect(pgValue(null, { a: 1 })).to.equal('{"a":1}');
  });

  it('builds multi-row upserts and deletes with quoted identifiers and parameters only', () => {
    const t = { schema: 'my"s', name: 'T' };
    expect(
      insertRows(
        t,
        ['id', 'v'],
        [
          [1, 'a'],
          [2, 'b'],
        ],
        ['id'],
      ),
    ).to.deep.equal({
      text: 'INSERT INTO "my""s"."T" ("id","v") VALUES ($1,$2),($3,$4) ON CONFLICT ("id") DO UPDATE SET "v"=EXCLUDED."v"',
      values: [1, 'a', 2, 'b'],
    });
    expect(insertRows(t, ['id'], [[1]], ['id']).text).to.match(/DO NOTHING$/);
    expect(
      deleteRows(
        t,
        ['a', 'b'],
        [
          [1, 2],
          [3, 4],
        ],
      ).text,
    ).to.equal('DELETE FROM "my""s"."T" WHERE ("a","b") IN (($1,$2),($3,$4))');
  });

  it('tells an unreachable database from a refused record', () => {
    expect(isConnectionError({ code: 'ECONNREFUSED' })).to.equal(true);
    expect(isConnectionError({ code: '57P01' })).to.equal(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(isConnectionError({ code: '23505' })).to.equal(false);
    expect(isRecordError({ code: '22P02' })).to.equal(true);
    expect(isRecordError({ code: '23502' })).to.equal(true);
    expect(isRecordError({ code: '42P01' })).to.equal(false);
  });
});

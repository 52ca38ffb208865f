// Shared by the CDC tests and the Debezium side-by-side run: a table with
// every type of the list, rows that exercise them, and Debezium-style
// connector configs pointing at the environment's PostgreSQL.
import type pg from 'pg';
import type { Kafka } from 'kafkajs';
import { eventually } from './eventually.js';
import { readTopic } from './kafka.js';
import type { PostgresEnv } from './env.js';

export const TYPES_TABLE_DDL = (table: string) => `
  DO $$ BEGIN CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
  CREATE TABLE ${table} (
    id int PRIMARY KEY,
    c_int2 smallint, c_int4 integer NOT NULL DEFAULT 7, c_int8 bigint,
    c_num numeric(10,2), c_num_free numeric, c_real real, c_double double precision,
    c_text text, c_varchar varchar(20), c_char char(3), c_bool boolean NOT NULL DEFAULT false,
    c_date date, c_time time, c_time3 time(3), c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz,
    c_timetz timetz, c_interval interval, c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea,
    c_int_arr int[], c_text_arr text[], c_mood mood
  )`;

/** Row i of the types table as an INSERT's column list and values. */
export function typesRow(i: number): string {
  return `(${i}, ${i % 32000}, ${i}, ${i * 1_000_000_007}, ${i}.25, ${i}.125, 1.5, 2.25e10,
    'text ${i} é', 'vc${i}', 'ab', ${i % 2 === 0},
    '2024-02-29', '13:45:56.123456', '01:02:03.456', '2025-01-15 10:30:00.123456', '2025-01-15 10:30:00.5',
    '2025-01-15 10:30:00.123456+02', '10:00:00+01', '1 year 2 mons 3 days 04:05:06.5',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a${String(i % 100).padStart(2, '0')}', '{"a": ${i}}', '{"b": [1, 2]}',
    '\\x00ff10', '{1,2,NULL}', '{"x y","z"}', 'happy')`;
}

export const TYPES_COLUMNS =
  '(id, c_int2, c_int4, c_int8, c_num, c_num_free, c_real, c_double, c_text, c_varchar, c_char, c_bool, ' +
  'c_date, c_time, c_time3, c_ts, c_ts3, c_tstz, c_timetz, c_interval, c_uuid, c_json, c_jsonb, c_bytea, ' +
  'c_int_arr, c_text_arr, c_mood)';

export async function insertTypesRows(c: pg.Client, table: string, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await c.query(
      `INSERT INTO ${table} ${TYPES_COLUMNS} VALUES ${ids
        .slice(i, i + 500)
        .map(typesRow)
        .join(',')}`,
    );
}

/** A Debezium PostgresConnector config (the keys Debezium's docs use) for the env's database. */
export function debeziumConfig(
  pgEnv: PostgresEnv,
  opts: { name: string; database: string; prefix: string; slot: string; tables: string; host?: string },
): Record<string, string> {
  return {
    name: opts.name,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': opts.host ?? pgEnv.host,
    'database.port': String(pgEnv.port),
    'database.user': pgEnv.user,
    'database.password': pgEnv.password,
    'database.dbname': opts.database,
    'topic.prefix': opts.prefix,
    'plugin.name': 'pgoutput',
    'slot.name': opts.slot,
    'publication.name': `${opts.slot}_pub`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': opts.tables,
  };
}

/** What a topic holds, counted by primary key and by (key, op, LSN). */
/** Waits until every one of `expected` keys is on the topic (change events only, tombstones left out). */
export async function countByKey(kafka: Kafka, topic: string, expected: number) {
  return eventually(
    `all ${expected} keys on ${topic}`,
    async () => {
      const records = (await readTopic(kafka, topic, 1e9, 5000)).filter((r) => r.value !== null);
      const events = records.map((r) => {
        const p = JSON.parse(r.value!).payload;
        return { id: JSON.parse(r.key!).payload.id as number, op: p.op as string, lsn: p.source.lsn as number };
      });
      const keys = new Set(events.map((e) => e.id));
      if (keys.size < expected) return undefined;
      const streamed = events.filter((e) => e.op !== 'r');
      const streamedDistinct = new Set(streamed.map((e) => `${e.id}/${e.op}/${e.lsn}`)).size;
      return {
        records: events.length,
        keys: keys.size,
        duplicates: events.length - keys.size,
        snapshotReads: events.length - streamed.length,
        streamed: streamed.length,
        streamedRepeats: streamed.length - streamedDistinct,
      };
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
}

// npm run cdc:compare: the same PostgreSQL changes captured side by side by
// Debezium 3.6.1.Final on Apache Kafka Connect 4.3.1 and by Sluice's
// PostgreSQL connector (both standalone, JsonConverter with schemas), then
// compared event by event: keys, values, schemas and `source` fields, with
// the topic prefix normalised and the timings left out. Two of the tables
// have TOASTed columns (REPLICA IDENTITY DEFAULT and FULL), updated with and
// without touching them. Prints every difference and exits 1 when there are
// any not listed as known.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, useEnv } from '../e2e/src/env.js';
import { readTopic, testKafka } from '../e2e/src/kafka.js';
import { createTestDatabase, dropTestDatabase, pgName, withPg } from '../e2e/src/pg.js';
import { freePort, toProperties } from '../e2e/src/runtime-process.js';
import { TYPES_TABLE_DDL, debeziumConfig, insertTypesRows } from '../e2e/src/cdc.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
/** Debezium's unavailable.value.placeholder, as a string and as bytes (base64 in JSON). */
const PLACEHOLDERS: unknown[] = [
  '__debezium_unavailable_value',
  Buffer.from('__debezium_unavailable_value').toString('base64'),
];
/** uuid[]'s placeholder: Java's UUID.nameUUIDFromBytes of the placeholder's bytes. */
const PLACEHOLDER_UUID = 'b68a35a7-17ad-35b3-af2a-ae46edb4545a';
/** Whether a field of Debezium's carries the placeholder, alone or in an array (as text, bytes, UUID or byte values). */
const isPlaceholder = (v: unknown): boolean =>
  PLACEHOLDERS.includes(v) ||
  (Array.isArray(v) &&
    (PLACEHOLDERS.includes(v[0]) ||
      v[0] === PLACEHOLDER_UUID ||
      JSON.stringify(v) === JSON.stringify([...Buffer.from('__debezium_unavailable_value')])));
/** About 9.6 kB of hex that compresses poorly, so it is stored out of line (TOASTed); as in postgres-cdc-changes.test.ts. */
const BIG = `(SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 300) g)`;
/**
 * The TOAST tables' columns: `big` and `blob` as above, arrays of the types
 * Debezium gives typed placeholders (and one it does not: numeric[]), and a
 * numeric of 9,900 random digits, each 5-15 kB and stored out of line;
 * `n` is small.
 */
const TOAST_COLUMNS: ReadonlyArray<readonly [string, string, string]> = [
  ['big', 'text', BIG],
  ['blob', 'bytea', `decode(${BIG}, 'hex')`],
  ['tarr', 'text[]', `ARRAY(SELECT md5(random()::text || g) FROM generate_series(1, 300) g)`],
  ['varr', 'varchar(40)[]', `ARRAY(SELECT md5(random()::text || g) FROM generate_series(1, 300) g)`],
  ['jarr', 'jsonb[]', `ARRAY(SELECT to_jsonb(md5(random()::text || g)) FROM generate_series(1, 300) g)`],
  ['barr', 'bytea[]', `ARRAY(SELECT decode(md5(random()::text || g), 'hex') FROM generate_series(1, 600) g)`],
  ['iarr', 'int[]', `ARRAY(SELECT (random() * 2e9)::int FROM generate_series(1, 3000) g)`],
  ['larr', 'bigint[]', `ARRAY(SELECT (random() * 9e18)::bigint FROM generate_series(1, 1500) g)`],
  ['darr', 'date[]', `ARRAY(SELECT date '2000-01-01' + (random() * 20000)::int FROM generate_series(1, 3000) g)`],
  ['uarr', 'uuid[]', `ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 600) g)`],
  ['narr', 'numeric[]', `ARRAY(SELECT (random() * 1e9)::numeric(12, 2) FROM generate_series(1, 1500) g)`],
  [
    'num',
    'numeric',
    `(SELECT string_agg(lpad((random() * 1e9)::bigint::text, 9, '0'), '') FROM generate_series(1, 1100) g)::numeric`,
  ],
];
const toastRow = (id: number) => `(${id}, ${TOAST_COLUMNS.map(([, , v]) => v).join(', ')}, 1)`;
/** Fields that differ by nature: processing times, and Sluice's version string. */
const IGNORED = [/\.ts_(ms|us|ns)$/, /^value\.payload\.source\.version$/];

async function main(): Promise<void> {
  const started = Date.now();
  const env = await useEnv();
  const pgEnv = env.postgres;
  const { stdout } = await promisify(execFile)('bash', [path.join(repoRoot, 'e2e/env/debezium.sh'), 'jars']);
  const pluginPath = stdout.trim().split('\n').at(-1)!;
  const db = await createTestDatabase(pgEnv, 'cmp');
  const dir = await mkdtemp(path.join(tmpdir(), 'cdc-compare-'));
  const children: ChildProcess[] = [];
  try {
    // The TOAST tables: every column but `id` and `n` is stored out of line (TOAST_COLUMNS).
    const tables = [pgName('types'), pgName('full'), pgName('toastd'), pgName('toastf')];
    const toastTables = tables.slice(2);
    await withPg(
      pgEnv,
      async (c) => {
        await c.query(TYPES_TABLE_DDL(tables[0]!));
        await insertTypesRows(c, tables[0]!, [1, 2]);
        await c.query(`CREATE TABLE ${tables[1]} (id int PRIMARY KEY, v text, n numeric(5,1) NOT NULL DEFAULT 0)`);
        await c.query(`ALTER TABLE ${tables[1]} REPLICA IDENTITY FULL`);
        await c.query(`INSERT INTO ${tables[1]} VALUES (1, 'a', 1.5), (2, 'b', 2.5)`);
        for (const t of toastTables) {
          const columns = TOAST_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
          await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, ${columns}, n int)`);
          // numeric's default storage (main) keeps a 5 kB value inline; EXTERNAL moves it out of line.
          await c.query(`ALTER TABLE ${t} ALTER COLUMN num SET STORAGE EXTERNAL`);
          await c.query(`INSERT INTO ${t} VALUES ${toastRow(1)}, ${toastRow(2)}`);
        }
        await c.query(`ALTER TABLE ${tables[3]} REPLICA IDENTITY FULL`);
      },
      db,
    );
    const include = tables.map((t) => `public.${t}`).join(',');
    const impls = ['debezium', 'sluice'] as const;
    const prefixes = { debezium: pgName('dbz'), sluice: pgName('sl') };
    for (const impl of impls) {
      const port = await freePort();
      const workerFile = path.join(dir, `${impl}-worker.properties`);
      const connectorFile = path.join(dir, `${impl}-connector.properties`);
      await writeFile(
        workerFile,
        toProperties({
          'bootstrap.servers': env.kafka.bootstrapServers,
          'key.converter': JSON_CONVERTER,
          'value.converter': JSON_CONVERTER,
          'offset.storage.file.filename': path.join(dir, `${impl}-offsets`),
          'offset.flush.interval.ms': 1000,
          listeners: `http://127.0.0.1:${port}`,
          ...(impl === 'debezium' ? { 'plugin.path': pluginPath } : {}),
        }),
      );
      const slot = `${prefixes[impl]}_slot`;
      await writeFile(
        connectorFile,
        toProperties(
          debeziumConfig(pgEnv, { name: impl, database: db, prefix: prefixes[impl], slot, tables: include }),
        ),
      );
      const log = path.join(dir, `${impl}.log`);
      const child =
        impl === 'debezium'
          ? spawn('bash', [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'standalone', workerFile, connectorFile], {
              stdio: 'ignore',
              env: { ...process.env, SLUICE_CONNECT_LOG: log },
            })
          : spawn(
              process.execPath,
              [path.join(repoRoot, 'dist/runtime/src/cli.js'), 'standalone', workerFile, connectorFile],
              {
                stdio: ['ignore', 'ignore', 'ignore'],
              },
            );
      children.push(child);
    }
    const kafka = testKafka(env.kafka.bootstrapServers);
    const topic = (impl: (typeof impls)[number], t: string) => `${prefixes[impl]}.public.${t}`;
    const waitFor = async (n: number) => {
      for (const impl of impls)
        for (const t of tables) {
          const got = await readTopic(kafka, topic(impl, t), n, 180_000);
          if (got.length < n)
            throw new Error(`${impl}: only ${got.length} of ${n} records on ${topic(impl, t)} (log in ${dir})`);
        }
    };
    await waitFor(2);
    console.error(`[cdc-compare] both snapshots done after ${Math.round((Date.now() - started) / 1000)} s`);
    await withPg(
      pgEnv,
      async (c) => {
        await insertTypesRows(c, tables[0]!, [3]);
        await c.query(`UPDATE ${tables[0]} SET c_text = 'changed', c_num = NULL, c_int_arr = '{}' WHERE id = 1`);
        await c.query(`DELETE FROM ${tables[0]} WHERE id = 2`);
        await c.query(`UPDATE ${tables[0]} SET id = 30 WHERE id = 3`);
        await c.query(`INSERT INTO ${tables[1]} VALUES (3, NULL, 3.5)`);
        await c.query(`UPDATE ${tables[1]} SET v = 'changed' WHERE id = 1`);
        await c.query(`DELETE FROM ${tables[1]} WHERE id = 2`);
        for (const t of toastTables) {
          await c.query(`INSERT INTO ${t} VALUES ${toastRow(3)}`);
          await c.query(`UPDATE ${t} SET n = 2 WHERE id = 1`); // all TOASTed columns unchanged: placeholders
          await c.query(`UPDATE ${t} SET big = ${BIG}, n = 3 WHERE id = 1`); // a new TOASTed big, the rest unchanged
          await c.query(`UPDATE ${t} SET blob = '\\x00ff' WHERE id = 2`); // blob made small, big unchanged
          await c.query(`UPDATE ${t} SET id = 20 WHERE id = 2`); // PK change: the new row's big unchanged
          await c.query(`DELETE FROM ${t} WHERE id = 1`);
        }
      },
      db,
    );
    // types: r r c u d tomb d tomb c (PK change) = 9; full: r r c u d tomb = 6;
    // each TOAST table: r r c u u u d tomb c (PK change) d tomb = 11
    const expected = [9, 6, 11, 11];
    const diffs: string[] = [];
    let compared = 0;
    // Fields carrying the placeholder on Debezium's side: proof the TOAST case was exercised.
    let placeholders = 0;
    for (let ti = 0; ti < tables.length; ti++) {
      const t = tables[ti]!;
      const read = async (impl: (typeof impls)[number]) =>
        (await readTopic(kafka, topic(impl, t), expected[ti]!, 180_000)).map((r) => ({
          key: r.key === null ? null : JSON.parse(r.key.split(prefixes[impl]).join('PREFIX')),
          value: r.value === null ? null : JSON.parse(r.value.split(prefixes[impl]).join('PREFIX')),
          // Header names and values in order; the run id is random on both sides.
          headers: Object.entries(r.headers).map(([k, v]) =>
            k === '__debezium.context.runId' ? k : `${k}=${String(v).split(prefixes[impl]).join('PREFIX')}`,
          ),
        }));
      const [dbz, sl] = [await read('debezium'), await read('sluice')];
      if (dbz.length !== sl.length) diffs.push(`${t}: debezium ${dbz.length} records, sluice ${sl.length}`);
      for (let i = 0; i < Math.min(dbz.length, sl.length); i++) {
        compared++;
        placeholders += Object.values(dbz[i]!.value?.payload?.after ?? {}).filter(isPlaceholder).length;
        const op = dbz[i]!.value?.payload?.op ?? 'tombstone';
        const snapshot = dbz[i]!.value?.payload?.op === 'r';
        compare(`${t}#${i}(${op})`, '', dbz[i], sl[i], diffs, snapshot);
      }
    }
    console.log(
      `cdc-compare: ${compared} events compared in ${Math.round((Date.now() - started) / 1000)} s ` +
        `(${placeholders} unchanged TOAST placeholders in Debezium's events)`,
    );
    console.log(diffs.length === 0 ? 'no differences' : `${diffs.length} differences:\n${diffs.join('\n')}`);
    process.exitCode = diffs.length === 0 ? 0 : 1;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    await dropTestDatabase(pgEnv, db).catch((e) => console.error(`drop ${db}: ${e.message}`));
    console.error(`[cdc-compare] logs and configs in ${dir}`);
  }
}

/** Field-by-field comparison; snapshot events also differ in their LSN/txId (two slots, two snapshots). */
function compare(where: string, at: string, a: unknown, b: unknown, out: string[], snapshot: boolean): void {
  if (IGNORED.some((r) => r.test(at))) return;
  if (snapshot && /^value\.payload\.source\.(lsn|txId|sequence|ts_ms|ts_us|ts_ns)$/.test(at)) return;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) {
      out.push(`${where} ${at}: debezium ${shown(a)} / sluice ${shown(b)}`);
      return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const ak = Object.keys(a).join(',');
    const bk = Object.keys(b).join(',');
    if (!Array.isArray(a) && ak !== bk && [...keys].every((k) => k in a && k in b))
      out.push(`${where} ${at}: key order debezium [${ak}] / sluice [${bk}]`);
    for (const k of keys) {
      const path = at ? `${at}.${k}` : k;
      if (!(k in a)) out.push(`${where} ${path}: only in sluice: ${shown((b as Record<string, unknown>)[k])}`);
      else if (!(k in b)) out.push(`${where} ${path}: only in debezium: ${shown((a as Record<string, unknown>)[k])}`);
      else compare(where, path, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out, snapshot);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${where} ${at}: debezium ${shown(a)} / sluice ${shown(b)}`);
}

/** A value as JSON, cut short when long (TOASTed values are about 10 kB). */
function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length <= 120 ? s : `${s.slice(0, 100)}... (${s.length} chars)`;
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});

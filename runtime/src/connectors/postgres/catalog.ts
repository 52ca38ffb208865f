// What the connector reads from PostgreSQL's catalogs: the tables to
// capture, their columns (types, NOT NULL, defaults) and primary keys, the
// types behind column OIDs (enums, arrays, domains), and the server's
// replication prerequisites. Always on an ordinary (non-replication)
// connection.
import type pg from 'pg';
import type { ColumnInfo, PgType } from './types.js';

export interface TableInfo {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  readonly columns: ColumnInfo[];
  /** primary key columns in key order (empty: no primary key) */
  readonly primaryKey: string[];
  /** d default, f full, i index, n nothing */
  readonly replicaIdentity: string;
}

/** `schema.table` of every ordinary or partitioned table the filters let through. */
export async function listTables(client: pg.Client): Promise<Array<{ oid: number; schema: string; table: string }>> {
  const r = await client.query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS table
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r','p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY n.nspname, c.relname`,
  );
  return r.rows.map((row) => ({ oid: Number(row.oid), schema: row.schema, table: row.table }));
}

const typeCache = new WeakMap<pg.Client, Map<number, PgType>>();

/** The type behind an OID, with its element/base type and enum labels. */
export async function typeOf(client: pg.Client, oid: number): Promise<PgType> {
  let cache = typeCache.get(client);
  if (!cache) typeCache.set(client, (cache = new Map()));
  const hit = cache.get(oid);
  if (hit) return hit;
  const r = await client.query(
    `SELECT t.typname AS name, t.typtype AS kind, t.typelem::int8 AS elem, t.typbasetype::int8 AS base,
            t.typcategory AS category,
            CASE WHEN t.typtype = 'e' THEN
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
            END AS labels
       FROM pg_type t WHERE t.oid = $1`,
    [oid],
  );
  const row = r.rows[0];
  if (!row) return { oid, name: `oid${oid}`, kind: 'b' };
  let type: PgType;
  if (row.category === 'A' && Number(row.elem) !== 0) {
    type = { oid, name: row.name, kind: row.kind, isArray: true, element: await typeOf(client, Number(row.elem)) };
  } else if (row.kind === 'd') {
    type = { oid, name: row.name, kind: 'd', element: await typeOf(client, Number(row.base)) };
  } else {
    type = { oid, name: row.name, kind: row.kind, enumLabels: row.labels ?? undefined };
  }
  cache.set(oid, type);
  return type;
}

/** Forgets cached types (after DDL may have changed an enum's labels). */
export function forgetTypes(client: pg.Client): void {
  typeCache.delete(client);
}

/** Columns (in attnum order), primary key and replica identity of one table, or null if it is gone. */
export async function tableInfo(client: pg.Client, oid: number): Promise<TableInfo | null> {
  const t = await client.query(
    `SELECT n.nspname AS schema, c.relname AS table, c.relreplident AS ident
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
    [oid],
  );
  if (!t.rows[0]) return null;
  const cols = await client.query(
    `SELECT a.attname AS name, a.atttypid::int8 AS type, a.atttypmod AS typmod, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS dflt
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const pk = await client.query(
    `SELECT a.attname AS name
       FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
    [oid],
  );
  const columns: ColumnInfo[] = [];
  for (const c of cols.rows) {
    columns.push({
      name: c.name,
      type: await typeOf(client, Number(c.type)),
      typeMod: Number(c.typmod),
      notNull: c.notnull,
      defaultExpr: c.dflt,
    });
  }
  return {
    oid,
    schema: t.rows[0].schema,
    table: t.rows[0].table,
    columns,
    primaryKey: pk.rows.map((r) => r.name as string),
    replicaIdentity: t.rows[0].ident,
  };
}

/** Session settings that make every value's text form the one types.ts reads. */
export const SESSION_OPTIONS =
  '-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=3';

// SQL text for the PostgreSQL sink (pure): quoted identifiers, multi-row
// INSERT / upsert / DELETE with numbered parameters, and DDL for
// schema.evolution=basic. Values always travel as parameters.
import type { TableId } from './sink-op.js';

export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/** PostgreSQL allows 65535 parameters per statement; stay well below. */
export const MAX_PARAMS = 30_000;

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const qualified = (t: TableId): string =>
  t.schema === null ? ident(t.name) : `${ident(t.schema)}.${ident(t.name)}`;

/** INSERT of several rows, plain or (with `conflictKey`) ON CONFLICT DO UPDATE / DO NOTHING. */
export function insertRows(table: TableId, columns: string[], rows: unknown[][], conflictKey?: string[]): Statement {
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(',')})`);
  let text = `INSERT INTO ${qualified(table)} (${columns.map(ident).join(',')}) VALUES ${tuples.join(',')}`;
  if (conflictKey) {
    const rest = columns.filter((c) => !conflictKey.includes(c));
    text += ` ON CONFLICT (${conflictKey.map(ident).join(',')}) `;
    text +=
      rest.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${rest.map((c) => `${ident(c)}=EXCLUDED.${ident(c)}`).join(',')}`;
  }
  return { text, values };
}

/** UPDATE of one row by its key. */
export function updateRow(table: TableId, columns: string[], row: unknown[], key: string[]): Statement {
  const values: unknown[] = [];
  const set: string[] = [];
  const where: string[] = [];
  columns.forEach((c, i) => {
    values.push(row[i]);
    (key.includes(c) ? where : set).push(`${ident(c)}=$${values.length}`);
  });
  if (set.length === 0) set.push(`${ident(key[0]!)}=${ident(key[0]!)}`);
  return { text: `UPDATE ${qualified(table)} SET ${set.join(',')} WHERE ${where.join(' AND ')}`, values };
}

/** DELETE of several rows by key. */
export function deleteRows(table: TableId, key: string[], keys: unknown[][]): Statement {
  const values: unknown[] = [];
  const tuples = keys.map((k) => {
    const ps = k.map((v) => (values.push(v), `$${values.length}`));
    return ps.length === 1 ? ps[0]! : `(${ps.join(',')})`;
  });
  const lhs = key.length === 1 ? ident(key[0]!) : `(${key.map(ident).join(',')})`;
  return { text: `DELETE FROM ${qualified(table)} WHERE ${lhs} IN (${tuples.join(',')})`, values };
}

export interface ColumnDef {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
}

export function createTable(table: TableId, columns: ColumnDef[], key: string[]): string {
  const cols = columns.map((c) => `${ident(c.name)} ${c.type}${c.notNull || key.includes(c.name) ? ' NOT NULL' : ''}`);
  if (key.length > 0) cols.push(`PRIMARY KEY (${key.map(ident).join(',')})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(table)} (${cols.join(', ')})`;
}

/** New columns are always nullable: rows already there have no value for them. */
export function addColumns(table: TableId, columns: ColumnDef[]): string {
  return `ALTER TABLE ${qualified(table)} ${columns.map((c) => `ADD COLUMN IF NOT EXISTS ${ident(c.name)} ${c.type}`).join(', ')}`;
}

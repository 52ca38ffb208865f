// Writes a batch of sink operations to PostgreSQL: makes sure the tables and
// columns exist (schema.evolution), then one transaction of multi-row
// statements. Operations are grouped per table in runs of one kind, in
// record order per table (a delete ends a run of upserts and the other way
// round), as the Debezium JDBC sink buffers them.
import pg from 'pg';
import { ConnectError, type SinkRecord } from '../../sdk/index.js';
import type { JdbcSinkConfig } from './jdbc-sink-config.js';
import { pgType, pgValue } from './pg-types.js';
import type { Cell, SinkOp, TableId } from './sink-op.js';
import {
  MAX_PARAMS,
  addColumns,
  createTable,
  deleteRows,
  insertRows,
  qualified,
  updateRow,
  type ColumnDef,
} from './sql.js';

export interface Item {
  readonly record: SinkRecord;
  readonly op: Exclude<SinkOp, { kind: 'skip' }>;
}

interface Run {
  readonly kind: Item['op']['kind'];
  readonly table: TableId;
  readonly items: Item[];
}

/** Groups items into runs: per table, consecutive operations of one kind and one column list. */
export function planRuns(items: readonly Item[]): Run[] {
  const done: Run[] = [];
  const open = new Map<string, { sig: string; run: Run }>();
  for (const item of items) {
    const t = qualified(item.op.table);
    const sig = item.op.kind === 'upsert' ? `u:${item.op.cells.map((c) => c.name).join(',')}` : item.op.kind;
    const current = open.get(t);
    if (current && current.sig === sig && item.op.kind !== 'truncate') {
      current.run.items.push(item);
      continue;
    }
    if (current) done.push(current.run);
    open.set(t, { sig, run: { kind: item.op.kind, table: item.op.table, items: [item] } });
  }
  done.push(...[...open.values()].map((o) => o.run));
  return done;
}

export class PgWriter {
  private client: pg.Client | undefined;
  /** columns of the tables seen so far; null: the table does not exist */
  private readonly tables = new Map<string, Set<string> | null>();

  constructor(private readonly config: JdbcSinkConfig) {}

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = this.config.connection;
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      database: c.database,
      ...(c.user ? { user: c.user } : {}),
      ...(c.password ? { password: c.password } : {}),
      ssl: c.ssl ?? false,
      connectionTimeoutMillis: c.connectTimeoutMs ?? 10_000,
      application_name: 'sluice-jdbc-sink',
    });
    // An idle connection that breaks emits 'error': forget it, the next batch reconnects.
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    return client;
  }

  /** Drops the connection and what was learned about tables (after an error the database may differ). */
  async reset(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.tables.clear();
    await client?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.reset();
  }

  /** All items in one transaction. */
  async writeBatch(items: readonly Item[]): Promise<void> {
    const client = await this.connect();
    await this.ensureTables(client, items);
    await this.transaction(client, async () => {
      for (const run of planRuns(items)) await this.execRun(client, run);
    });
  }

  /**
   * All items in one transaction, each under its own savepoint: an item the
   * database refuses is rolled back alone and handed to `refused` (which
   * throws to give up the whole batch).
   */
  async writeEach(
    items: readonly Item[],
    isRefusal: (err: unknown) => boolean,
    refused: (item: Item, err: unknown) => Promise<void>,
  ): Promise<void> {
    const client = await this.connect();
    await this.ensureTables(client, items);
    await this.transaction(client, async () => {
      for (const item of items) {
        await client.query('SAVEPOINT sluice_item');
        try {
          await this.execRun(client, { kind: item.op.kind, table: item.op.table, items: [item] });
          await client.query('RELEASE SAVEPOINT sluice_item');
        } catch (err) {
          if (!isRefusal(err)) throw err;
          await client.query('ROLLBACK TO SAVEPOINT sluice_item');
          await refused(item, err);
        }
      }
    });
  }

  private async transaction(client: pg.Client, body: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await body();
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async execRun(client: pg.Client, run: Run): Promise<void> {
    if (!this.tables.get(qualified(run.table))) return; // a delete or truncate of a table that does not exist
    switch (run.kind) {
      case 'truncate':
        await client.query(`TRUNCATE TABLE ${qualified(run.table)}`);
        return;
      case 'delete':
        return this.execDelete(client, run);
      case 'upsert':
        return this.execUpsert(client, run);
    }
  }

  private async execUpsert(client: pg.Client, run: Run): Promise<void> {
    const first = run.items[0]!.op as Extract<SinkOp, { kind: 'upsert' }>;
    const columns = first.cells.map((c) => c.name);
    const key = first.key;
    let rows = run.items.map((i) =>
      (i.op as Extract<SinkOp, { kind: 'upsert' }>).cells.map((c) => pgValue(c.schema, c.value)),
    );
    const mode = this.config.insertMode;
    if (mode === 'update') {
      for (const row of rows) await client.query(updateRow(run.table, columns, row, key));
      return;
    }
    if (mode === 'upsert') {
      // One statement cannot touch a row twice: the last state of each key wins.
      const idx = key.map((k) => columns.indexOf(k));
      const last = new Map<string, unknown[]>();
      for (const row of rows) last.set(JSON.stringify(idx.map((i) => String(row[i]))), row);
      rows = [...last.values()];
    }
    const per = Math.max(1, Math.min(this.config.batchSize, Math.floor(MAX_PARAMS / columns.length)));
    for (let i = 0; i < rows.length; i += per)
      await client.query(insertRows(run.table, columns, rows.slice(i, i + per), mode === 'upsert' ? key : undefined));
  }

  private async execDelete(client: pg.Client, run: Run): Promise<void> {
    const first = run.items[0]!.op as Extract<SinkOp, { kind: 'delete' }>;
    const key = first.keyCells.map((c) => c.name);
    const seen = new Map<string, unknown[]>();
    for (const item of run.items) {
      const k = (item.op as Extract<SinkOp, { kind: 'delete' }>).keyCells.map((c) => pgValue(c.schema, c.value));
      seen.set(JSON.stringify(k.map(String)), k);
    }
    const keys = [...seen.values()];
    const per = Math.max(1, Math.min(this.config.batchSize, Math.floor(MAX_PARAMS / key.length)));
    for (let i = 0; i < keys.length; i += per) await client.query(deleteRows(run.table, key, keys.slice(i, i + per)));
  }

  /** Creates missing tables and columns (schema.evolution=basic) or says clearly what is missing. */
  private async ensureTables(client: pg.Client, items: readonly Item[]): Promise<void> {
    const wanted = new Map<string, { table: TableId; cells: Map<string, Cell>; key: string[]; creates: boolean }>();
    for (const { op } of items) {
      const t = qualified(op.table);
      let w = wanted.get(t);
      if (!w) wanted.set(t, (w = { table: op.table, cells: new Map(), key: [], creates: false }));
      if (op.kind !== 'upsert') continue;
      w.creates = true;
      if (w.key.length === 0) w.key = op.key;
      for (const c of op.cells) {
        const had = w.cells.get(c.name);
        // Keep the cell that tells the type best: one with a schema, or a non-null sample.
        if (!had || (!had.schema && (c.schema || (had.value === null && c.value !== null)))) w.cells.set(c.name, c);
      }
    }
    for (const [t, w] of wanted) {
      let columns = this.tables.get(t);
      if (columns === undefined || (columns && [...w.cells.keys()].some((c) => !columns!.has(c)))) {
        columns = await this.readColumns(client, w.table);
        this.tables.set(t, columns);
      }
      if (!w.creates) continue;
      const defs = (names: string[]): ColumnDef[] =>
        names.map((n) => {
          const c = w.cells.get(n)!;
          return { name: n, type: pgType(c.schema, c.value), notNull: c.schema ? !c.schema.optional : false };
        });
      if (columns === null) {
        if (this.config.schemaEvolution !== 'basic')
          throw new ConnectError(
            `Table ${t} does not exist and schema.evolution=none: create it, or set schema.evolution=basic`,
          );
        await this.ddl(client, createTable(w.table, defs([...w.cells.keys()]), w.key));
      } else {
        const missing = [...w.cells.keys()].filter((c) => !columns!.has(c));
        if (missing.length === 0) continue;
        if (this.config.schemaEvolution !== 'basic')
          throw new ConnectError(
            `Table ${t} has no column(s) ${missing.join(', ')} and schema.evolution=none: add them, or set schema.evolution=basic`,
          );
        await this.ddl(client, addColumns(w.table, defs(missing)));
      }
      this.tables.set(t, await this.readColumns(client, w.table));
    }
  }

  /** DDL in its own transaction; another task creating the same table at once is fine. */
  private async ddl(client: pg.Client, text: string): Promise<void> {
    try {
      await client.query(text);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505' && code !== '42701') throw err;
    }
  }

  private async readColumns(client: pg.Client, table: TableId): Promise<Set<string> | null> {
    const res = await client.query<{ attname: string | null }>(
      `SELECT a.attname FROM (SELECT to_regclass($1) AS oid) t
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE t.oid IS NOT NULL`,
      [qualified(table)],
    );
    if (res.rows.length === 0) return null;
    return new Set(res.rows.map((r) => r.attname).filter((n): n is string => n !== null));
  }
}

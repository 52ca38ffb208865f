// The PostgreSQL CDC source task (one per connector, as Debezium's): checks
// the server, sets up the publication and slot, snapshots the captured
// tables from the slot's exported snapshot, then streams pgoutput changes.
// Records flow through a bounded queue (reading pauses while it is full);
// the slot's flushed position moves only to what the worker's offset store
// holds (commit() reads it back), so nothing unstored is ever released.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import {
  ConnectError,
  Schemas,
  type Header,
  type SourceOffset,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskProps,
} from '../../sdk/index.js';
import { CONNECTORS_VERSION } from '../version.js';
import { SESSION_OPTIONS, forgetTypes, listTables, tableInfo, typeOf, type TableInfo } from './catalog.js';
import { parsePostgresConfig, tableCaptured, type PostgresConfig } from './config.js';
import { PostgresCdcError, describePgError, isConnectionError } from './errors.js';
import {
  HEARTBEAT_KEY_SCHEMA,
  HEARTBEAT_VALUE_SCHEMA,
  envelope,
  rowKey,
  rowValue,
  sourceValue,
  tableModel,
  withOldToastedValues,
  type Op,
  type SnapshotMarker,
  type TableModel,
} from './events.js';
import {
  decodePgOutput,
  type CopyFrame,
  type PgOutputMessage,
  type RelationColumn,
  type TupleValue,
} from './pgoutput.js';
import { parseLsn } from './lsn.js';
import { alreadyEmitted, confirmedFlush, idleOffset, resumePoint, streamOffset, type Skip } from './offsets.js';
import { ReplicationConnection } from './replication.js';
import { TX_KEY_SCHEMA, TX_VALUE_SCHEMA, TransactionTracker } from './transaction.js';
import type { PgType } from './types.js';

/** Backlog of undecoded frames at which reading from the server pauses. */
const MAX_INBOUND = 2000;
const RECONNECT_MAX_MS = 30_000;

interface OpenTx {
  xid: number;
  /** The LSN of its BEGIN message (the transaction's first LSN). */
  beginLsn: number;
  commitMicros: bigint;
  tracker: TransactionTracker | null;
  begun: boolean;
}

export class PostgresSourceTask implements SourceTask {
  private cfg!: PostgresConfig;
  private context!: SourceTaskContext;
  private partition!: Record<string, unknown>;
  private sql: pg.Client | null = null;
  private repl: ReplicationConnection | null = null;
  private readonly queue: SourceRecord[] = [];
  private dataWaiter: (() => void) | null = null;
  private spaceWaiters: Array<() => void> = [];
  private failure: Error | null = null;
  private stopping = false;
  private paused = false;
  private statusTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  // Streaming position.
  private relations = new Map<
    number,
    { columns: RelationColumn[]; model: Promise<TableModel | null> | null; schema: string; table: string }
  >();
  private tx: OpenTx | null = null;
  private lastCommitEnd = 0;
  /** Debezium's `lsn_proc`: the LSN of the last message all of whose records are emitted (a change, or a commit's end). */
  private proc = 0;
  /** `source.sequence`'s first item: the last commit this session processed (null before the first, as Debezium). */
  private sessionCommit: number | null = null;
  /** Debezium's extended headers (__debezium.context.*), the same on every change record of this run. */
  private contextHeaders: Header[] = [];
  private lastXid: number | null = null;
  private lastCommitMicros = 0n;
  private idleLsn = 0;
  private received = 0;
  private flushed = 0;
  /** The flushed position last sent to the server. */
  private reported = 0;
  /** The offset of the last record emitted, and whether the offset store has it (nothing emitted yet: true). */
  private lastEmitted: SourceOffset | null = null;
  private allStored = true;
  private skip: Skip | null = null;
  private emittedInTx: { xid: number; lsn: number } | null = null;
  private origin: string | null = null;
  private inbound: CopyFrame[] = [];
  private draining = false;
  private streamingStarted = false;
  private lastHeartbeat = Date.now();
  private captured: Array<{ oid: number; schema: string; table: string }> = [];

  version(): string {
    return CONNECTORS_VERSION;
  }

  private get where(): string {
    return `${this.cfg.host}:${this.cfg.port}/${this.cfg.database}`;
  }

  private fail(err: unknown): ConnectError {
    return describePgError(err, { user: this.cfg.user, where: this.where, slot: this.cfg.slot });
  }

  private clientConfig(): pg.ClientConfig {
    const ssl = ['require', 'verify-ca', 'verify-full'].includes(this.cfg.sslmode)
      ? { rejectUnauthorized: this.cfg.sslmode !== 'require' }
      : false;
    return {
      host: this.cfg.host,
      port: this.cfg.port,
      user: this.cfg.user,
      password: this.cfg.password ?? undefined,
      database: this.cfg.database,
      options: SESSION_OPTIONS,
      application_name: `sluice-cdc-${this.cfg.prefix}`.slice(0, 63),
      ssl,
      connectionTimeoutMillis: 30_000,
    };
  }

  private async openSql(): Promise<pg.Client> {
    const client = new pg.Client(this.clientConfig());
    client.on('error', () => undefined); // reported by the next query
    try {
      await client.connect();
    } catch (err) {
      throw this.fail(err);
    }
    return client;
  }

  async start(props: TaskProps, context: SourceTaskContext): Promise<void> {
    this.cfg = parsePostgresConfig(props);
    this.context = context;
    this.partition = Object.freeze({ server: this.cfg.prefix });
    this.contextHeaders = [
      { key: '__debezium.context.connectorLogicalName', value: this.cfg.prefix, schema: Schemas.STRING },
      { key: '__debezium.context.taskId', value: '0', schema: Schemas.STRING },
      { key: '__debezium.context.connectorName', value: 'postgresql', schema: Schemas.STRING },
      { key: '__debezium.context.runId', value: randomUUID(), schema: Schemas.STRING },
    ];
    this.sql = await this.openSql();
    try {
      await this.checkServer(this.sql);
      this.captured = await this.capturedTables(this.sql);
      await this.ensurePublication(this.sql);
    } catch (err) {
      await this.sql.end().catch(() => undefined);
      this.sql = null;
      throw this.fail(err);
    }
    this.running = this.run().catch((err) => {
      if (!this.stopping) this.failure = this.fail(err);
      this.wakeAll();
    });
  }

  /** wal_level, the REPLICATION attribute: checked first so the error says what is wrong. */
  private async checkServer(sql: pg.Client): Promise<void> {
    const wal = (await sql.query('SHOW wal_level')).rows[0].wal_level;
    if (wal !== 'logical')
      throw new PostgresCdcError(
        'PG_WAL_LEVEL',
        `PostgreSQL at ${this.where} has wal_level=${wal}: logical decoding needs wal_level=logical (set it and restart the server)`,
      );
    const role = (await sql.query('SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user'))
      .rows[0];
    if (!role?.rolreplication && !role?.rolsuper)
      throw new PostgresCdcError(
        'PG_PRIVILEGE',
        `User '${this.cfg.user}' has no REPLICATION privilege at ${this.where} (ALTER ROLE ${this.cfg.user} REPLICATION)`,
      );
  }

  private async capturedTables(sql: pg.Client): Promise<Array<{ oid: number; schema: string; table: string }>> {
    const all = await listTables(sql);
    const f = this.cfg.filters;
    for (const r of f.tableInclude ?? []) {
      if (!all.some((t) => r.test(`${t.schema}.${t.table}`)))
        throw new PostgresCdcError(
          'PG_NO_TABLE',
          `table.include.list entry '${r.source.slice(4, -2)}' matches no table in database '${this.cfg.database}'`,
        );
    }
    // Snapshot order as Debezium's: the order of table.include.list entries, then by name.
    const rank = (t: { schema: string; table: string }) => {
      const i = (f.tableInclude ?? []).findIndex((r) => r.test(`${t.schema}.${t.table}`));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return all.filter((t) => tableCaptured(f, t.schema, t.table)).sort((a, b) => rank(a) - rank(b));
  }

  private async ensurePublication(sql: pg.Client): Promise<void> {
    const name = this.cfg.publication;
    const exists = (await sql.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount! > 0;
    const list = () => {
      if (this.captured.length === 0)
        throw new PostgresCdcError('PG_NO_TABLE', `no table of database '${this.cfg.database}' matches the filters`);
      return this.captured.map((t) => `${ident(t.schema)}.${ident(t.table)}`).join(', ');
    };
    switch (this.cfg.autocreate) {
      case 'disabled':
        if (!exists)
          throw new PostgresCdcError(
            'PG_NO_PUBLICATION',
            `publication '${name}' does not exist and publication.autocreate.mode=disabled`,
          );
        return;
      case 'all_tables':
        if (!exists) await sql.query(`CREATE PUBLICATION ${ident(name)} FOR ALL TABLES`);
        return;
      case 'filtered':
        await sql.query(
          exists
            ? `ALTER PUBLICATION ${ident(name)} SET TABLE ${list()}`
            : `CREATE PUBLICATION ${ident(name)} FOR TABLE ${list()}`,
        );
        return;
      case 'no_tables':
        if (!exists) await sql.query(`CREATE PUBLICATION ${ident(name)}`);
        return;
    }
  }

  /** The slot as the server has it, waiting a little for a previous holder (our own crashed run) to go away. */
  private async slotState(sql: pg.Client): Promise<{ exists: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const r = await sql.query(
        'SELECT plugin, database, active, active_pid FROM pg_replication_slots WHERE slot_name = $1',
        [this.cfg.slot],
      );
      const slot = r.rows[0];
      if (!slot) return { exists: false };
      if (slot.database !== this.cfg.database || slot.plugin !== 'pgoutput')
        throw new PostgresCdcError(
          'PG_SLOT_MISMATCH',
          `replication slot '${this.cfg.slot}' exists for database '${slot.database}' with plugin '${slot.plugin}'; ` +
            `this connector needs one for '${this.cfg.database}' with pgoutput (choose another slot.name)`,
        );
      if (!slot.active) return { exists: true };
      if (attempt >= 20)
        throw new PostgresCdcError(
          'PG_SLOT_IN_USE',
          `replication slot '${this.cfg.slot}' is in use by server process ${slot.active_pid} ` +
            '(another connector with the same slot.name?)',
        );
      await this.sleep(500);
    }
  }

  private async run(): Promise<void> {
    const sql = this.sql!;
    const stored = await this.context.offsetStorageReader.offset(this.partition);
    const completed =
      stored != null &&
      (!('snapshot' in stored) || stored.last_snapshot_record === true || stored.snapshot_completed === true);
    const slot = await this.slotState(sql);
    const mode = this.cfg.snapshotMode;
    let snapshot =
      mode === 'always' ||
      ((mode === 'initial' || mode === 'initial_only' || mode === 'when_needed') && !completed) ||
      (mode === 'when_needed' && stored != null && !slot.exists);
    if (mode === 'initial_only' && completed) snapshot = false;
    let startLsn = 0;
    if (stored && completed && !snapshot) {
      // From the last commit end; the events of a transaction partly emitted before the restart
      // come again and those already stored are skipped (offsets.ts: the same for Debezium's offsets).
      const resume = resumePoint(stored);
      startLsn = resume.startLsn;
      this.lastCommitEnd = startLsn;
      this.skip = resume.skip;
    }
    if (snapshot) {
      startLsn = (await this.snapshot(sql, slot.exists)).streamFrom;
      if (mode === 'initial_only') return;
    } else if (!slot.exists) {
      const repl = new ReplicationConnection(this.clientConfig());
      try {
        await repl.connect();
        const created = await repl.createSlot(this.cfg.slot, false);
        if (!stored) startLsn = created.consistentPoint;
      } finally {
        await repl.close();
      }
    }
    if (this.lastCommitEnd === 0) this.lastCommitEnd = startLsn;
    this.proc = this.lastCommitEnd;
    await this.stream(startLsn);
  }

  /**
   * The initial snapshot. Returns the LSN its records carry and where
   * streaming starts: the new slot's consistent point, or (with a slot that
   * already existed) the slot's own position, 0, so that nothing committed
   * around the snapshot is missed (duplicates instead).
   */
  private async snapshot(sql: pg.Client, slotExists: boolean): Promise<{ offsetLsn: number; streamFrom: number }> {
    let offsetLsn: number;
    let streamFrom = 0;
    let repl: ReplicationConnection | null = null;
    try {
      await sql.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      if (!slotExists) {
        repl = new ReplicationConnection(this.clientConfig());
        await repl.connect();
        const created = await repl.createSlot(this.cfg.slot, true);
        await sql.query(`SET TRANSACTION SNAPSHOT '${created.snapshotName}'`);
        offsetLsn = streamFrom = created.consistentPoint;
      } else {
        offsetLsn = parseLsn((await sql.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn);
        // Streaming restarts at the slot's confirmed position: the last transaction it covers.
        const slot = await sql.query(
          'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
          [this.cfg.slot],
        );
        if (slot.rows[0]?.lsn) this.lastCommitEnd = parseLsn(slot.rows[0].lsn);
      }
    } finally {
      // The snapshot is imported: the exporting connection may go.
      await repl?.close();
    }
    const txId = Number((await sql.query('SELECT txid_current() AS x')).rows[0].x);
    const readMicros = BigInt(Date.now()) * 1000n;
    const tables: Array<{ info: TableInfo; model: TableModel }> = [];
    for (const t of this.captured) {
      const info = await tableInfo(sql, t.oid);
      if (!info) continue;
      const model = tableModel(
        this.cfg.prefix,
        info,
        info.columns.map((c) => c.name),
        this.cfg.modes,
        this.cfg.filters,
        () => undefined,
      );
      tables.push({ info, model });
    }
    type Pending = { model: TableModel; row: TupleValue[]; firstInTable: boolean; lastInTable: boolean };
    let pending: Pending | null = null;
    let first = true;
    const emit = async (p: Pending, last: boolean) => {
      const marker: SnapshotMarker = first
        ? 'first'
        : last
          ? 'last'
          : p.firstInTable
            ? 'first_in_data_collection'
            : p.lastInTable
              ? 'last_in_data_collection'
              : 'true';
      first = false;
      const source = sourceValue({
        version: CONNECTORS_VERSION,
        name: this.cfg.prefix,
        db: this.cfg.database,
        schema: p.model.schema,
        table: p.model.table,
        tsMicros: readMicros,
        snapshot: marker,
        lastCommitLsn: null,
        lsn: offsetLsn,
        txId,
      });
      const offset: SourceOffset = {
        last_snapshot_record: last,
        lsn: offsetLsn,
        txId,
        ts_usec: Number(readMicros),
        snapshot: 'INITIAL',
        snapshot_completed: last,
      };
      await this.push({
        ...this.changeRecord(p.model, 'r', null, p.row, source, offset, null),
        headers: this.contextHeaders,
      });
    };
    for (let ti = 0; ti < tables.length; ti++) {
      const { info, model } = tables[ti]!;
      const cols = model.valueColumns.map((c) => ident(c.name)).join(', ');
      const cursor = `sluice_snapshot_${ti}`;
      await sql.query(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${cols || 'NULL'} FROM ${ident(info.schema)}.${ident(info.table)}`,
      );
      let firstInTable = true;
      const positions = model.valueColumns.map((c) => c.position);
      for (;;) {
        if (this.stopping) return { offsetLsn, streamFrom };
        const r = await sql.query({
          text: `FETCH ${this.cfg.fetchSize} FROM ${cursor}`,
          rowMode: 'array',
          types: { getTypeParser: () => (v: string) => v },
        } as pg.QueryConfig);
        if (r.rows.length === 0) break;
        for (const raw of r.rows as Array<Array<string | null>>) {
          const row: TupleValue[] = [];
          positions.forEach((pos, i) => (row[pos] = raw[i] ?? null));
          if (pending) await emit(pending, false);
          pending = { model, row, firstInTable, lastInTable: false };
          firstInTable = false;
        }
      }
      await sql.query(`CLOSE ${cursor}`);
      if (pending && pending.model === model) pending.lastInTable = true;
    }
    if (pending) await emit(pending, true);
    await sql.query('COMMIT');
    return { offsetLsn, streamFrom };
  }

  /** Streams from `startLsn`, reconnecting (with backoff) when the server goes away. */
  private async stream(startLsn: number): Promise<void> {
    let from = startLsn;
    let backoff = 1000;
    this.statusTimer = setInterval(() => this.sendStatus(), this.cfg.statusIntervalMs);
    this.streamingStarted = true;
    for (;;) {
      if (this.stopping) return;
      const repl = new ReplicationConnection(this.clientConfig());
      this.repl = repl;
      try {
        await repl.connect();
        await new Promise<void>((resolve, reject) => {
          repl.onError = reject;
          repl.start(this.cfg.slot, this.cfg.publication, from, (f) => this.onFrame(f)).then(resolve, reject);
        });
        if (this.stopping) return;
        throw new Error('Connection terminated: the replication stream ended');
      } catch (err) {
        await repl.close();
        if (this.stopping) return;
        if (!isConnectionError(err)) throw err;
        // Resume after what was processed; skip what was already emitted of an open transaction.
        await this.waitDrained();
        from = this.lastCommitEnd;
        this.proc = this.lastCommitEnd;
        // Each message's records were all emitted (drained above): skip up to and including the last one.
        if (this.tx && this.emittedInTx && this.emittedInTx.xid === this.tx.xid)
          this.skip = { ...this.emittedInTx, inclusive: true };
        this.tx = null;
        this.relations.clear();
        this.inbound = [];
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, RECONNECT_MAX_MS);
        await this.reopenSql();
        continue;
      }
    }
  }

  private async reopenSql(): Promise<void> {
    await this.sql?.end().catch(() => undefined);
    this.sql = null;
    while (!this.stopping) {
      try {
        this.sql = await this.openSql();
        return;
      } catch (err) {
        if (!(err instanceof ConnectError) || !err.retriable) throw err;
        await this.sleep(2000);
      }
    }
  }

  private async waitDrained(): Promise<void> {
    while (this.draining) await this.sleep(50);
  }

  private onFrame(frame: CopyFrame): void {
    if (frame.kind === 'keepalive') {
      this.received = Math.max(this.received, frame.walEnd);
      if (!this.tx && this.inbound.length === 0 && !this.draining) this.idleLsn = Math.max(this.idleLsn, frame.walEnd);
      if (frame.replyRequested) this.sendStatus();
      return;
    }
    this.inbound.push(frame);
    if (this.inbound.length >= MAX_INBOUND && !this.paused) {
      this.paused = true;
      this.repl?.pause();
    }
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.inbound.length > 0 && !this.stopping) {
        const frame = this.inbound.shift()!;
        if (frame.kind !== 'xlog') continue;
        this.received = Math.max(this.received, frame.dataStart);
        await this.handle(frame.dataStart, decodePgOutput(frame.data));
      }
    } catch (err) {
      if (!this.stopping) this.failure = this.fail(err);
      this.wakeAll();
    } finally {
      this.draining = false;
    }
  }

  private async handle(lsn: number, msg: PgOutputMessage): Promise<void> {
    switch (msg.tag) {
      case 'begin':
        this.tx = {
          xid: msg.xid,
          beginLsn: lsn,
          commitMicros: msg.commitTimeMicros,
          tracker: this.cfg.transactionMetadata ? new TransactionTracker(String(msg.xid)) : null,
          begun: false,
        };
        this.origin = null;
        return;
      case 'origin':
        this.origin = msg.name;
        return;
      case 'relation': {
        this.relations.set(msg.relationId, { columns: msg.columns, model: null, schema: msg.schema, table: msg.table });
        if (this.sql) forgetTypes(this.sql);
        return;
      }
      case 'type':
      case 'message':
        return;
      case 'commit': {
        const tx = this.tx;
        // The END record is the transaction's last: its offset covers the whole transaction (as Debezium's).
        this.lastCommitEnd = msg.endLsn;
        this.proc = msg.endLsn;
        if (tx?.tracker && tx.begun) {
          await this.push(
            this.txRecord(tx.tracker.end(Number(tx.commitMicros / 1000n)), msg.endLsn, tx, 'COMMIT', msg.endLsn),
          );
        }
        this.sessionCommit = msg.endLsn;
        this.lastXid = tx?.xid ?? this.lastXid;
        this.lastCommitMicros = tx?.commitMicros ?? this.lastCommitMicros;
        if (this.skip && tx && this.skip.xid === tx.xid) this.skip = null;
        this.tx = null;
        this.emittedInTx = null;
        return;
      }
      case 'truncate': {
        if (!this.cfg.skipped.has('t')) {
          const models: TableModel[] = [];
          for (const id of msg.relationIds) {
            const model = await this.modelFor(id);
            if (model) models.push(model);
          }
          for (let i = 0; i < models.length; i++)
            await this.emitChange(models[i]!, 't', lsn, null, null, 'TRUNCATE', [], i === models.length - 1);
        }
        this.proc = lsn;
        return;
      }
      case 'insert': {
        const model = await this.modelFor(msg.relationId);
        if (model && !this.cfg.skipped.has('c')) await this.emitChange(model, 'c', lsn, null, msg.newTuple, 'INSERT');
        this.proc = lsn;
        return;
      }
      case 'update': {
        await this.handleUpdate(lsn, msg);
        this.proc = lsn;
        return;
      }
      case 'delete': {
        const model = await this.modelFor(msg.relationId);
        if (model && !this.cfg.skipped.has('d'))
          await this.emitChange(model, 'd', lsn, msg.old ?? msg.key, null, 'DELETE');
        this.proc = lsn;
        return;
      }
    }
  }

  private async handleUpdate(lsn: number, msg: Extract<PgOutputMessage, { tag: 'update' }>): Promise<void> {
    const model = await this.modelFor(msg.relationId);
    if (!model || this.cfg.skipped.has('u')) return;
    const oldRow = msg.old ?? msg.key;
    const newRow = withOldToastedValues(msg.newTuple, oldRow);
    if (oldRow && model.keySchema) {
      const oldKey = rowKey(model, oldRow);
      const newKey = rowKey(model, newRow);
      if (JSON.stringify(oldKey) !== JSON.stringify(newKey)) {
        // A primary key change: a delete of the old key, then a create of the new one (as Debezium),
        // two records of one LSN.
        const keyHeader = (key: string, value: unknown): Header => ({ key, value, schema: model.keySchema });
        await this.emitChange(model, 'd', lsn, oldRow, null, 'UPDATE', [keyHeader('__debezium.newkey', newKey)], false);
        await this.emitChange(model, 'c', lsn, null, newRow, 'UPDATE', [keyHeader('__debezium.oldkey', oldKey)]);
        return;
      }
    }
    await this.emitChange(model, 'u', lsn, msg.old, newRow, 'UPDATE');
  }

  /** The model of a relation, built once per Relation message (so after each DDL); null when not captured. */
  private modelFor(relationId: number): Promise<TableModel | null> {
    const rel = this.relations.get(relationId);
    if (!rel) throw new ConnectError(`pgoutput sent a change for unknown relation ${relationId}`);
    rel.model ??= (async () => {
      if (!tableCaptured(this.cfg.filters, rel.schema, rel.table)) return null;
      const sql = this.sql!;
      const types = new Map<number, PgType>();
      for (const c of rel.columns) types.set(c.typeOid, await typeOf(sql, c.typeOid));
      const info: TableInfo = (await tableInfo(sql, relationId)) ?? {
        oid: relationId,
        schema: rel.schema,
        table: rel.table,
        columns: [],
        primaryKey: rel.columns.filter((c) => (c.flags & 1) === 1).map((c) => c.name),
        replicaIdentity: 'd',
      };
      return tableModel(this.cfg.prefix, info, rel.columns, this.cfg.modes, this.cfg.filters, (c) =>
        types.get(c.typeOid),
      );
    })();
    return rel.model;
  }

  /** The offset of a streamed record (offsets.ts has the meaning of each field). */
  private streamOffset(lsn: number, messageType: string, tx: OpenTx | null, lsnProc: number): SourceOffset {
    return streamOffset({
      transactionId: tx?.tracker ? tx.tracker.id : null,
      lsnProc,
      messageType,
      lsnCommit: this.lastCommitEnd,
      lsn,
      txId: tx?.xid ?? this.lastXid,
      tsMicros: tx?.commitMicros ?? this.lastCommitMicros,
    });
  }

  private async emitChange(
    model: TableModel,
    op: Op,
    lsn: number,
    before: TupleValue[] | null,
    after: TupleValue[] | null,
    messageType: string,
    extraHeaders: Header[] = [],
    /** Whether this is the message's last change (a PK change and a TRUNCATE of several tables make more). */
    lastOfMessage = true,
  ): Promise<void> {
    const tx = this.tx;
    if (tx && alreadyEmitted(this.skip, tx.xid, lsn)) return;
    const source = sourceValue({
      version: CONNECTORS_VERSION,
      name: this.cfg.prefix,
      db: this.cfg.database,
      schema: model.schema,
      table: model.table,
      tsMicros: tx?.commitMicros ?? BigInt(Date.now()) * 1000n,
      snapshot: 'false',
      lastCommitLsn: this.sessionCommit,
      lsn,
      txId: tx?.xid ?? null,
      origin: this.origin,
    });
    let block: Record<string, unknown> | null = null;
    if (tx?.tracker) {
      if (!tx.begun) {
        tx.begun = true;
        await this.push(
          this.txRecord(tx.tracker.begin(Number(tx.commitMicros / 1000n)), tx.beginLsn, tx, 'BEGIN', this.proc),
        );
      }
      block = tx.tracker.next(`${model.schema}.${model.table}`);
    }
    // lsn_proc reaches this LSN only with the message's last record (a tombstone follows its delete).
    const tombstone = op === 'd' && this.cfg.tombstones && model.keySchema && before;
    const complete = this.streamOffset(lsn, messageType, tx, lastOfMessage ? lsn : this.proc);
    const offset = tombstone ? this.streamOffset(lsn, messageType, tx, this.proc) : complete;
    const headers = [...extraHeaders, ...this.contextHeaders];
    await this.push({ ...this.changeRecord(model, op, before, after, source, offset, block), headers });
    if (tombstone) {
      await this.push({
        headers,
        sourcePartition: this.partition,
        sourceOffset: complete,
        topic: model.topic,
        keySchema: model.keySchema,
        key: rowKey(model, before),
        valueSchema: null,
        value: null,
      });
    }
    if (tx) this.emittedInTx = { xid: tx.xid, lsn };
  }

  private changeRecord(
    model: TableModel,
    op: Op,
    before: TupleValue[] | null,
    after: TupleValue[] | null,
    source: Record<string, unknown>,
    offset: SourceOffset,
    block: Record<string, unknown> | null,
  ): SourceRecord {
    const keyRow = after ?? before;
    return {
      sourcePartition: this.partition,
      sourceOffset: offset,
      topic: model.topic,
      keySchema: op === 't' ? null : model.keySchema,
      key: op === 't' || !keyRow ? null : rowKey(model, keyRow),
      valueSchema: model.envelopeSchema,
      value: envelope(
        op,
        before ? rowValue(model, before) : null,
        after ? rowValue(model, after) : null,
        source,
        block,
      ),
    };
  }

  private txRecord(
    value: Record<string, unknown>,
    lsn: number,
    tx: OpenTx,
    messageType: string,
    lsnProc: number,
  ): SourceRecord {
    return {
      sourcePartition: this.partition,
      sourceOffset: this.streamOffset(lsn, messageType, tx, lsnProc),
      topic: `${this.cfg.prefix}.transaction`,
      keySchema: TX_KEY_SCHEMA,
      key: { id: String(tx.xid) },
      valueSchema: TX_VALUE_SCHEMA,
      value,
    };
  }

  private heartbeat(): SourceRecord {
    const pos = Math.max(this.lastCommitEnd, this.idleLsn);
    this.lastCommitEnd = pos;
    this.proc = pos;
    return {
      sourcePartition: this.partition,
      sourceOffset: idleOffset(pos, this.lastXid, this.lastCommitMicros),
      topic: this.cfg.heartbeatTopic,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: { serverName: this.cfg.prefix },
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: { ts_ms: Date.now() },
    };
  }

  /** Adds a record, waiting while the queue is full (snapshot and streaming alike). */
  private async push(record: SourceRecord): Promise<void> {
    while (this.queue.length >= this.cfg.maxQueueSize && !this.stopping) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
    this.queue.push(record);
    this.lastEmitted = record.sourceOffset ?? null;
    this.allStored = false;
    const w = this.dataWaiter;
    this.dataWaiter = null;
    w?.();
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.failure) throw this.failure;
    if (this.queue.length === 0 && !this.stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.cfg.pollIntervalMs);
        this.dataWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.dataWaiter = null;
    }
    if (this.failure) throw this.failure;
    if (
      this.cfg.heartbeatIntervalMs > 0 &&
      this.streamingStarted &&
      Date.now() - this.lastHeartbeat >= this.cfg.heartbeatIntervalMs &&
      !this.tx &&
      !this.draining &&
      this.inbound.length === 0
    ) {
      this.lastHeartbeat = Date.now();
      this.queue.push(this.heartbeat());
    }
    if (this.queue.length === 0) return null;
    const batch = this.queue.splice(0, this.cfg.maxBatchSize);
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
    if (this.paused && this.queue.length < this.cfg.maxQueueSize / 2) {
      this.paused = false;
      this.repl?.resume();
    }
    return batch;
  }

  /** Offsets were stored: let the slot forget what they cover (read back from the store itself). */
  async commit(): Promise<void> {
    const stored = await this.context.offsetStorageReader.offset(this.partition);
    const lsn = confirmedFlush(stored);
    if (lsn !== null && lsn > this.flushed) this.flushed = lsn;
    const last = this.lastEmitted;
    if (
      stored &&
      last &&
      stored.lsn === last.lsn &&
      stored.lsn_proc === last.lsn_proc &&
      stored.txId === last.txId &&
      stored.messageType === last.messageType
    )
      this.allStored = true;
    if (this.flushPosition() > this.reported) this.sendStatus();
  }

  /**
   * The position reported as flushed: what the stored offsets cover, or, when
   * the task is idle (no transaction open, nothing received and unhandled,
   * nothing queued) and the last emitted record's offset is stored, the server's
   * WAL end from its last keepalive, as PostgreSQL's own subscribers report.
   * Nothing for this slot lies between the two then. Without this a fast
   * shutdown of the server never ends: the walsender waits until the client
   * has confirmed everything it was sent, and a client that keeps answering
   * its keepalives with an older position keeps it waiting.
   */
  private flushPosition(): number {
    const idle = !this.tx && this.inbound.length === 0 && !this.draining && this.queue.length === 0;
    return idle && this.allStored ? Math.max(this.flushed, this.idleLsn) : this.flushed;
  }

  private sendStatus(): void {
    const flushed = this.flushPosition();
    this.reported = flushed;
    try {
      this.repl?.sendStatus(Math.max(this.received, flushed), flushed);
    } catch {
      // the stream is gone; the reconnect reports it
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.wakeAll();
    await this.repl?.close();
    await this.running?.catch(() => undefined);
    if (this.cfg?.slotDropOnStop && this.sql) {
      for (let i = 0; i < 20; i++) {
        try {
          await this.sql.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1', [
            this.cfg.slot,
          ]);
          break;
        } catch {
          await this.sleep(250); // its walsender is still exiting
        }
      }
    }
    await this.sql?.end().catch(() => undefined);
    this.sql = null;
  }

  private wakeAll(): void {
    const w = this.dataWaiter;
    this.dataWaiter = null;
    w?.();
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const s of waiters) s();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

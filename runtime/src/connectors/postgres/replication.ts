// The replication connection (`replication=database`): creates the slot
// (with an exported snapshot when a snapshot follows), then streams
// pgoutput from a start LSN and reports our flushed position back.
// Built on `pg`'s Client and its Connection's CopyData events; the frames
// and messages are decoded by pgoutput.ts.
import pg from 'pg';
import { formatLsn, parseLsn } from './lsn.js';
import { decodeCopyFrame, encodeStatusUpdate, type CopyFrame } from './pgoutput.js';

export interface CreatedSlot {
  readonly consistentPoint: number;
  readonly snapshotName: string | null;
}

interface PgConnectionInternals {
  on(event: 'copyData', fn: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

export class ReplicationConnection {
  private readonly client: pg.Client;
  private streaming = false;
  private ended = false;

  constructor(config: pg.ClientConfig) {
    this.client = new pg.Client({ ...config, replication: 'database' } as pg.ClientConfig);
    // Errors after connect surface through the stream's promise or onError.
    this.client.on('error', (err) => this.onError?.(err));
  }

  onError?: (err: Error) => void;

  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** CREATE_REPLICATION_SLOT; `exportSnapshot` keeps a snapshot alive until this connection's next command. */
  async createSlot(slot: string, exportSnapshot: boolean): Promise<CreatedSlot> {
    const r = await this.client.query(
      `CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
    );
    const row = r.rows[0];
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name ?? null };
  }

  /**
   * START_REPLICATION from `startLsn` (0 = the slot's confirmed flush
   * position). `onFrame` gets every frame in order; the returned promise
   * settles when the stream ends (rejects on a server error, e.g. a slot in
   * use).
   */
  start(slot: string, publication: string, startLsn: number, onFrame: (f: CopyFrame) => void): Promise<void> {
    const conn = (this.client as unknown as { connection: PgConnectionInternals }).connection;
    // The parser reuses its buffer: frames that wait in a backlog need their own copy.
    conn.on('copyData', (msg) => onFrame(decodeCopyFrame(Buffer.from(msg.chunk))));
    this.streaming = true;
    const sql =
      `START_REPLICATION SLOT ${slot} LOGICAL ${formatLsn(startLsn)} ` +
      `(proto_version '1', publication_names '${publication.replace(/'/g, "''")}')`;
    return this.client.query(sql).then(
      () => undefined,
      (err: Error) => {
        if (!this.ended) throw err;
      },
    );
  }

  /** Tells the server what we have received and what it may forget (flush = apply). */
  sendStatus(received: number, flushed: number, replyRequested = false): void {
    if (!this.streaming || this.ended) return;
    const conn = (this.client as unknown as { connection: PgConnectionInternals }).connection;
    conn.sendCopyFromChunk(encodeStatusUpdate(received, flushed, flushed, replyRequested));
  }

  pause(): void {
    (this.client as unknown as { connection: PgConnectionInternals }).connection.stream.pause();
  }

  resume(): void {
    (this.client as unknown as { connection: PgConnectionInternals }).connection.stream.resume();
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    try {
      await Promise.race([this.client.end(), new Promise((r) => setTimeout(r, 5000))]);
    } catch {
      // already gone
    }
  }
}

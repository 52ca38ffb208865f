// Streaming source offsets with the meaning Debezium 3.x (pgoutput) gives
// them, so that either connector can resume from the other's offsets, and
// the resume rule both sides of that exchange need. Debezium's side, read in
// its source (PostgresOffsetContext, PostgresStreamingChangeEventSource,
// WalPositionLocator):
// - `lsn`: the LSN of the message the record comes from (a change's own LSN;
//   a BEGIN's first LSN; a COMMIT's end LSN).
// - `lsn_proc`: the last LSN all of whose events are processed. A change sets
//   it to its own LSN; a COMMIT to its end LSN; a BEGIN leaves it.
// - `lsn_commit`: the end LSN of the last COMMIT processed before the record.
// - `messageType`: the kind of that message (INSERT, UPDATE, DELETE, TRUNCATE,
//   BEGIN, COMMIT, MESSAGE).
// Debezium restarts streaming at `lsn_proc` and drops every change up to and
// including the message at `lsn_proc`; it confirms `lsn_commit` to the slot.
import type { SourceOffset } from '../../sdk/index.js';

/** Where a streamed record stands in the WAL, in Debezium's terms. */
export interface StreamPosition {
  /** The LSN of the message the record comes from. */
  lsn: number;
  /** The last LSN all of whose records are emitted (a change's own LSN once its last record is out). */
  lsnProc: number;
  /** The end LSN of the last commit whose records are all emitted. */
  lsnCommit: number;
  messageType: string;
  txId: number | null;
  tsMicros: bigint;
  /** provide.transaction.metadata's transaction id, or null. */
  transactionId: string | null;
}

/** The offset of a streamed record, keys in Debezium's order. */
export function streamOffset(p: StreamPosition): SourceOffset {
  return {
    transaction_id: p.transactionId,
    lsn_proc: p.lsnProc,
    messageType: p.messageType,
    lsn_commit: p.lsnCommit,
    lsn: p.lsn,
    txId: p.txId,
    ts_usec: Number(p.tsMicros),
  };
}

/**
 * The offset of a position where nothing is open or unhandled (a heartbeat
 * while idle): `pos` as lsn, lsn_proc and lsn_commit, typed MESSAGE, the shape
 * Debezium writes after a non-transactional logical decoding message. Not
 * COMMIT: `pos` may be the server's WAL end from a keepalive rather than a
 * commit end, and a change written later can sit at exactly that LSN (the
 * next WAL record starts where the last one ended) inside a transaction that
 * began earlier. Debezium 3.6.1's WalPositionLocator takes the message at a
 * COMMIT offset's lsn_proc as processed and drops that transaction's changes
 * up to it (the loss debezium/dbz#76 fixed after 3.6.1); for a MESSAGE offset
 * with lsn_commit = lsn_proc it replays the first transaction whole.
 */
export function idleOffset(pos: number, txId: number | null, tsMicros: bigint): SourceOffset {
  return streamOffset({
    transactionId: null,
    lsnProc: pos,
    messageType: 'MESSAGE',
    lsnCommit: pos,
    lsn: pos,
    txId,
    tsMicros,
  });
}

/**
 * The events of one transaction emitted before a restart: those below
 * `lsn`, and those at `lsn` too when `inclusive`.
 */
export interface Skip {
  xid: number;
  lsn: number;
  inclusive: boolean;
}

/** Whether the event of transaction `xid` at `lsn` was emitted before the restart. */
export function alreadyEmitted(skip: Skip | null, xid: number, lsn: number): boolean {
  if (!skip || skip.xid !== xid) return false;
  return skip.inclusive ? lsn <= skip.lsn : lsn < skip.lsn;
}

/** Where streaming resumes from stored offsets, and what of the first transaction it drops. */
export interface ResumePoint {
  /** START_REPLICATION's LSN; also the last commit end until a commit arrives. */
  startLsn: number;
  skip: Skip | null;
}

/** Message types of an event inside a transaction: a record with one of them may be followed by more of the same transaction. */
const IN_TRANSACTION = new Set(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'MESSAGE']);

/**
 * The resume point from offsets that Sluice or Debezium stored (after a
 * completed snapshot). Streaming starts at the last commit end, so the
 * transaction of the stored event comes again whole; its events below the
 * stored `lsn` were emitted before it (a transaction's changes come in LSN
 * order), and those at `lsn` only if `lsn_proc` says so: a PK change or a
 * TRUNCATE of several tables makes several records of one LSN, and the
 * stored one may not be the last. Offsets written by Sluice before
 * `lsn_proc` had this meaning (it was the last commit end) therefore repeat
 * the events at `lsn` once, never lose them.
 */
export function resumePoint(stored: SourceOffset): ResumePoint {
  const startLsn = num(stored.lsn_commit) ?? num(stored.lsn_proc) ?? num(stored.lsn) ?? 0;
  const streaming = 'lsn_commit' in stored || 'lsn_proc' in stored;
  const xid = num(stored.txId);
  const lsn = num(stored.lsn);
  if (!streaming || xid === null || lsn === null || !IN_TRANSACTION.has(String(stored.messageType)))
    return { startLsn, skip: null };
  // An idle position (idleOffset) or a non-transactional message: nothing of a transaction was emitted.
  if (stored.messageType === 'MESSAGE' && num(stored.lsn_commit) === num(stored.lsn_proc))
    return { startLsn, skip: null };
  return { startLsn, skip: { xid, lsn, inclusive: num(stored.lsn_proc) === lsn } };
}

/**
 * The LSN the slot may confirm as flushed for stored offsets: `lsn_commit`
 * (as Debezium confirms), the end of a commit all of whose records are
 * stored. Never `lsn_proc`: it can lie inside an open transaction. Null
 * when the offsets have none (nothing is confirmed then).
 */
export function confirmedFlush(stored: SourceOffset | null | undefined): number | null {
  return num(stored?.lsn_commit);
}

/** An offset field as a number (JSON numbers, bigint, or digit strings); null otherwise. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
}

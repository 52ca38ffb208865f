import { expect } from 'chai';
import { alreadyEmitted, confirmedFlush, idleOffset, num, resumePoint, streamOffset, type Skip } from './offsets.js';

// LSNs of a small WAL: T1 committed (end 1000); T2 has changes at 1000, 1100, 1200 and commits (end 1300).
const T1_END = 1000;
const T2 = 772;
const T2_END = 1300;

const offset = (o: { lsn: number; lsnProc: number; lsnCommit: number; messageType: string; txId?: number | null }) =>
  streamOffset({
    lsn: o.lsn,
    lsnProc: o.lsnProc,
    lsnCommit: o.lsnCommit,
    messageType: o.messageType,
    txId: o.txId === undefined ? T2 : o.txId,
    tsMicros: 1_700_000_000_000_000n,
    transactionId: null,
  });

describe('postgres CDC: source offsets and resume', () => {
  it('writes the streaming offset with Debezium keys, in Debezium order', () => {
    const o = offset({ lsn: 1100, lsnProc: 1100, lsnCommit: T1_END, messageType: 'INSERT' });
    expect(Object.keys(o)).to.deep.equal([
      'transaction_id',
      'lsn_proc',
      'messageType',
      'lsn_commit',
      'lsn',
      'txId',
      'ts_usec',
    ]);
    expect(o).to.deep.equal({
      transaction_id: null,
      lsn_proc: 1100,
      messageType: 'INSERT',
      lsn_commit: T1_END,
      lsn: 1100,
      txId: T2,
      ts_usec: 1_700_000_000_000_000,
    });
  });

  it('resumes a change offset at the last commit end and skips the transaction up to and including its LSN', () => {
    const r = resumePoint(offset({ lsn: 1100, lsnProc: 1100, lsnCommit: T1_END, messageType: 'UPDATE' }));
    expect(r).to.deep.equal({ startLsn: T1_END, skip: { xid: T2, lsn: 1100, inclusive: true } });
  });

  it('repeats the events at the LSN when the stored record was not the last of its message', () => {
    // The delete of a PK change (its create follows at the same LSN): lsn_proc is still the previous change.
    const r = resumePoint(offset({ lsn: 1100, lsnProc: 1000, lsnCommit: T1_END, messageType: 'UPDATE' }));
    expect(r.skip).to.deep.equal({ xid: T2, lsn: 1100, inclusive: false });
    expect(alreadyEmitted(r.skip, T2, 1000)).to.equal(true);
    expect(alreadyEmitted(r.skip, T2, 1100)).to.equal(false);
  });

  it('resumes a COMMIT offset (END record, heartbeat) at its commit end, skipping nothing', () => {
    const r = resumePoint(offset({ lsn: T2_END, lsnProc: T2_END, lsnCommit: T2_END, messageType: 'COMMIT' }));
    expect(r).to.deep.equal({ startLsn: T2_END, skip: null });
  });

  it("writes an idle heartbeat's position as Debezium's MESSAGE shape, and resumes from it skipping nothing", () => {
    // The position may be a keepalive's WAL end, where a later change of an open transaction can sit.
    const idle = idleOffset(1200, T2, 5n);
    expect(idle).to.deep.include({ lsn: 1200, lsn_proc: 1200, lsn_commit: 1200, messageType: 'MESSAGE', txId: T2 });
    expect(Object.keys(idle)).to.deep.equal(
      Object.keys(offset({ lsn: 1, lsnProc: 1, lsnCommit: 1, messageType: 'X' })),
    );
    expect(resumePoint(idle)).to.deep.equal({ startLsn: 1200, skip: null });
    // A MESSAGE inside a transaction (lsn_commit before it) still skips what was emitted.
    const inTx = resumePoint(offset({ lsn: 1100, lsnProc: 1100, lsnCommit: T1_END, messageType: 'MESSAGE' }));
    expect(inTx.skip).to.deep.equal({ xid: T2, lsn: 1100, inclusive: true });
  });

  it('skips nothing after a BEGIN record: none of its transaction changes was emitted', () => {
    const r = resumePoint(offset({ lsn: 1000, lsnProc: T1_END, lsnCommit: T1_END, messageType: 'BEGIN' }));
    expect(r).to.deep.equal({ startLsn: T1_END, skip: null });
  });

  it('resumes from a Debezium change offset as from its own', () => {
    const debezium = { lsn_proc: 1200, lsn_commit: T1_END, lsn: 1200, txId: T2, ts_usec: 1, messageType: 'DELETE' };
    expect(resumePoint(debezium)).to.deep.equal({ startLsn: T1_END, skip: { xid: T2, lsn: 1200, inclusive: true } });
  });

  it('resumes from a Debezium offset without lsn_commit (its first streamed transaction) at lsn_proc', () => {
    const debezium = { lsn_proc: 1200, lsn: 1200, txId: T2, ts_usec: 1, messageType: 'INSERT' };
    expect(resumePoint(debezium)).to.deep.equal({ startLsn: 1200, skip: { xid: T2, lsn: 1200, inclusive: true } });
  });

  it('resumes an interleaved transaction (change written before the previous commit) at the commit end', () => {
    // T2's change at 900 precedes T1's commit end 1000: streaming still starts at 1000 and T2 comes whole.
    const r = resumePoint(offset({ lsn: 900, lsnProc: 900, lsnCommit: T1_END, messageType: 'INSERT' }));
    expect(r).to.deep.equal({ startLsn: T1_END, skip: { xid: T2, lsn: 900, inclusive: true } });
  });

  it('repeats at most the stored LSN for offsets of an older Sluice (lsn_proc was the last commit end)', () => {
    const r = resumePoint(offset({ lsn: 1100, lsnProc: T1_END, lsnCommit: T1_END, messageType: 'INSERT' }));
    expect(r).to.deep.equal({ startLsn: T1_END, skip: { xid: T2, lsn: 1100, inclusive: false } });
  });

  it('resumes a completed snapshot at its LSN without a skip', () => {
    const snap = {
      last_snapshot_record: true,
      lsn: 5000,
      txId: 9,
      ts_usec: 1,
      snapshot: 'INITIAL',
      snapshot_completed: true,
    };
    expect(resumePoint(snap)).to.deep.equal({ startLsn: 5000, skip: null });
  });

  it('skips nothing without a txId or for an unknown message type', () => {
    expect(
      resumePoint(offset({ lsn: 1100, lsnProc: 1100, lsnCommit: T1_END, messageType: 'INSERT', txId: null })).skip,
    ).to.equal(null);
    expect(resumePoint({ lsn_proc: 1100, lsn_commit: T1_END, lsn: 1100, txId: T2 }).skip).to.equal(null);
  });

  it('drops only events of the stored transaction', () => {
    const skip: Skip = { xid: T2, lsn: 1100, inclusive: true };
    expect(alreadyEmitted(skip, T2, 1000)).to.equal(true);
    expect(alreadyEmitted(skip, T2, 1100)).to.equal(true);
    expect(alreadyEmitted(skip, T2, 1200)).to.equal(false);
    expect(alreadyEmitted(skip, T2 + 1, 1000)).to.equal(false);
    expect(alreadyEmitted(null, T2, 1000)).to.equal(false);
  });

  it('confirms lsn_commit to the slot, never lsn_proc', () => {
    expect(confirmedFlush(offset({ lsn: 1200, lsnProc: 1200, lsnCommit: T1_END, messageType: 'INSERT' }))).to.equal(
      T1_END,
    );
    expect(confirmedFlush({ lsn_proc: 1200, lsn: 1200, txId: T2, messageType: 'INSERT' })).to.equal(null);
    expect(confirmedFlush(null)).to.equal(null);
  });

  it('reads offset numbers stored as numbers, bigints or digit strings', () => {
    expect(num(12)).to.equal(12);
    expect(num(12n)).to.equal(12);
    expect(num('12')).to.equal(12);
    expect(num('0/12')).to.equal(null);
    expect(num(undefined)).to.equal(null);
  });

  it('after a stop at any record of a transaction, a restart emits exactly the records not stored', () => {
    // T2's records as the task writes them: an insert at 1000, a PK change at 1100 (delete, then
    // create: two records of one LSN), a delete at 1200 with its tombstone, then the END record.
    type Rec = { name: string; lsn: number; offset: ReturnType<typeof offset> };
    const rec = (name: string, lsn: number, lsnProc: number, messageType: string, lsnCommit = T1_END): Rec => ({
      name,
      lsn,
      offset: offset({ lsn, lsnProc, lsnCommit, messageType }),
    });
    const records: Rec[] = [
      rec('insert', 1000, 1000, 'INSERT'),
      rec('pk-delete', 1100, 1000, 'UPDATE'),
      rec('pk-create', 1100, 1100, 'UPDATE'),
      rec('delete', 1200, 1100, 'DELETE'),
      rec('tombstone', 1200, 1200, 'DELETE'),
      rec('end', T2_END, T2_END, 'COMMIT', T2_END),
    ];
    for (const [i, stored] of records.entries()) {
      const r = resumePoint(stored.offset);
      if (stored.name === 'end') {
        expect(r).to.deep.equal({ startLsn: T2_END, skip: null });
        continue;
      }
      // T2's commit lies after startLsn, so the server sends T2 again whole; the task drops what the skip covers.
      expect(r.startLsn).to.be.below(T2_END);
      const emitted = records.filter((x) => !alreadyEmitted(r.skip, T2, x.lsn));
      const notStored = records.slice(i + 1);
      expect(
        notStored.filter((x) => !emitted.includes(x)).map((x) => x.name),
        `lost after ${stored.name}`,
      ).to.deep.equal([]);
      // Repeats: none, except the records of the stored LSN when the stored one was not its last.
      const repeated = emitted.filter((x) => !notStored.includes(x)).map((x) => x.name);
      const sameLsn = records.slice(0, i + 1).filter((x) => x.lsn === stored.lsn);
      expect(repeated, `repeated after ${stored.name}`).to.deep.equal(
        stored.offset.lsn_proc === stored.lsn ? [] : sameLsn.map((x) => x.name),
      );
    }
  });
});

import { expect } from 'chai';
import { UNCHANGED_TOAST, decodeCopyFrame, decodePgOutput, encodeStatusUpdate } from './pgoutput.js';

const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])]);
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};

describe('postgres CDC: pgoutput decoder', () => {
  it('decodes Begin, Relation, Insert, Update with old key, Delete and Commit', () => {
    const begin = decodePgOutput(Buffer.concat([Buffer.from('B'), i64(0x100), i64(0), i32(771)]));
    expect(begin).to.deep.equal({ tag: 'begin', finalLsn: 0x100, commitTimeMicros: 946_684_800_000_000n, xid: 771 });
    const rel = decodePgOutput(
      Buffer.concat([
        Buffer.from('R'),
        i32(16384),
        cstr('public'),
        cstr('orders'),
        Buffer.from('d'),
        i16(2),
        Buffer.from([1]),
        cstr('id'),
        i32(23),
        i32(-1),
        Buffer.from([0]),
        cstr('note'),
        i32(25),
        i32(-1),
      ]),
    );
    expect(rel).to.deep.include({ tag: 'relation', relationId: 16384, schema: 'public', table: 'orders' });
    const tuple = (...cols: Buffer[]) => Buffer.concat([i16(cols.length), ...cols]);
    const text = (s: string) => Buffer.concat([Buffer.from('t'), i32(Buffer.byteLength(s)), Buffer.from(s)]);
    const ins = decodePgOutput(
      Buffer.concat([Buffer.from('I'), i32(16384), Buffer.from('N'), tuple(text('42'), Buffer.from('n'))]),
    );
    expect(ins).to.deep.equal({ tag: 'insert', relationId: 16384, newTuple: ['42', null] });
    const upd = decodePgOutput(
      Buffer.concat([
        Buffer.from('U'),
        i32(16384),
        Buffer.from('K'),
        tuple(text('41'), Buffer.from('n')),
        Buffer.from('N'),
        tuple(text('42'), Buffer.from('u')),
      ]),
    );
    expect(upd).to.deep.equal({
      tag: 'update',
      relationId: 16384,
      key: ['41', null],
      old: null,
      newTuple: ['42', UNCHANGED_TOAST],
    });
    const del = decodePgOutput(
      Buffer.concat([Buffer.from('D'), i32(16384), Buffer.from('O'), tuple(text('1'), text('é'))]),
    );
    expect(del).to.deep.equal({ tag: 'delete', relationId: 16384, key: null, old: ['1', 'é'] });
    const commit = decodePgOutput(Buffer.concat([Buffer.from('C'), Buffer.from([0]), i64(0x100), i64(0x130), i64(1)]));
    expect(commit).to.deep.include({ tag: 'commit', commitLsn: 0x100, endLsn: 0x130 });
  });

  it('decodes XLogData and keepalive frames and encodes status updates', () => {
    const w = decodeCopyFrame(Buffer.concat([Buffer.from('w'), i64(5), i64(9), i64(0), Buffer.from('B')]));
    expect(w).to.deep.include({ kind: 'xlog', dataStart: 5, walEnd: 9 });
    const k = decodeCopyFrame(Buffer.concat([Buffer.from('k'), i64(77), i64(0), Buffer.from([1])]));
    expect(k).to.deep.include({ kind: 'keepalive', walEnd: 77, replyRequested: true });
    const r = encodeStatusUpdate(10, 8, 8);
    expect(r.length).to.equal(34);
    expect(r.toString('latin1', 0, 1)).to.equal('r');
    expect(r.readBigInt64BE(9)).to.equal(8n);
  });

  it('refuses unknown messages with a clear error', () => {
    expect(() => decodePgOutput(Buffer.from('S'))).to.throw(/unknown message "S"/);
  });
});

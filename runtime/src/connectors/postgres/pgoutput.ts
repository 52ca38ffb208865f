// Decoder for the pgoutput logical replication protocol (version 1) and the
// CopyBoth frames around it (XLogData `w`, keepalive `k`). Pure functions over
// Buffers: the replication connection feeds them, tests feed them bytes.
// Column values stay in PostgreSQL's text form; types.ts converts them the
// way Debezium does (we need the exact text, e.g. microseconds and numeric
// digits, which generic client-side parsers lose).
import { readPgTimestampMicros, readUInt64 } from './lsn.js';

export type TupleValue = string | null | typeof UNCHANGED_TOAST;
/** A column of an UPDATE whose TOASTed value did not change (not sent). */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');

export interface RelationColumn {
  readonly flags: number;
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
}

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: number; commitTimeMicros: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: number; endLsn: number; commitTimeMicros: bigint }
  | { tag: 'origin'; originLsn: number; name: string }
  | {
      tag: 'relation';
      relationId: number;
      schema: string;
      table: string;
      replicaIdentity: string;
      columns: RelationColumn[];
    }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
  | { tag: 'update'; relationId: number; key: TupleValue[] | null; old: TupleValue[] | null; newTuple: TupleValue[] }
  | { tag: 'delete'; relationId: number; key: TupleValue[] | null; old: TupleValue[] | null }
  | { tag: 'truncate'; options: number; relationIds: number[] }
  | { tag: 'message'; flags: number; lsn: number; prefix: string; content: Buffer };

export type CopyFrame =
  | { kind: 'xlog'; dataStart: number; walEnd: number; sendTimeMicros: bigint; data: Buffer }
  | { kind: 'keepalive'; walEnd: number; sendTimeMicros: bigint; replyRequested: boolean };

/** One CopyData payload of a START_REPLICATION stream. */
export function decodeCopyFrame(buf: Buffer): CopyFrame {
  const kind = String.fromCharCode(buf[0]!);
  if (kind === 'w') {
    return {
      kind: 'xlog',
      dataStart: readUInt64(buf, 1),
      walEnd: readUInt64(buf, 9),
      sendTimeMicros: readPgTimestampMicros(buf, 17),
      data: buf.subarray(25),
    };
  }
  if (kind === 'k') {
    return {
      kind: 'keepalive',
      walEnd: readUInt64(buf, 1),
      sendTimeMicros: readPgTimestampMicros(buf, 9),
      replyRequested: buf[17] === 1,
    };
  }
  throw new Error(`unknown replication frame ${JSON.stringify(kind)}`);
}

/** The standby status update (`r`): written/flushed/applied positions, "last byte + 1" each. */
export function encodeStatusUpdate(write: number, flush: number, apply: number, replyRequested = false): Buffer {
  const buf = Buffer.alloc(34);
  buf.write('r', 0);
  writeUInt64(buf, write, 1);
  writeUInt64(buf, flush, 9);
  writeUInt64(buf, apply, 17);
  buf.writeBigInt64BE(BigInt(Date.now()) * 1000n - 946_684_800_000_000n, 25);
  buf[33] = replyRequested ? 1 : 0;
  return buf;
}

function writeUInt64(buf: Buffer, value: number, offset: number): void {
  const hi = Math.floor(value / 2 ** 32);
  buf.writeUInt32BE(hi, offset);
  buf.writeUInt32BE(value - hi * 2 ** 32, offset + 4);
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number {
    return this.buf[this.pos++]!;
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    const v = readUInt64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }
  ts(): bigint {
    const v = readPgTimestampMicros(this.buf, this.pos);
    this.pos += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  tuple(): TupleValue[] {
    const n = this.i16();
    const out: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = String.fromCharCode(this.u8());
      if (kind === 'n') out[i] = null;
      else if (kind === 'u') out[i] = UNCHANGED_TOAST;
      else if (kind === 't' || kind === 'b') {
        const len = this.i32();
        out[i] = this.bytes(len).toString('utf8');
      } else throw new Error(`pgoutput: unknown tuple column kind ${JSON.stringify(kind)}`);
    }
    return out;
  }
}

/** One pgoutput message (the payload of an XLogData frame). */
export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: r.u64(), commitTimeMicros: r.ts(), xid: r.u32() };
    case 'C':
      return { tag: 'commit', flags: r.u8(), commitLsn: r.u64(), endLsn: r.u64(), commitTimeMicros: r.ts() };
    case 'O':
      return { tag: 'origin', originLsn: r.u64(), name: r.cstring() };
    case 'R': {
      const relationId = r.u32();
      const schema = r.cstring();
      const table = r.cstring();
      const replicaIdentity = String.fromCharCode(r.u8());
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++)
        columns.push({ flags: r.u8(), name: r.cstring(), typeOid: r.u32(), typeMod: r.i32() });
      return { tag: 'relation', relationId, schema: schema || 'pg_catalog', table, replicaIdentity, columns };
    }
    case 'Y':
      return { tag: 'type', typeOid: r.u32(), schema: r.cstring(), name: r.cstring() };
    case 'I': {
      const relationId = r.u32();
      r.u8(); // 'N'
      return { tag: 'insert', relationId, newTuple: r.tuple() };
    }
    case 'U': {
      const relationId = r.u32();
      let key: TupleValue[] | null = null;
      let old: TupleValue[] | null = null;
      const kind = String.fromCharCode(r.u8());
      if (kind === 'K') key = r.tuple();
      else if (kind === 'O') old = r.tuple();
      if (kind !== 'N') r.u8(); // the 'N' before the new tuple
      return { tag: 'update', relationId, key, old, newTuple: r.tuple() };
    }
    case 'D': {
      const relationId = r.u32();
      const kind = String.fromCharCode(r.u8());
      const tuple = r.tuple();
      return { tag: 'delete', relationId, key: kind === 'K' ? tuple : null, old: kind === 'O' ? tuple : null };
    }
    case 'T': {
      const n = r.u32();
      const options = r.u8();
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.u32());
      return { tag: 'truncate', options, relationIds };
    }
    case 'M': {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstring();
      const len = r.i32();
      return { tag: 'message', flags, lsn, prefix, content: r.bytes(len) };
    }
    default:
      throw new Error(`pgoutput: unknown message ${JSON.stringify(tag)} (only protocol version 1 is spoken)`);
  }
}

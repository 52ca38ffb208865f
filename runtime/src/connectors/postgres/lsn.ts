// PostgreSQL log sequence numbers: the text form `X/Y` (two hex halves) that
// the server prints and accepts, and the int64 form Debezium stores in
// offsets and the `source.lsn` field. As JS numbers: 2^53 bytes of WAL is
// more than any server will write.

/** `16/B374D848` → 97500059720 */
export function parseLsn(text: string): number {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`not an LSN: ${JSON.stringify(text)}`);
  return parseInt(m[1]!, 16) * 2 ** 32 + parseInt(m[2]!, 16);
}

/** 97500059720 → `16/B374D848` */
export function formatLsn(lsn: number): string {
  if (!Number.isSafeInteger(lsn) || lsn < 0) throw new Error(`not an LSN: ${lsn}`);
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** An int64 read from a protocol buffer as a number (LSNs, xids). */
export function readUInt64(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * 2 ** 32 + buf.readUInt32BE(offset + 4);
}

/** Microseconds since 2000-01-01 (PostgreSQL's epoch) → since 1970-01-01. */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;

/** A protocol timestamp (int64 µs since 2000-01-01) as µs since the Unix epoch. */
export function readPgTimestampMicros(buf: Buffer, offset: number): bigint {
  return buf.readBigInt64BE(offset) + PG_EPOCH_MICROS;
}

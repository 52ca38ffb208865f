// Sorting PostgreSQL and network errors (pure): is the database unreachable
// (retry later), is one record at fault (tolerance / DLQ), or neither?

interface PgLikeError {
  code?: string;
  message?: string;
  detail?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The database cannot be reached or went away (connection exceptions, shutdowns, dropped sockets). */
export function isConnectionError(err: unknown): boolean {
  const e = (err ?? {}) as PgLikeError;
  const code = e.code ?? '';
  if (NETWORK_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
    return true;
  return /Connection terminated|connection error|not queryable|timeout expired|Client was closed/i.test(
    e.message ?? '',
  );
}

/**
 * A record's data is at fault: data exceptions (class 22: bad text for the
 * type, value too long, out of range), integrity violations (class 23: not
 * null, unique, foreign key, check) and datatype mismatch (42804).
 */
export function isRecordError(err: unknown): boolean {
  const code = ((err ?? {}) as PgLikeError).code ?? '';
  return code.startsWith('22') || code.startsWith('23') || code === '42804';
}

/** The server's message with its SQLSTATE and detail. */
export function describePgError(err: unknown): string {
  const e = (err ?? {}) as PgLikeError;
  const detail = e.detail ? ` (${e.detail})` : '';
  const code = e.code && /^[0-9A-Z]{5}$/.test(e.code) ? ` [SQLSTATE ${e.code}]` : e.code ? ` [${e.code}]` : '';
  return `${e.message ?? String(err)}${detail}${code}`;
}

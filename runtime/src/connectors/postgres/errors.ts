// Clear, stable errors for what commonly goes wrong when connecting a CDC
// connector to PostgreSQL, instead of the driver's raw messages.
import { ConnectError, RetriableError } from '../../sdk/index.js';

export class PostgresCdcError extends ConnectError {
  override readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

interface PgError {
  code?: string;
  message?: string;
}

/** Network-level failures worth reconnecting after (the server restarted, the link dropped). */
export function isConnectionError(err: unknown): boolean {
  const e = err as PgError & { code?: string };
  if (!e) return false;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(e.code ?? ''))
    return true;
  // admin_shutdown, crash_shutdown, cannot_connect_now
  if (['57P01', '57P02', '57P03'].includes(e.code ?? '')) return true;
  return /Connection terminated|connection ended|terminating connection/i.test(e.message ?? '');
}

/** Translates a driver error met while talking to `where` (host:port/db as user). */
export function describePgError(err: unknown, ctx: { user: string; where: string; slot?: string }): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = err as PgError;
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case '28P01':
    case '28000':
      return new PostgresCdcError(
        'PG_AUTH',
        `PostgreSQL rejected user '${ctx.user}' at ${ctx.where}: wrong password or no pg_hba.conf entry (${msg})`,
        { cause: err },
      );
    case '3D000':
      return new PostgresCdcError('PG_NO_DATABASE', `Database does not exist at ${ctx.where}: ${msg}`, {
        cause: err,
      });
    case '42501':
      return new PostgresCdcError(
        'PG_PRIVILEGE',
        `User '${ctx.user}' lacks a privilege the connector needs at ${ctx.where} ` +
          `(REPLICATION to use a replication slot, SELECT on captured tables, CREATE/ownership for publications): ${msg}`,
        { cause: err },
      );
    case '55006':
      return new PostgresCdcError(
        'PG_SLOT_IN_USE',
        `Replication slot '${ctx.slot}' is in use by another connection (another connector with the same slot.name?): ${msg}`,
        { cause: err },
      );
    case '55000':
      if (/wal_level/i.test(msg))
        return new PostgresCdcError(
          'PG_WAL_LEVEL',
          `PostgreSQL at ${ctx.where} is not set up for logical decoding: set wal_level=logical and restart it (${msg})`,
          { cause: err },
        );
      break;
  }
  if (isConnectionError(err))
    return new RetriableError(`Cannot reach PostgreSQL at ${ctx.where}: ${msg}`, { cause: err });
  return new PostgresCdcError('PG', `PostgreSQL error at ${ctx.where}: ${msg}`, { cause: err });
}

// Reads a JDBC PostgreSQL URL (jdbc:postgresql://host[:port][/db][?k=v&...],
// as the Debezium JDBC sink takes it) into connection settings for `pg`.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../sdk/index.js';

export interface PgConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  readonly ssl?: false | { rejectUnauthorized: boolean; ca?: string };
  readonly connectTimeoutMs?: number;
}

/** Parses the URL; `user`/`password` query parameters are used when the config keys are absent. */
export function parseJdbcUrl(key: string, url: string): PgConnection {
  const m = /^jdbc:postgresql:\/\/([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(url.trim());
  if (!m)
    throw new ConfigError(key, 'must look like jdbc:postgresql://host[:port]/database (only PostgreSQL is supported)');
  const [, hosts = '', db = '', query = ''] = m;
  // Several hosts (failover) are allowed by the JDBC driver; the first one is used here.
  const first = hosts.split(',')[0]!;
  const hp = /^(\[[^\]]+\]|[^:]+)?(?::(\d+))?$/.exec(first);
  if (!hp) throw new ConfigError(key, 'has a bad host:port');
  const host = (hp[1] ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = hp[2] ? Number(hp[2]) : 5432;
  const params = new URLSearchParams(query);
  const sslmode = params.get('sslmode') ?? (params.get('ssl') === 'true' ? 'verify-full' : 'disable');
  let ssl: PgConnection['ssl'] = false;
  if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full') {
    const rootcert = params.get('sslrootcert');
    let ca: string | undefined;
    if (rootcert) {
      try {
        ca = readFileSync(rootcert, 'utf8');
      } catch (err) {
        throw new ConfigError(key, `cannot read sslrootcert "${rootcert}": ${(err as Error).message}`);
      }
    }
    ssl = { rejectUnauthorized: sslmode !== 'require', ...(ca ? { ca } : {}) };
  }
  const connectTimeout = params.get('connectTimeout');
  return {
    host,
    port,
    database: decodeURIComponent(db) || 'postgres',
    ...(params.get('user') ? { user: params.get('user')! } : {}),
    ...(params.get('password') ? { password: params.get('password')! } : {}),
    ssl,
    ...(connectTimeout && /^\d+$/.test(connectTimeout) ? { connectTimeoutMs: Number(connectTimeout) * 1000 } : {}),
  };
}

/** host:port/database, for messages (never the credentials). */
export function describeConnection(c: PgConnection): string {
  return `${c.host}:${c.port}/${c.database}`;
}

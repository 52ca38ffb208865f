// PostgreSQL of the test environment (e2e/env/postgres.sh) as tests use it:
// a `pg` client from the env JSON, and throwaway databases so tests of
// different agents and runs never see each other's tables, slots or
// publications.
import pg from 'pg';
import type { PostgresEnv } from './env.js';
import { randomBytes } from 'node:crypto';

/** Connection settings for `pg` (this machine's address) from the env JSON. */
export function pgConfig(env: PostgresEnv, database = env.database): pg.ClientConfig {
  return { host: env.host, port: env.port, user: env.user, password: env.password, database };
}

/** A connected `pg` client; the caller ends it. */
export async function pgClient(env: PostgresEnv, database = env.database): Promise<pg.Client> {
  if (!env) throw new Error('the test environment has no postgres (run npm run env:up)');
  const client = new pg.Client(pgConfig(env, database));
  await client.connect();
  return client;
}

/** Runs `fn` with a connected client and ends it afterwards. */
export async function withPg<T>(env: PostgresEnv, fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = await pgClient(env, database);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A random lower-case identifier (databases, slots, publications, tables). */
export function pgName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Creates a fresh database and returns its name. */
export async function createTestDatabase(env: PostgresEnv, prefix = 'test'): Promise<string> {
  const name = pgName(prefix);
  await withPg(env, (c) => c.query(`CREATE DATABASE ${name}`));
  return name;
}

/**
 * Drops a test database with everything in it: its replication slots first
 * (a database with a slot cannot be dropped), ending whoever still holds them.
 */
export async function dropTestDatabase(env: PostgresEnv, name: string): Promise<void> {
  await withPg(env, async (c) => {
    await c.query(
      `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`,
      [name],
    );
    for (let i = 0; i < 50; i++) {
      try {
        await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`, [
          name,
        ]);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200)); // the slot's walsender is still exiting
      }
    }
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

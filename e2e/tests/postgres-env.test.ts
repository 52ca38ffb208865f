// The environment's PostgreSQL (e2e/env/postgres.sh): reachable with the
// credentials of the env JSON, set up for logical replication, and its `up`
// is idempotent (a second run neither fails nor restarts the server).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot, withEnv } from '../src/env.js';
import { createTestDatabase, dropTestDatabase, withPg } from '../src/pg.js';

const run = promisify(execFile);

describe('PostgreSQL in the test environment @env', function () {
  this.timeout(120_000);
  const env = withEnv();

  it('serves the env JSON credentials with wal_level=logical and replication slots', async () => {
    const pgEnv = env().postgres;
    expect(pgEnv.port).to.be.a('number');
    const settings = await withPg(pgEnv, async (c) => {
      const r = await c.query(
        `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level','max_replication_slots','max_wal_senders')`,
      );
      return Object.fromEntries(r.rows.map((row) => [row.name, row.setting]));
    });
    expect(settings.wal_level).to.equal('logical');
    expect(Number(settings.max_replication_slots)).to.be.at.least(10);
    expect(Number(settings.max_wal_senders)).to.be.at.least(10);
  });

  it('creates a logical slot with pgoutput in a throwaway database', async () => {
    const pgEnv = env().postgres;
    const db = await createTestDatabase(pgEnv, 'envtest');
    try {
      const slot = await withPg(
        pgEnv,
        async (c) => (await c.query(`SELECT slot_name FROM pg_create_logical_replication_slot('s1', 'pgoutput')`)).rows,
        db,
      );
      expect(slot).to.deep.equal([{ slot_name: 's1' }]);
    } finally {
      await dropTestDatabase(pgEnv, db);
    }
  });

  it('a second up keeps the running server (same postmaster start time)', async () => {
    const pgEnv = env().postgres;
    const started = () =>
      withPg(pgEnv, async (c) => String((await c.query('SELECT pg_postmaster_start_time() AS t')).rows[0].t));
    const before = await started();
    await run('bash', [path.join(repoRoot, 'e2e/env/postgres.sh'), 'up']);
    expect(await started()).to.equal(before);
  });
});

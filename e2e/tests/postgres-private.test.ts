// The private PostgreSQL helper (e2e/src/private-postgres.ts) that tests use
// to restart or kill a server without disturbing the environment's: it starts
// with wal_level=logical on its own port, keeps committed rows over a clean
// restart and over a SIGKILL of every server process (crash recovery), and
// leaves nothing behind.
import { expect } from 'chai';
import { access } from 'node:fs/promises';
import { withEnv } from '../src/env.js';
import { withPg } from '../src/pg.js';
import { PrivatePostgres } from '../src/private-postgres.js';

describe('private PostgreSQL for restart tests @env', function () {
  this.timeout(300_000);
  const env = withEnv(); // PostgreSQL's Debian packages come with the environment

  it('starts with logical WAL, survives restart and SIGKILL with its rows, and is removed', async () => {
    const shared = env().postgres;
    const p = await PrivatePostgres.create();
    try {
      expect(p.env.port).to.not.equal(shared.port);
      expect(p.env.podHost).to.equal(shared.podHost);
      const setting = await withPg(p.env, async (c) => (await c.query('SHOW wal_level')).rows[0].wal_level);
      expect(setting).to.equal('logical');
      await withPg(p.env, (c) => c.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)'));
      await p.restart();
      await withPg(p.env, (c) => c.query('INSERT INTO t VALUES (2)'));
      await p.kill();
      let refused = false;
      await withPg(p.env, () => Promise.resolve()).catch(() => (refused = true));
      expect(refused, 'connecting to a killed server fails').to.equal(true);
      await p.start();
      const ids = await withPg(p.env, async (c) => (await c.query('SELECT id FROM t ORDER BY id')).rows);
      expect(ids).to.deep.equal([{ id: 1 }, { id: 2 }]);
    } finally {
      await p.destroy();
    }
    let gone = false;
    await access(p.dir).catch(() => (gone = true));
    expect(gone, `${p.dir} removed`).to.equal(true);
  });
});

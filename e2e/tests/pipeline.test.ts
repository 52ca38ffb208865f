// The issue-14 pipeline through the operator on the node, short form (the
// long run is `npm run pipeline`): PostgreSQL -> CDC source -> Kafka ->
// PostgreSQL sink, both Connectors on a distributed KafkaConnect of two
// worker pods, a few thousand random changes with a worker SIGKILL and a
// PostgreSQL restart in the middle; the replica ends equal to the source
// (row count and md5 of all rows). See e2e/src/pipeline.ts.
import { expect } from 'chai';
import { withEnv } from '../src/env.js';
import { nodeEnv } from '../src/node.js';
import { runPipeline } from '../src/pipeline.js';
import { PrivatePostgres } from '../src/private-postgres.js';

describe('pipeline on the node: PostgreSQL -> CDC -> Kafka -> PostgreSQL sink, through the operator @env', function () {
  this.timeout(1_200_000);
  const getEnv = withEnv();
  let server: PrivatePostgres | undefined;

  after(async () => {
    await server?.destroy();
  });

  it('keeps the replica equal to the source through random changes, a worker SIGKILL and a PostgreSQL restart', async () => {
    const env = nodeEnv(getEnv());
    // A server of the test's own: the shared one serves other tests and is never restarted.
    server = await PrivatePostgres.create();
    const result = await runPipeline(env, server, {
      changes: 3_000,
      kills: 1,
      restarts: 1,
      log: (line) => console.log(`      ${line}`),
    });
    console.log(
      `      ${result.changes} changes, ${result.rows} rows equal (md5 ${result.checksum}); faults: ${result.faults.map((f) => `${f.what} at ${f.atChange}`).join('; ')}; caught up ${result.catchUpSeconds.toFixed(0)} s after the last change`,
    );
    expect(result.faults.map((f) => f.what.split(' ')[0])).to.deep.equal(['SIGKILL', 'PostgreSQL']);
    expect(result.changes).to.be.at.least(3_000);
    expect(result.rows).to.be.greaterThan(0);
  });
});

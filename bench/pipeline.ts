// The issue-14 pipeline, long run (`npm run pipeline`): PostgreSQL -> CDC
// source -> Kafka -> PostgreSQL sink, both as Connectors on a distributed
// KafkaConnect of worker pods on the node, the operator installed with the
// chart; 100k random inserts, updates and deletes with worker SIGKILLs and
// PostgreSQL restarts in the middle (on a PostgreSQL server of the run's
// own, so that the shared one keeps serving other tests). Exits non-zero
// unless the replica ends equal to the source (row count and md5 of all rows).
//   npm run pipeline -- --changes 100000 --kills 4 --restarts 2 --replicas 2
// Prints the faults, the timings and one final JSON line.
import { loadavg } from 'node:os';
import { useEnv } from '../e2e/src/env.js';
import { nodeEnv } from '../e2e/src/node.js';
import { runPipeline } from '../e2e/src/pipeline.js';
import { PrivatePostgres } from '../e2e/src/private-postgres.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CHANGES = arg('changes', 100_000);
const KILLS = arg('kills', 4);
const RESTARTS = arg('restarts', 2);
const REPLICAS = arg('replicas', 2);

const env = nodeEnv(await useEnv());
const server = await PrivatePostgres.create();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s]`;
console.log(`load average at start: ${load()}`);
try {
  const r = await runPipeline(env, server, {
    changes: CHANGES,
    kills: KILLS,
    restarts: RESTARTS,
    replicas: REPLICAS,
    convergeTimeoutMs: 1_800_000,
    log: (line) => console.log(`${stamp()} ${line}`),
  });
  console.log('\nfaults:');
  for (const f of r.faults)
    console.log(
      `  at change ${String(f.atChange).padStart(7)}: ${f.what} (recovered in ${f.recoverySeconds.toFixed(1)} s)`,
    );
  console.log(
    `\nreplica equal to the source: ${r.rows} rows, md5 ${r.checksum}\n` +
      `${r.changes} changes in ${r.transactions} transactions (${r.writerErrors} transactions lost to faults and retried), ` +
      `written in ${r.writeSeconds.toFixed(0)} s; replica caught up ${r.catchUpSeconds.toFixed(0)} s after the last change; ` +
      `operator auto-restarts ${r.connectorRestarts}; total ${r.totalSeconds.toFixed(0)} s; load average at end: ${load()}`,
  );
  console.log(JSON.stringify({ ...r, load: loadavg() }));
} finally {
  await server.destroy();
}

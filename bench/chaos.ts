// npm run chaos: the chaos run through the operator on the node
// (e2e/src/chaos/run.ts), for as long as asked; prints the table and exits
// non-zero when a record was lost, a connector is not RUNNING at the end or a
// pod is in a crash loop.
//   npm run chaos -- --minutes 60                 (default 10)
//   npm run chaos -- --minutes 5 --once           (every fault once, as in npm test)
//   npm run chaos -- --faults 'worker SIGKILL,mode switch' --rate 100
// It restarts the shared environment's apiserver, etcd and kubelet: each
// window is written to SLUICE_CHAOS_WINDOWS (default <env state>/chaos-windows.log).
// The process-level run (workers as processes, no operator) is npm run chaos:process.
import { useEnv } from '../e2e/src/env.js';
import { nodeEnv } from '../e2e/src/node.js';
import { FAULTS, runChaos, type Fault } from '../e2e/src/chaos/run.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const faults = arg('faults')
  ?.split(',')
  .map((f) => f.trim()) as Fault[] | undefined;
for (const f of faults ?? []) {
  if (!FAULTS.includes(f)) throw new Error(`unknown fault '${f}'; faults: ${FAULTS.join(', ')}`);
}
const gap = arg('gap')?.split(',').map(Number);

const result = await runChaos(nodeEnv(await useEnv()), {
  minutes: Number(arg('minutes') ?? 10),
  once: process.argv.includes('--once'),
  ...(faults ? { faults } : {}),
  ...(arg('rate') ? { rate: Number(arg('rate')) } : {}),
  ...(gap && gap.length === 2 ? { gapMs: [gap[0]!, gap[1]!] as const } : {}),
});
console.log(`\n${result.table}\n${result.summary}`);
if (result.pipelines.some((p) => p.lost > 0) || result.notRunning.length > 0 || result.crashLooping.length > 0)
  process.exitCode = 1;

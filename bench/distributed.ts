// Distributed-mode benchmark: our runtime vs Apache Kafka Connect 4.3.1, both
// as clusters of distributed workers on the same broker with the same group
// settings, alternating run by run.
//   rebalance: 2 workers run a FileStreamSink with tasks.max=6 (6 partitions);
//     a 3rd worker joins (start -> tasks spread 2/2/2, and REST up -> spread),
//     it leaves with SIGTERM (-> all tasks RUNNING on the other two), another
//     joins and is SIGKILLed (-> its tasks RUNNING elsewhere).
//   throughput: the same sink, tasks.max=6, over a preloaded 6-partition topic
//     on 1 and on 3 workers: connector creation -> every record in the file.
//   npm run bench:distributed [-- --runs=3 --records=600000 --tasks=6 --delay-ms=0
//     --session-ms=6000 --heartbeat-ms=1000 --scenarios=rebalance,throughput --keep=1]
//   (or BENCH_RUNS, BENCH_RECORDS, BENCH_TASKS, BENCH_DELAY_MS, BENCH_SESSION_MS,
//   BENCH_HEARTBEAT_MS, BENCH_SCENARIOS, BENCH_KEEP: keep the workers' logs)
// Prints median tables, every run's numbers, and one final JSON line.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Admin, Kafka } from 'kafkajs';
import { testKafka } from '../e2e/src/kafka.js';
import { randomName } from '../e2e/src/names.js';
import { distributedProps, tempDir } from '../e2e/src/runtime-process.js';
import {
  DistributedWorker,
  runningWithout,
  spreadOver,
  watchForFailedTasks,
  type Props,
} from './lib/connect-worker.js';
import { envUp, machineFacts, type BenchEnv } from './lib/env.js';
import { fileSize, pollUntil, trackProgress } from './lib/progress.js';
import { IMPLS, median, sideBySide, type Impl, type SideBySideRow } from './lib/report.js';
import { createTopicsAndWait } from '../runtime/src/kafka/topics.js';

/** `--name=value` on the command line, else BENCH_<NAME>, else the default. */
function option(name: string, fallback: string): string {
  const flag = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
}
function numberOption(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`);
  return value;
}

const RUNS = numberOption('runs', 3);
const RECORDS = numberOption('records', 600_000);
const TASKS = numberOption('tasks', 6);
const SESSION_MS = numberOption('session-ms', 6_000);
const HEARTBEAT_MS = numberOption('heartbeat-ms', 1_000);
const DELAY_MS = numberOption('delay-ms', 0);
const FLUSH_MS = 10_000;
const SCENARIOS = option('scenarios', 'rebalance,throughput').split(',');
/** Keep the workers' logs of a clean run too. */
const KEEP = option('keep', '') !== '';
const THROUGHPUT_WORKERS = [1, 3] as const;
const VALUE_CHARS = 100; // plus '\n' in the sink's file: bytes are records
const SETTLE_MS = 2_000; // between phases: let follow-up rebalances and status writes finish

type Metrics = Record<string, number>;
interface Run {
  readonly scenario: string;
  readonly impl: Impl;
  readonly run: number;
  readonly metrics?: Metrics;
  /** Per worker, for the throughput runs. */
  readonly peakRssMb?: number[];
  readonly error?: string;
}

interface Bench {
  readonly env: BenchEnv;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly root: string;
  /** Every topic the bench created or made the workers create: deleted at the end. */
  readonly topics: string[];
  /** Empty, TASKS partitions: what the rebalance runs' sink subscribes to. */
  readonly idleTopic: string;
  /** TASKS partitions, RECORDS records: what the throughput runs' sink reads. */
  readonly loadedTopic: string;
}

/** The same worker settings for both runtimes. */
function workerProps(bench: Bench, group: string): Props {
  bench.topics.push(`${group}-configs`, `${group}-offsets`, `${group}-status`);
  return {
    ...distributedProps(bench.env.kafka.bootstrapServers, group),
    'offset.flush.interval.ms': FLUSH_MS,
    'session.timeout.ms': SESSION_MS,
    'heartbeat.interval.ms': HEARTBEAT_MS,
    'scheduled.rebalance.max.delay.ms': DELAY_MS,
    // The sink tasks' consumer groups notice a killed worker's consumers as fast as the Connect group does.
    'consumer.session.timeout.ms': SESSION_MS,
    'consumer.heartbeat.interval.ms': HEARTBEAT_MS,
  };
}

function sinkConfig(topic: string, file: string) {
  return {
    'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    'tasks.max': String(TASKS),
    topics: topic,
    file,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (workers: DistributedWorker[]) => () => {
  for (const w of workers) w.proc.assertRunning();
};

async function stopAll(workers: DistributedWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.proc.stop(15_000)));
}

/** Members of the Connect group as the coordinator lists them (in any state, from their JoinGroup on). */
async function groupMembers(admin: Admin, group: string): Promise<number> {
  const { groups } = await admin.describeGroups([group]);
  return groups[0]?.members.length ?? 0;
}

/** Join, leave (SIGTERM) and failover (SIGKILL) on one cluster. */
async function rebalanceRun(bench: Bench, impl: Impl, run: number): Promise<Run> {
  const group = randomName(`bench-dist-${impl}-${run}`);
  const dir = path.join(bench.root, group);
  await mkdir(dir);
  const props = workerProps(bench, group);
  const connector = group;
  const workers: DistributedWorker[] = [];
  const start = async () => {
    const w = await DistributedWorker.start(impl, dir, props);
    workers.push(w);
    return w;
  };
  const metrics: Metrics = {};
  let failures: ReturnType<typeof watchForFailedTasks> | undefined;
  try {
    const a = await start();
    const b = await start();
    await Promise.all([a.waitHealthy(), b.waitHealthy()]);
    await a.write('POST', '/connectors', {
      name: connector,
      config: sinkConfig(bench.idleTopic, path.join(dir, 'sink.txt')),
    });
    const status = () => a.tasks(connector);
    failures = watchForFailedTasks(a, connector);
    const f = failures;
    const guard = (ws: DistributedWorker[]) => () => {
      alive(ws)();
      f.check();
    };
    await pollUntil(
      `${TASKS} tasks spread over 2 workers`,
      async () => spreadOver(await status(), TASKS, [a.id, b.id]),
      {
        assertAlive: guard([a, b]),
      },
    );
    await sleep(SETTLE_MS);

    // Join: from the process start, from its REST server answering, from its JoinGroup reaching the coordinator.
    const c = await start();
    const listening = c.waitListening();
    const joined = pollUntil('a 3rd member in the group', async () => (await groupMembers(bench.admin, group)) >= 3, {
      timeoutMs: 120_000,
    });
    // Awaited below; a failure must not go unhandled meanwhile.
    listening.catch(() => undefined);
    joined.catch(() => undefined);
    const spreadAt = await pollUntil(
      'tasks spread over 3 workers',
      async () => spreadOver(await status(), TASKS, [a.id, b.id, c.id]),
      { assertAlive: guard([a, b, c]) },
    );
    const listeningAt = await listening;
    const joinedAt = await joined;
    metrics.joinFromStartMs = spreadAt - c.proc.startedAt;
    metrics.joinFromListeningMs = spreadAt - listeningAt;
    metrics.joinFromMemberMs = spreadAt - joinedAt;
    metrics.startToListeningMs = listeningAt - c.proc.startedAt;
    metrics.startToMemberMs = joinedAt - c.proc.startedAt;
    await sleep(SETTLE_MS);

    // Leave: SIGTERM the newest worker (not the leader).
    const leaveBegin = performance.now();
    const stopping = c.proc.stop(30_000);
    const leftAt = await pollUntil(
      'tasks running on the remaining 2 workers',
      async () => runningWithout(await status(), TASKS, c.id),
      { assertAlive: guard([a, b]) },
    );
    const stopped = await stopping;
    metrics.leaveMs = leftAt - leaveBegin;
    metrics.leaverExitMs = stopped.stopMs;
    if (stopped.killed) process.stderr.write(`  ${impl}: ${c.id} did not stop within 30 s of SIGTERM\n`);

    // Failover: another worker joins, gets its share, and is SIGKILLed.
    const d = await start();
    await pollUntil(
      'tasks spread over 3 workers again',
      async () => spreadOver(await status(), TASKS, [a.id, b.id, d.id]),
      {
        assertAlive: guard([a, b, d]),
      },
    );
    await sleep(SETTLE_MS);
    const killBegin = performance.now();
    await d.proc.kill();
    const failedOverAt = await pollUntil(
      'the killed worker’s tasks running elsewhere',
      async () => runningWithout(await status(), TASKS, d.id),
      { assertAlive: guard([a, b]), timeoutMs: 120_000 + SESSION_MS + DELAY_MS },
    );
    metrics.failoverMs = failedOverAt - killBegin;
    return { scenario: 'rebalance', impl, run, metrics };
  } finally {
    failures?.stop();
    await stopAll(workers);
  }
}

/** Connector creation -> every record in the sink's file, on a cluster of `count` workers. */
async function throughputRun(bench: Bench, impl: Impl, count: number, run: number): Promise<Run> {
  const group = randomName(`bench-tp${count}-${impl}-${run}`);
  const dir = path.join(bench.root, group);
  await mkdir(dir);
  const props = workerProps(bench, group);
  const workers: DistributedWorker[] = [];
  const file = path.join(dir, 'sink.txt');
  try {
    for (let i = 0; i < count; i++) workers.push(await DistributedWorker.start(impl, dir, props));
    await Promise.all(workers.map((w) => w.waitHealthy()));
    // Every worker in the group and the group at rest: no join may land in the measured window.
    await pollUntil(
      `group ${group} stable with ${count} members`,
      async () => {
        const { groups } = await bench.admin.describeGroups([group]);
        return groups[0]?.state === 'Stable' && groups[0].members.length === count;
      },
      { assertAlive: alive(workers), intervalMs: 200 },
    );
    await sleep(SETTLE_MS);
    const begin = performance.now();
    await workers[0]!.write('POST', '/connectors', { name: group, config: sinkConfig(bench.loadedTopic, file) });
    const failures = watchForFailedTasks(workers[0]!, group);
    let progress;
    try {
      progress = await trackProgress({
        sample: fileSize(file),
        target: RECORDS * (VALUE_CHARS + 1),
        assertAlive: () => {
          alive(workers)();
          failures.check();
        },
      });
    } finally {
      failures.stop();
    }
    const peakRssMb = workers.map((w) => w.proc.peakRssKb() / 1024);
    return {
      scenario: `throughput-${count}`,
      impl,
      run,
      peakRssMb,
      metrics: {
        recordsPerSec: RECORDS / ((progress.doneAt - begin) / 1000),
        firstRecordMs: progress.firstAt - begin,
        totalMs: progress.doneAt - begin,
        peakRssSumMb: peakRssMb.reduce((s, x) => s + x, 0),
        peakRssMaxMb: Math.max(...peakRssMb),
      },
    };
  } finally {
    await stopAll(workers);
    await rm(file, { force: true });
  }
}

/** RECORDS values of exactly VALUE_CHARS characters, round-robin over TASKS partitions. */
async function preload(kafka: Kafka, topic: string): Promise<void> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.repeat(4);
  const producer = kafka.producer();
  await producer.connect();
  try {
    const batch = 6_000;
    const inFlight: Promise<unknown>[] = [];
    for (let start = 0; start < RECORDS; start += batch) {
      const messages = [];
      for (let i = start; i < Math.min(start + batch, RECORDS); i++) {
        const prefix = `${String(i).padStart(10, '0')} `;
        const offset = i % 64;
        messages.push({
          partition: i % TASKS,
          value: prefix + alphabet.slice(offset, offset + VALUE_CHARS - prefix.length),
        });
      }
      inFlight.push(producer.send({ topic, acks: 1, messages }));
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
}

const LABELS: Record<string, Record<string, string>> = {
  rebalance: {
    joinFromStartMs: `join: 3rd worker process start -> ${TASKS} tasks spread over 3 (ms)`,
    startToListeningMs: 'join: 3rd worker process start -> REST listening (ms)',
    startToMemberMs: 'join: 3rd worker process start -> group member (ms)',
    joinFromListeningMs: 'join: 3rd worker REST listening -> tasks spread (ms)',
    joinFromMemberMs: 'join: 3rd worker group member -> tasks spread (ms)',
    leaveMs: 'leave: SIGTERM -> all tasks RUNNING on the other 2 (ms)',
    leaverExitMs: 'leave: SIGTERM -> leaving process exited (ms)',
    failoverMs: 'failover: SIGKILL -> its tasks RUNNING elsewhere (ms)',
  },
  ...Object.fromEntries(
    THROUGHPUT_WORKERS.map((n) => [
      `throughput-${n}`,
      {
        recordsPerSec: `${n} worker${n > 1 ? 's' : ''}: records/s (creation -> last record)`,
        firstRecordMs: `${n} worker${n > 1 ? 's' : ''}: creation -> first record (ms)`,
        totalMs: `${n} worker${n > 1 ? 's' : ''}: creation -> last record (ms)`,
        peakRssSumMb: `${n} worker${n > 1 ? 's' : ''}: peak RSS, sum over workers (MB)`,
        ...(n > 1 ? { peakRssMaxMb: `${n} workers: peak RSS, largest worker (MB)` } : {}),
      },
    ]),
  ),
};

function summary(results: Run[], scenario: string): SideBySideRow[] {
  return Object.entries(LABELS[scenario] ?? {}).map(([key, label]) => {
    const of = (impl: Impl) =>
      median(
        results.flatMap((r) =>
          r.scenario === scenario && r.impl === impl && r.metrics?.[key] !== undefined ? [r.metrics[key]] : [],
        ),
      );
    return { label, sluice: of('sluice'), apache: of('apache') };
  });
}

/** "successful runs: ..." per scenario and runtime: medians are over these only. */
function succeeded(results: Run[], scenarios: string[]): string {
  const parts = scenarios.flatMap((scenario) =>
    IMPLS.map((impl) => {
      const runs = results.filter((r) => r.scenario === scenario && r.impl === impl);
      return `${scenario} ${impl} ${runs.filter((r) => r.metrics).length}/${runs.length}`;
    }),
  );
  return `successful runs (medians are over these): ${parts.join(', ')}`;
}

function rawLine(r: Run): string {
  const head = `${r.scenario} ${r.impl.padEnd(6)} #${r.run}`;
  if (!r.metrics) return `${head}: FAILED ${r.error ?? ''}`;
  const values = Object.entries(r.metrics).map(([k, v]) => `${k} ${Math.round(v)}`);
  if (r.peakRssMb && r.peakRssMb.length > 1) values.push(`peakRssMb [${r.peakRssMb.map(Math.round).join(', ')}]`);
  return `${head}: ${values.join(', ')}`;
}

async function main(): Promise<number> {
  const env = await envUp();
  const machine = { ...(await machineFacts()), kafka: env.kafka.version };
  const settings = {
    runs: RUNS,
    tasks: TASKS,
    records: RECORDS,
    valueBytes: VALUE_CHARS,
    'session.timeout.ms': SESSION_MS,
    'heartbeat.interval.ms': HEARTBEAT_MS,
    'scheduled.rebalance.max.delay.ms': DELAY_MS,
    'offset.flush.interval.ms': FLUSH_MS,
    converters: 'StringConverter',
    replicationFactor: 1,
  };
  console.log(`machine: ${JSON.stringify(machine)}`);
  console.log(`config: ${JSON.stringify(settings)}`);

  const root = await tempDir('sluice-bench-dist');
  const kafka = testKafka(env.kafka.bootstrapServers);
  const admin = kafka.admin();
  await admin.connect();
  const bench: Bench = {
    env,
    kafka,
    admin,
    root,
    topics: [],
    idleTopic: randomName('bench-dist-idle'),
    loadedTopic: randomName('bench-dist-load'),
  };
  const results: Run[] = [];
  const record = (result: Run) => {
    results.push(result);
    process.stderr.write(`${rawLine(result)}\n`);
  };
  const attempt = async (scenario: string, impl: Impl, run: number, fn: () => Promise<Run>) => {
    try {
      record(await fn());
    } catch (err) {
      record({ scenario, impl, run, error: err instanceof Error ? err.message : String(err) });
    }
  };
  const began = performance.now();
  try {
    await createTopicsAndWait(
      admin,
      [bench.idleTopic, bench.loadedTopic].map((topic) => ({ topic, numPartitions: TASKS, replicationFactor: 1 })),
    );
    bench.topics.push(bench.idleTopic, bench.loadedTopic);
    // Alternating run by run spreads machine noise (and warm-up) over both.
    if (SCENARIOS.includes('rebalance'))
      for (let run = 1; run <= RUNS; run++)
        for (const impl of IMPLS) await attempt('rebalance', impl, run, () => rebalanceRun(bench, impl, run));
    if (SCENARIOS.includes('throughput')) {
      const loadBegin = performance.now();
      await preload(kafka, bench.loadedTopic);
      process.stderr.write(`preloaded ${RECORDS} records in ${Math.round(performance.now() - loadBegin)} ms\n`);
      for (let run = 1; run <= RUNS; run++)
        for (const count of THROUGHPUT_WORKERS)
          for (const impl of IMPLS)
            await attempt(`throughput-${count}`, impl, run, () => throughputRun(bench, impl, count, run));
    }
  } finally {
    await admin.deleteTopics({ topics: bench.topics }).catch(() => undefined);
    await admin.disconnect();
  }

  const failed = results.filter((r) => r.error);
  // Logs are the evidence of a failure; a clean run leaves nothing behind.
  if (failed.length === 0 && !KEEP) await rm(root, { recursive: true, force: true });
  else console.log(`logs kept in ${root}`);

  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const medians = Object.fromEntries(scenarios.map((s) => [s, summary(results, s)]));
  if (medians.rebalance) {
    console.log(
      `\n== rebalance: FileStreamSink, tasks.max=${TASKS}, session.timeout.ms=${SESSION_MS}, ` +
        `heartbeat.interval.ms=${HEARTBEAT_MS}, scheduled.rebalance.max.delay.ms=${DELAY_MS}, median of ${RUNS} runs`,
    );
    console.log(sideBySide(medians.rebalance));
    console.log(succeeded(results, ['rebalance']));
  }
  const throughput = THROUGHPUT_WORKERS.flatMap((n) => medians[`throughput-${n}`] ?? []);
  if (throughput.length > 0) {
    console.log(
      `\n== throughput: FileStreamSink, tasks.max=${TASKS}, topic of ${TASKS} partitions, ` +
        `${RECORDS} records of ${VALUE_CHARS} bytes, median of ${RUNS} runs`,
    );
    console.log(sideBySide(throughput));
    console.log(
      succeeded(
        results,
        THROUGHPUT_WORKERS.map((n) => `throughput-${n}`),
      ),
    );
  }
  console.log('\nruns:');
  for (const r of results) console.log(rawLine(r));
  console.log(`\ntotal ${Math.round((performance.now() - began) / 1000)} s`);
  if (failed.length > 0) console.log(`${failed.length} run(s) failed`);
  console.log(JSON.stringify({ bench: 'distributed', machine, settings, medians, results }));
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);

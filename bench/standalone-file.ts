// Standalone benchmark: our runtime vs Apache Kafka Connect 4.3.1 on the same
// broker, moving a file of ~100-byte lines into a topic (FileStreamSource)
// and that topic back into a file (FileStreamSink).
//   npm run bench:standalone         (env: BENCH_RUNS=3, BENCH_LINES=1000000)
// Prints median tables, every run's numbers, and one final JSON line.
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { repoRoot } from '../e2e/src/env.js';
import { testKafka } from '../e2e/src/kafka.js';
import { randomName } from '../e2e/src/names.js';
import { freePort, tempDir, toProperties } from '../e2e/src/runtime-process.js';
import { envUp, machineFacts, type BenchEnv } from './lib/env.js';
import { MeasuredProcess } from './lib/process.js';
import { fileSize, topicEndOffset, trackProgress } from './lib/progress.js';
import { IMPLS, rawLine, summarize, table, type Impl, type RunResult } from './lib/report.js';
import { createTopicsAndWait } from '../runtime/src/kafka/topics.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const LINE_CHARS = 100; // plus '\n': every line is the same size, so byte counts are record counts
const SCENARIOS = ['source', 'sink'] as const;
type Scenario = (typeof SCENARIOS)[number];

async function generateInput(file: string): Promise<number> {
  // Varied content (a rotating window over a fixed alphabet), so nothing
  // compresses or dedupes unrealistically well; deterministic across runs.
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.repeat(4);
  const out = createWriteStream(file);
  const chunkLines = 10_000;
  for (let start = 0; start < LINES; start += chunkLines) {
    let chunk = '';
    for (let i = start; i < Math.min(start + chunkLines, LINES); i++) {
      const prefix = `${String(i).padStart(10, '0')} `;
      const offset = i % 64;
      chunk += prefix + alphabet.slice(offset, offset + LINE_CHARS - prefix.length) + '\n';
    }
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return LINES * (LINE_CHARS + 1);
}

/** Starts one implementation in standalone mode; the returned pid is the node or java process itself. */
function startWorker(impl: Impl, dir: string, workerFile: string, connectorFile: string): MeasuredProcess {
  const log = path.join(dir, 'stdout.log');
  if (impl === 'sluice') {
    const cli = path.join(repoRoot, 'dist/runtime/src/cli.js');
    return new MeasuredProcess(process.execPath, [cli, 'standalone', workerFile, connectorFile], 'node', log);
  }
  // apache-connect.sh exec's java, so the bash pid becomes the JVM's.
  const script = path.join(repoRoot, 'e2e/env/apache-connect.sh');
  return new MeasuredProcess('bash', [script, 'standalone', workerFile, connectorFile], 'java', log, {
    ...process.env,
    SLUICE_CONNECT_LOG: path.join(dir, 'connect.log'),
  });
}

interface Bench {
  readonly env: BenchEnv;
  readonly admin: Admin;
  readonly root: string;
  readonly inputFile: string;
  readonly inputBytes: number;
  readonly topics: string[];
  /** The source runs' complete topics; the sink scenario reads one of them. */
  readonly filled: Partial<Record<Impl, string>>;
}

async function runOnce(bench: Bench, scenario: Scenario, impl: Impl, run: number): Promise<RunResult> {
  // A fresh name per run: fresh topic (source), fresh consumer group (sink).
  const name = randomName(`bench-${scenario}-${impl}-${run}`);
  const dir = path.join(bench.root, name);
  await mkdir(dir);
  const port = await freePort();
  const workerFile = path.join(dir, 'worker.properties');
  await writeFile(
    workerFile,
    toProperties({
      'bootstrap.servers': bench.env.kafka.bootstrapServers,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': path.join(dir, 'offsets'),
      // The source reads the shared input file in the bench root; the sink writes in the run's dir.
      'sluice.file.allowed.paths': bench.root,
      'offset.flush.interval.ms': 10_000,
      listeners: `http://127.0.0.1:${port}`,
    }),
  );

  let sample: () => Promise<number>;
  let target: number;
  let connector: Record<string, string | number>;
  const outputFile = path.join(dir, 'output.txt');
  if (scenario === 'source') {
    // Created up front so topic creation is not part of the measurement.
    await createTopicsAndWait(bench.admin, [{ topic: name, numPartitions: 1, replicationFactor: 1 }]);
    bench.topics.push(name);
    connector = {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      file: bench.inputFile,
      topic: name,
    };
    sample = topicEndOffset(bench.admin, name);
    target = LINES;
  } else {
    const input = bench.filled.apache ?? bench.filled.sluice;
    if (!input) throw new Error('no source run filled a topic to sink');
    connector = {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      file: outputFile,
      topics: input,
    };
    // The sink writes each value plus '\n', so the output is byte-identical to the input file.
    sample = fileSize(outputFile);
    target = bench.inputBytes;
  }
  const connectorFile = path.join(dir, 'connector.properties');
  await writeFile(connectorFile, toProperties({ name, 'tasks.max': 1, ...connector }));

  const proc = startWorker(impl, dir, workerFile, connectorFile);
  try {
    const progress = await trackProgress({ sample, target, assertAlive: () => proc.assertRunning() });
    const peakRssKb = proc.peakRssKb();
    const { stopMs, killed } = await proc.stop();
    if (killed) process.stderr.write(`  ${impl} did not stop within 10 s of SIGTERM (killed); log: ${proc.logFile}\n`);
    if (scenario === 'source') bench.filled[impl] ??= name;
    return {
      scenario,
      impl,
      run,
      metrics: {
        recordsPerSec: LINES / ((progress.doneAt - progress.firstAt) / 1000),
        firstRecordMs: progress.firstAt - proc.startedAt,
        totalMs: progress.doneAt - proc.startedAt,
        peakRssMb: peakRssKb / 1024,
        stopMs,
      },
    };
  } finally {
    await proc.stop();
    // Outputs are 100 MB each: keep only logs and configs.
    await rm(outputFile, { force: true });
  }
}

async function main(): Promise<number> {
  const env = await envUp();
  const machine = { ...(await machineFacts()), kafka: env.kafka.version };
  console.log(`machine: ${JSON.stringify(machine)}`);
  console.log(`config: ${RUNS} runs each, ${LINES} lines of ${LINE_CHARS + 1} bytes`);

  const root = await tempDir('sluice-bench');
  const admin = testKafka(env.kafka.bootstrapServers).admin();
  await admin.connect();
  const inputFile = path.join(root, 'input.txt');
  const bench: Bench = {
    env,
    admin,
    root,
    inputFile,
    inputBytes: await generateInput(inputFile),
    topics: [],
    filled: {},
  };
  const results: RunResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      // Alternating run by run spreads machine noise (and warm-up) over both.
      for (let run = 1; run <= RUNS; run++) {
        for (const impl of IMPLS) {
          let result: RunResult;
          try {
            result = await runOnce(bench, scenario, impl, run);
          } catch (err) {
            result = { scenario, impl, run, error: err instanceof Error ? err.message : String(err) };
          }
          results.push(result);
          process.stderr.write(`${rawLine(result)}\n`);
        }
      }
    }
  } finally {
    await admin.deleteTopics({ topics: bench.topics }).catch(() => undefined);
    await admin.disconnect();
  }

  const failed = results.filter((r) => r.error);
  // Logs are the evidence of a failure; a clean run leaves nothing behind.
  if (failed.length === 0) await rm(root, { recursive: true, force: true });
  else await rm(inputFile, { force: true });

  const medians = Object.fromEntries(SCENARIOS.map((s) => [s, summarize(results, s)]));
  for (const scenario of SCENARIOS) {
    const what = scenario === 'source' ? 'FileStreamSource file -> topic' : 'FileStreamSink topic -> file';
    console.log(`\n== ${scenario}: ${what}, ${LINES} records, median of ${RUNS} runs`);
    console.log(table(medians[scenario]!));
  }
  console.log('\nruns:');
  for (const r of results) console.log(rawLine(r));
  if (failed.length > 0) console.log(`\n${failed.length} run(s) failed; logs kept in ${root}`);
  console.log(
    JSON.stringify({
      bench: 'standalone-file',
      machine,
      lines: LINES,
      lineBytes: LINE_CHARS + 1,
      runs: RUNS,
      medians,
      results,
    }),
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);

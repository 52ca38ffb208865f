// The chaos run, process level (issue 11): a standalone worker with a
// FileStream source and sink under continuous input, on a broker of its own,
// while an injector picks a fault at random every few seconds: SIGKILL the
// worker (and start it again), restart the broker (with --brokers 3: one
// node of a three-node KRaft cluster, replication factor 3), make the worker's data
// directory read-only for a while. At the end the input stops and every
// line must reach the sink file (0 lost); duplicates are counted; both tasks
// must be RUNNING. Prints a table: fault, times injected, recovery time p50
// and p99 (from the end of the fault to the next new line in the sink).
//   npm run chaos -- --minutes 10 --brokers 3      (defaults: 5 minutes, 1 broker)
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { eventually } from '../e2e/src/eventually.js';
import { randomName } from '../e2e/src/names.js';
import { PrivateBroker } from '../e2e/src/private-broker.js';
import { makeReadOnly, makeWritable } from '../e2e/src/read-only-dir.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir } from '../e2e/src/runtime-process.js';
import { aligned } from './lib/report.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 5);
const LINES_PER_TICK = arg('lines', 50); // every 100 ms
const BROKERS = arg('brokers', 1) === 3 ? 3 : 1;
const FAULTS = [
  'worker SIGKILL',
  BROKERS === 3 ? 'broker node restart (1 of 3)' : 'broker restart',
  'data dir read-only 10 s',
] as const;
type Fault = (typeof FAULTS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return String(Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!));
};

async function main() {
  const broker = await PrivateBroker.create({ brokers: BROKERS });
  await broker.up();
  const dir = await tempDir('chaos');
  const data = path.join(dir, 'data');
  await mkdir(data, { recursive: true });
  const input = path.join(dir, 'in.txt');
  const output = path.join(dir, 'out.txt');
  await writeFile(input, '');
  let worker: RuntimeProcess | undefined;
  const startWorker = async () => {
    worker = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: standaloneProps(broker.bootstrapServers, dir, 500),
    });
    return worker.start({ waitHealthy: true });
  };
  let written = 0;
  let appending = Promise.resolve();
  let writer: NodeJS.Timeout | undefined;
  try {
    const w = await startWorker();
    const topic = randomName('chaos');
    const source = randomName('chaos-src');
    const sink = randomName('chaos-sink');
    await w.rest('PUT', `/connectors/${source}/config`, { 'connector.class': 'FileStreamSource', file: input, topic });
    await w.rest('PUT', `/connectors/${sink}/config`, {
      'connector.class': 'FileStreamSink',
      file: output,
      topics: topic,
    });
    writer = setInterval(() => {
      const lines = Array.from({ length: LINES_PER_TICK }, () => `line-${written++}\n`).join('');
      appending = appending.then(() => appendFile(input, lines));
    }, 100);
    const outputLines = async () => (await readFile(output, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const lineCount = async () => (await outputLines()).length;
    /** ms from now until the sink file grows past its current length */
    const recovery = async () => {
      const from = Date.now();
      const base = await lineCount();
      await eventually('the sink to write again', async () => (await lineCount()) > base, {
        timeoutMs: 300_000,
        intervalMs: 100,
      });
      return Date.now() - from;
    };
    await eventually('records flowing', async () => (await lineCount()) > 0, { timeoutMs: 120_000 });

    const times = new Map<Fault, number[]>(FAULTS.map((f) => [f, []]));
    const deadline = Date.now() + MINUTES * 60_000;
    while (Date.now() < deadline) {
      await sleep(5000 + Math.random() * 10_000);
      const fault = FAULTS[Math.floor(Math.random() * FAULTS.length)]!;
      console.log(`[${new Date().toISOString().slice(11, 19)}] ${fault}`);
      if (fault === 'worker SIGKILL') {
        await worker!.kill();
        await startWorker();
      } else if (fault === 'broker restart') {
        await broker.down();
        await sleep(5000);
        await broker.up();
      } else if (fault === 'broker node restart (1 of 3)') {
        const node = 1 + Math.floor(Math.random() * 3);
        await broker.stopNode(node);
        await sleep(5000);
        await broker.startNode(node);
      } else {
        await makeReadOnly(data);
        try {
          await sleep(10_000);
        } finally {
          await makeWritable(data);
        }
      }
      times.get(fault)!.push(await recovery());
    }
    clearInterval(writer);
    await appending;
    const total = written;
    const lines = await eventually(
      `all ${total} lines in the sink`,
      async () => {
        const all = await outputLines();
        return new Set(all).size >= total ? all : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 1000 },
    ).catch(async () => outputLines());
    const distinct = new Set(lines);
    let lost = 0;
    for (let i = 0; i < total; i++) if (!distinct.has(`line-${i}`)) lost++;
    const duplicates = lines.length - distinct.size;
    const status = await Promise.all(
      [source, sink].map(async (c) => (await worker!.rest('GET', `/connectors/${c}/status`)).body),
    );
    const states = status.flatMap((s) => [s.connector.state, ...s.tasks.map((t: { state: string }) => t.state)]);
    console.log(
      aligned([
        ['fault', 'times injected', 'recovery p50 (ms)', 'recovery p99 (ms)'],
        ...FAULTS.map((f) => [f, String(times.get(f)!.length), pct(times.get(f)!, 50), pct(times.get(f)!, 99)]),
      ]),
    );
    console.log(
      `${MINUTES} min, ${BROKERS} broker(s): ${total} lines, ${lost} lost, ${duplicates} duplicates, states ${states.join(',')}, ` +
        `load average ${loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}`,
    );
    if (lost > 0 || states.some((s) => s !== 'RUNNING')) process.exitCode = 1;
  } finally {
    clearInterval(writer);
    await makeWritable(data).catch(() => undefined);
    await worker?.kill();
    await broker.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

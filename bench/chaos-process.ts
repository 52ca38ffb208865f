// The chaos run, process level (issue 11): a standalone worker and a
// distributed one, each with a FileStream source and sink under continuous
// input, on a broker of its own, while an injector picks a fault at random
// every few seconds: SIGKILL a worker (and start it again), restart the
// broker (with --brokers 3: one node of a three-node KRaft cluster,
// replication factor 3), make the standalone worker's data directory
// read-only for a while. At the end the input stops and every line must reach
// its sink file (0 lost); duplicates are counted; every connector and task
// must be RUNNING. Prints a table: fault, times injected, recovery time p50
// and p99 (from the end of the fault to the next new line in the sink).
//   npm run chaos:process -- --minutes 10 --brokers 3   (defaults: 5 minutes, 1 broker)
// The chaos run through the operator on the node is bench/chaos.ts (npm run chaos).
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { eventually } from '../e2e/src/eventually.js';
import { randomName } from '../e2e/src/names.js';
import { PrivateBroker } from '../e2e/src/private-broker.js';
import { makeReadOnly, makeWritable } from '../e2e/src/read-only-dir.js';
import {
  RuntimeProcess,
  distributedProps,
  freePort,
  restWrite,
  standaloneProps,
  tempDir,
} from '../e2e/src/runtime-process.js';
import { aligned } from './lib/report.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 5);
const LINES_PER_TICK = arg('lines', 50); // every 100 ms, per pipeline
const BROKERS = arg('brokers', 1) === 3 ? 3 : 1;
const FAULTS = [
  'worker SIGKILL',
  BROKERS === 3 ? 'broker node restart (1 of 3)' : 'broker restart',
  'data dir read-only 10 s',
] as const;
type Fault = (typeof FAULTS)[number];
type Mode = 'standalone' | 'distributed';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return String(Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!));
};

/** One worker with a FileStream source and sink, and a writer appending to the source's file. */
class Pipeline {
  worker: RuntimeProcess | undefined;
  written = 0;
  private appending = Promise.resolve();
  private writer: NodeJS.Timeout | undefined;
  private readonly group = randomName('chaos-group');
  readonly connectors = [randomName('chaos-src'), randomName('chaos-sink')];

  constructor(
    readonly mode: Mode,
    readonly dir: string,
    private readonly bootstrap: string,
  ) {}

  get data(): string {
    return path.join(this.dir, 'data');
  }
  private get input(): string {
    return path.join(this.dir, 'in.txt');
  }
  private get output(): string {
    return path.join(this.dir, 'out.txt');
  }

  async startWorker(): Promise<RuntimeProcess> {
    const port = await freePort();
    this.worker = new RuntimeProcess({
      mode: this.mode,
      dir: this.dir,
      port,
      workerProps:
        this.mode === 'standalone'
          ? standaloneProps(this.bootstrap, this.dir, 500)
          : distributedProps(this.bootstrap, this.group, port),
    });
    return this.worker.start();
  }

  async start(): Promise<void> {
    await mkdir(this.data, { recursive: true });
    await writeFile(this.input, '');
    const w = await this.startWorker();
    const topic = randomName('chaos');
    const [source, sink] = this.connectors as [string, string];
    await restWrite(w, 'PUT', `/connectors/${source}/config`, {
      'connector.class': 'FileStreamSource',
      file: this.input,
      topic,
    });
    await restWrite(w, 'PUT', `/connectors/${sink}/config`, {
      'connector.class': 'FileStreamSink',
      file: this.output,
      topics: topic,
    });
    this.writer = setInterval(() => {
      const lines = Array.from({ length: LINES_PER_TICK }, () => `line-${this.written++}\n`).join('');
      this.appending = this.appending.then(() => appendFile(this.input, lines));
    }, 100);
  }

  async lines(): Promise<string[]> {
    return (await readFile(this.output, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  }

  /** ms from now until the sink file grows past its current length */
  async recovery(): Promise<number> {
    const from = Date.now();
    const base = (await this.lines()).length;
    await eventually(`${this.mode}: the sink to write again`, async () => (await this.lines()).length > base, {
      timeoutMs: 300_000,
      intervalMs: 100,
    });
    return Date.now() - from;
  }

  async stopWriting(): Promise<number> {
    clearInterval(this.writer);
    await this.appending;
    return this.written;
  }

  async states(): Promise<string[]> {
    const s = await Promise.all(
      this.connectors.map(async (c) => (await this.worker!.rest('GET', `/connectors/${c}/status`)).body),
    );
    return s.flatMap((x) => [x.connector.state, ...x.tasks.map((t: { state: string }) => t.state)]);
  }

  async close(): Promise<void> {
    clearInterval(this.writer);
    await this.worker?.kill();
  }
}

async function main() {
  const broker = await PrivateBroker.create({ brokers: BROKERS });
  await broker.up();
  const root = await tempDir('chaos');
  const pipelines = (['standalone', 'distributed'] as const).map(
    (mode) => new Pipeline(mode, path.join(root, mode), broker.bootstrapServers),
  );
  const standalone = pipelines[0]!;
  try {
    for (const p of pipelines) await p.start();
    for (const p of pipelines)
      await eventually(`${p.mode}: records flowing`, async () => (await p.lines()).length > 0, { timeoutMs: 120_000 });

    const times = new Map<Fault, number[]>(FAULTS.map((f) => [f, []]));
    const deadline = Date.now() + MINUTES * 60_000;
    while (Date.now() < deadline) {
      await sleep(5000 + Math.random() * 10_000);
      const fault = FAULTS[Math.floor(Math.random() * FAULTS.length)]!;
      let affected = pipelines;
      if (fault === 'worker SIGKILL') {
        const p = pipelines[Math.floor(Math.random() * pipelines.length)]!;
        console.log(`[${new Date().toISOString().slice(11, 19)}] ${fault} (${p.mode})`);
        await p.worker!.kill();
        await p.startWorker();
        affected = [p];
      } else if (fault === 'broker restart') {
        console.log(`[${new Date().toISOString().slice(11, 19)}] ${fault}`);
        await broker.down();
        await sleep(5000);
        await broker.up();
      } else if (fault === 'broker node restart (1 of 3)') {
        const node = 1 + Math.floor(Math.random() * 3);
        console.log(`[${new Date().toISOString().slice(11, 19)}] ${fault}: node ${node}`);
        await broker.stopNode(node);
        await sleep(5000);
        await broker.startNode(node);
      } else {
        console.log(`[${new Date().toISOString().slice(11, 19)}] ${fault} (standalone)`);
        await makeReadOnly(standalone.data);
        try {
          await sleep(10_000);
        } finally {
          await makeWritable(standalone.data);
        }
        affected = [standalone];
      }
      times.get(fault)!.push(Math.max(...(await Promise.all(affected.map((p) => p.recovery())))));
    }

    let failed = false;
    const summary: string[] = [];
    for (const p of pipelines) {
      const total = await p.stopWriting();
      const lines = await eventually(
        `${p.mode}: all ${total} lines in the sink`,
        async () => {
          const all = await p.lines();
          return new Set(all).size >= total ? all : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 1000 },
      ).catch(() => p.lines());
      const distinct = new Set(lines);
      let lost = 0;
      for (let i = 0; i < total; i++) if (!distinct.has(`line-${i}`)) lost++;
      const states = await p.states();
      if (lost > 0 || states.some((s) => s !== 'RUNNING')) failed = true;
      summary.push(
        `${p.mode}: ${total} lines, ${lost} lost, ${lines.length - distinct.size} duplicates, states ${states.join(',')}`,
      );
    }
    console.log(
      aligned([
        ['fault', 'times injected', 'recovery p50 (ms)', 'recovery p99 (ms)'],
        ...FAULTS.map((f) => [f, String(times.get(f)!.length), pct(times.get(f)!, 50), pct(times.get(f)!, 99)]),
      ]),
    );
    for (const line of summary) console.log(line);
    console.log(
      `${MINUTES} min, ${BROKERS} broker(s), load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    if (failed) process.exitCode = 1;
  } finally {
    await makeWritable(standalone.data).catch(() => undefined);
    await Promise.all(pipelines.map((p) => p.close()));
    await broker.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

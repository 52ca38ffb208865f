// Duplicates after a SIGKILL at full speed, by offset.flush.interval.ms: a
// standalone worker moves a file of LINES lines into a topic with
// FileStreamSource, is SIGKILLed halfway and started again; every record past
// LINES in the topic is a duplicate (the lines sent again from the last
// committed offset). Also the throughput up to the kill, so the cost of a
// shorter interval shows.
//   npm run bench:crash     (env: BENCH_LINES=1000000, BENCH_FLUSH_MS=60000,10000,1000,250)
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { useEnv } from '../e2e/src/env.js';
import { createTopic, testKafka } from '../e2e/src/kafka.js';
import { randomName } from '../e2e/src/names.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir, toProperties } from '../e2e/src/runtime-process.js';
import { aligned } from './lib/report.js';
import { pollUntil, topicEndOffset } from './lib/progress.js';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const INTERVALS = (process.env.BENCH_FLUSH_MS ?? '60000,10000,1000,250').split(',').map(Number);

async function writeInput(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let start = 0; start < LINES; start += 10_000) {
    let chunk = '';
    for (let i = start; i < Math.min(start + 10_000, LINES); i++)
      chunk += `${String(i).padStart(10, '0')} ${'x'.repeat(89)}\n`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

interface Row {
  intervalMs: number;
  recordsPerSec: number;
  duplicates: number;
  duplicateSeconds: number;
  load: string;
}

async function runOnce(bootstrap: string, input: string, intervalMs: number): Promise<Row> {
  const dir = await tempDir(`crash-${intervalMs}`);
  const topic = randomName('crash');
  const kafka = testKafka(bootstrap);
  await createTopic(kafka, topic);
  const connectorFile = path.join(dir, 'source.properties');
  await writeFile(
    connectorFile,
    toProperties({ name: randomName('crash-src'), 'connector.class': 'FileStreamSource', file: input, topic }),
  );
  const worker = async () =>
    new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: standaloneProps(bootstrap, dir, intervalMs),
      connectorFiles: [connectorFile],
    });
  const admin = kafka.admin();
  await admin.connect();
  const end = topicEndOffset(admin, topic);
  try {
    const first = await worker();
    await first.start();
    const t0 = await pollUntil('the first record', async () => (await end()) > 0, { intervalMs: 20 });
    const n0 = await end();
    await pollUntil('half the lines', async () => (await end()) >= LINES / 2, { intervalMs: 20, timeoutMs: 600_000 });
    await first.kill();
    const t1 = performance.now();
    const n1 = await end();
    const second = await worker();
    await second.start();
    await pollUntil('all lines', async () => (await end()) >= LINES, { intervalMs: 200, timeoutMs: 600_000 });
    // Settled: nothing more arrives for 3 s.
    let last = await end();
    for (;;) {
      await new Promise((r) => setTimeout(r, 3000));
      const now = await end();
      if (now === last) break;
      last = now;
    }
    await second.stop();
    const recordsPerSec = Math.round((n1 - n0) / ((t1 - t0) / 1000));
    const duplicates = last - LINES;
    return {
      intervalMs,
      recordsPerSec,
      duplicates,
      duplicateSeconds: Number((duplicates / recordsPerSec).toFixed(2)),
      load: loadavg()
        .map((x) => x.toFixed(1))
        .join(' '),
    };
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  const env = await useEnv();
  const dir = await tempDir('crash-bench');
  const input = path.join(dir, 'in.txt');
  await writeInput(input);
  const rows: Row[] = [];
  for (const intervalMs of INTERVALS) {
    const row = await runOnce(env.kafka.bootstrapServers, input, intervalMs);
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  console.log(
    aligned([
      ['offset.flush.interval.ms', 'records/s to the kill', 'duplicates', 'duplicates (s of throughput)', 'load avg'],
      ...rows.map((r) => [
        String(r.intervalMs),
        String(r.recordsPerSec),
        String(r.duplicates),
        String(r.duplicateSeconds),
        r.load,
      ]),
    ]),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// A broker that is away for a minute (issue 11): a standalone worker, and a
// distributed one, with a FileStream source and sink under continuous input
// keep both tasks RUNNING through the outage, and once the broker is back
// every line reaches the sink file. The broker is the test's own
// (e2e/src/private-broker.ts): the shared one must never be stopped.
import { expect } from 'chai';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eventually } from '../src/eventually.js';
import { randomName } from '../src/names.js';
import { PrivateBroker } from '../src/private-broker.js';
import {
  RuntimeProcess,
  distributedProps,
  freePort,
  restWrite,
  standaloneProps,
  tempDir,
} from '../src/runtime-process.js';

/** How long the broker stays down: longer than kafkajs's own retries (~25 s), which used to fail the source. */
const OUTAGE_MS = Number(process.env.SLUICE_OUTAGE_MS ?? 60_000);

describe('runtime: a Kafka outage of a minute @env', function () {
  this.timeout(OUTAGE_MS + 360_000);
  let broker: PrivateBroker;
  let worker: RuntimeProcess | undefined;
  let writer: NodeJS.Timeout | undefined;

  before(async function () {
    this.timeout(240_000);
    broker = await PrivateBroker.create();
    await broker.up();
  });
  afterEach(async () => {
    clearInterval(writer);
    await worker?.kill();
  });
  after(async () => broker?.destroy());

  for (const mode of ['standalone', 'distributed'] as const)
    it(`keeps source and sink RUNNING through the outage and loses no record (${mode})`, () => outage(mode));

  async function outage(mode: 'standalone' | 'distributed') {
    const dir = await tempDir('outage');
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    await writeFile(input, '');
    const port = await freePort();
    worker = new RuntimeProcess({
      mode,
      dir,
      port,
      workerProps:
        mode === 'standalone'
          ? standaloneProps(broker.bootstrapServers, dir, 1000)
          : distributedProps(broker.bootstrapServers, randomName('outage-group'), port),
    });
    const w = await worker.start();
    const topic = randomName('outage');
    const source = randomName('outage-src');
    const sink = randomName('outage-sink');
    const sourceConfig = { 'connector.class': 'FileStreamSource', file: input, topic };
    const sinkConfig = { 'connector.class': 'FileStreamSink', file: output, topics: topic };
    expect((await restWrite(w, 'PUT', `/connectors/${source}/config`, sourceConfig)).status).to.equal(201);
    expect((await restWrite(w, 'PUT', `/connectors/${sink}/config`, sinkConfig)).status).to.equal(201);

    // 20 lines every 100 ms, all through the test.
    let written = 0;
    let appending = Promise.resolve();
    writer = setInterval(() => {
      const lines = Array.from({ length: 20 }, () => `line-${written++}\n`).join('');
      appending = appending.then(() => appendFile(input, lines));
    }, 100);
    const lines = async () => (await readFile(output, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const states = async () => {
      const s = await Promise.all(
        [source, sink].map(async (c) => (await w.rest('GET', `/connectors/${c}/status`)).body),
      );
      return s.flatMap((x) => [x.connector.state, ...x.tasks.map((t: { state: string }) => t.state)]) as string[];
    };
    await eventually('records flowing before the outage', async () => (await lines()).length > 100);
    await eventually(
      'both connectors and tasks RUNNING',
      async () => (await states()).join() === 'RUNNING,RUNNING,RUNNING,RUNNING',
    );

    await broker.down();
    const downAt = Date.now();
    const seen = new Set<string>();
    while (Date.now() - downAt < OUTAGE_MS) {
      for (const state of await states()) seen.add(state);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await broker.up();
    const upAt = Date.now();
    for (const state of await states()) seen.add(state);
    expect([...seen]).to.deep.equal(['RUNNING']);

    // Records flow again; then the input stops and every line must arrive.
    const atRestart = (await lines()).length;
    await eventually('new records in the sink after the outage', async () => (await lines()).length > atRestart + 100, {
      timeoutMs: 120_000,
    });
    const recoveredMs = Date.now() - upAt;
    clearInterval(writer);
    await appending;
    const total = written;
    const got = await eventually(
      `all ${total} lines in the sink file`,
      async () => {
        const all = await lines();
        return new Set(all).size >= total ? all : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const distinct = new Set(got);
    for (let i = 0; i < total; i++) expect(distinct.has(`line-${i}`), `line-${i}`).to.equal(true);
    console.log(
      `      ${mode}, outage ${OUTAGE_MS} ms: ${total} lines, 0 lost, ${got.length - distinct.size} duplicates, ` +
        `records flowing again ${recoveredMs} ms after the broker was back`,
    );
    expect(await states()).to.deep.equal(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    expect(await readFile(w.logFile, 'utf8')).to.include('Kafka is unavailable; retrying until it is back');
  }
});

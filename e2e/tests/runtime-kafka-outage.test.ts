// A broker that is away for a minute (issue 11): a standalone worker and a
// distributed one, each with a FileStream source and sink under continuous
// input, keep both tasks RUNNING through the outage, and once the broker is
// back every line reaches the sink files. Both workers ride out the same
// outage. The broker is the test's own (e2e/src/private-broker.ts): the
// shared one must never be stopped.
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

/** How long the broker stays down: longer than kafkajs's own retries (~25 to 40 s), which used to fail the source. */
const OUTAGE_MS = Number(process.env.SLUICE_OUTAGE_MS ?? 60_000);
type Mode = 'standalone' | 'distributed';

/** One worker with a FileStream source and sink, and a writer appending 20 lines every 100 ms to the source's file. */
class Pipeline {
  written = 0;
  private appending = Promise.resolve();
  private writer: NodeJS.Timeout | undefined;

  private constructor(
    readonly mode: Mode,
    readonly worker: RuntimeProcess,
    private readonly input: string,
    private readonly output: string,
    private readonly connectors: string[],
  ) {}

  static async start(mode: Mode, bootstrap: string): Promise<Pipeline> {
    const dir = await tempDir(`outage-${mode}`);
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    await writeFile(input, '');
    const port = await freePort();
    const worker = new RuntimeProcess({
      mode,
      dir,
      port,
      workerProps:
        mode === 'standalone'
          ? standaloneProps(bootstrap, dir, 1000)
          : distributedProps(bootstrap, randomName('outage-group'), port),
    });
    const w = await worker.start();
    const topic = randomName('outage');
    const source = randomName('outage-src');
    const sink = randomName('outage-sink');
    const sourceConfig = { 'connector.class': 'FileStreamSource', file: input, topic };
    const sinkConfig = { 'connector.class': 'FileStreamSink', file: output, topics: topic };
    expect((await restWrite(w, 'PUT', `/connectors/${source}/config`, sourceConfig)).status).to.equal(201);
    expect((await restWrite(w, 'PUT', `/connectors/${sink}/config`, sinkConfig)).status).to.equal(201);
    const p = new Pipeline(mode, worker, input, output, [source, sink]);
    p.writer = setInterval(() => {
      const lines = Array.from({ length: 20 }, () => `line-${p.written++}\n`).join('');
      p.appending = p.appending.then(() => appendFile(input, lines));
    }, 100);
    return p;
  }

  async lines(): Promise<string[]> {
    return (await readFile(this.output, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  }

  /** Connector and task states of source and sink, in that order. */
  async states(): Promise<string[]> {
    const s = await Promise.all(
      this.connectors.map(async (c) => (await this.worker.rest('GET', `/connectors/${c}/status`)).body),
    );
    return s.flatMap((x) => [x.connector.state, ...x.tasks.map((t: { state: string }) => t.state)]) as string[];
  }

  async stopWriting(): Promise<number> {
    clearInterval(this.writer);
    await this.appending;
    return this.written;
  }

  async close(): Promise<void> {
    clearInterval(this.writer);
    await this.worker.kill();
  }
}

describe('runtime: a Kafka outage of a minute @env', function () {
  this.timeout(OUTAGE_MS + 420_000);
  let broker: PrivateBroker;
  const pipelines: Pipeline[] = [];

  before(async function () {
    this.timeout(240_000);
    broker = await PrivateBroker.create();
    await broker.up();
  });
  after(async () => {
    await Promise.all(pipelines.map((p) => p.close()));
    await broker?.destroy();
  });

  it('keeps sources and sinks RUNNING through the outage and loses no record (standalone and distributed)', async () => {
    for (const mode of ['standalone', 'distributed'] as const)
      pipelines.push(await Pipeline.start(mode, broker.bootstrapServers));
    for (const p of pipelines) {
      await eventually(`${p.mode}: records flowing before the outage`, async () => (await p.lines()).length > 100);
      await eventually(`${p.mode}: source and sink RUNNING`, async () =>
        (await p.states()).every((s) => s === 'RUNNING'),
      );
    }

    await broker.down();
    const downAt = Date.now();
    const seen = new Set<string>();
    while (Date.now() - downAt < OUTAGE_MS) {
      for (const p of pipelines) for (const state of await p.states()) seen.add(state);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await broker.up();
    const upAt = Date.now();
    for (const p of pipelines) for (const state of await p.states()) seen.add(state);
    expect([...seen]).to.deep.equal(['RUNNING']);

    for (const p of pipelines) {
      // Records flow again; then the input stops and every line must arrive.
      const atRestart = (await p.lines()).length;
      await eventually(
        `${p.mode}: new records after the outage`,
        async () => (await p.lines()).length > atRestart + 100,
        {
          timeoutMs: 120_000,
        },
      );
      const recoveredMs = Date.now() - upAt;
      const total = await p.stopWriting();
      const got = await eventually(
        `${p.mode}: all ${total} lines in the sink file`,
        async () => {
          const all = await p.lines();
          return new Set(all).size >= total ? all : undefined;
        },
        { timeoutMs: 120_000 },
      );
      const distinct = new Set(got);
      for (let i = 0; i < total; i++) expect(distinct.has(`line-${i}`), `${p.mode}: line-${i}`).to.equal(true);
      console.log(
        `      ${p.mode}, outage ${OUTAGE_MS} ms: ${total} lines, 0 lost, ${got.length - distinct.size} duplicates, ` +
          `records flowing again within ${recoveredMs} ms after the broker was back`,
      );
      expect(await p.states()).to.deep.equal(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
      expect(await readFile(p.worker.logFile, 'utf8')).to.include('Kafka is unavailable; retrying until it is back');
    }
  });
});

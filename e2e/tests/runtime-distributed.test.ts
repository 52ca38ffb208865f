// Distributed mode against the real broker: several sluice-runtime processes
// form one Connect cluster through Kafka's group coordinator and share
// configs, offsets and status through the three internal topics.
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { createTopic, produce, readTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import { RuntimeProcess, WorkerGroup, distributedProps, freePort, restWrite, tempDir } from '../src/runtime-process.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface Held {
  connectors: string[];
  tasks: Array<{ connector: string; task: number }>;
  taskStarts: Record<string, number>;
  generation: number;
}

describe('runtime: distributed mode @env', function () {
  this.timeout(240_000);
  const env = withEnv();

  let dir: string;
  let kafka: Kafka;
  const group = randomName('dist');
  const props = (port: number) => distributedProps(env().kafka.bootstrapServers, group, port);
  const cluster = new WorkerGroup(() => dir, props);
  const startWorker = (port?: number) => cluster.start(port);
  const write = restWrite;
  const live = () => cluster.live();
  const held = async (w: RuntimeProcess): Promise<Held> => (await w.rest('GET', '/admin/assignment')).body as Held;
  const taskCounts = async (ws: RuntimeProcess[]) => Promise.all(ws.map(async (w) => (await held(w)).tasks.length));

  /** Waits until every task of the connectors is RUNNING (as any worker reports it). */
  async function allRunning(w: RuntimeProcess, connectors: Record<string, number>) {
    return eventually(
      `all tasks running: ${JSON.stringify(connectors)}`,
      async () => {
        for (const [name, n] of Object.entries(connectors)) {
          const s = await w.rest('GET', `/connectors/${name}/status`);
          if (s.status !== 200 || s.body.connector.state !== 'RUNNING' || s.body.tasks.length !== n) return false;
          if (!s.body.tasks.every((t: { state: string }) => t.state === 'RUNNING')) return false;
        }
        return true;
      },
      { timeoutMs: 60_000 },
    );
  }

  /** Ids written by a DataGen connector with key.type=sequence: every id 0..n-1 must be there. */
  async function checkDataGen(topic: string, expected: number) {
    const records = await readTopic(kafka, topic, expected, 60_000);
    // readTopic stops at `expected`; read again with more time for duplicates to be counted.
    const all = records.length >= expected ? await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 5_000) : records;
    const ids = new Set(all.map((r) => Number(r.key)));
    const missing: number[] = [];
    for (let i = 0; i < expected; i++) if (!ids.has(i)) missing.push(i);
    return { total: all.length, unique: ids.size, missing, duplicates: all.length - ids.size };
  }

  const datagen = (topic: string, tasks: number, extra: Record<string, string> = {}) => ({
    'connector.class': 'DataGen',
    'tasks.max': String(tasks),
    topic,
    'key.type': 'sequence',
    'records.per.second': '200',
    ...extra,
  });

  before(async () => {
    dir = await tempDir('sluice-dist');
    kafka = testKafka(env().kafka.bootstrapServers);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') cluster.printLogs();
  });

  after(async () => {
    await cluster.stopAll();
  });

  it('creates and checks its internal topics as Kafka Connect does', async () => {
    await startWorker();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({
        topics: [`${group}-configs`, `${group}-offsets`, `${group}-status`],
      });
      const partitions = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
      expect(partitions).to.deep.equal({ [`${group}-configs`]: 1, [`${group}-offsets`]: 5, [`${group}-status`]: 2 });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [`${group}-configs`, `${group}-offsets`, `${group}-status`].map((name) => ({ type: 2, name })),
      });
      for (const r of configs.resources)
        expect(r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).to.equal('compact');
    } finally {
      await admin.disconnect();
    }
    // A second cluster pointed at a config topic with 3 partitions refuses to start, naming the setting.
    const bad = randomName('bad');
    await createTopic(kafka, `${bad}-configs`, 3);
    const port = await freePort();
    const w = new RuntimeProcess({
      mode: 'distributed',
      dir,
      port,
      workerProps: { ...props(port), 'group.id': bad, 'config.storage.topic': `${bad}-configs` },
    });
    await w.start({ waitHealthy: false });
    await eventually('the worker exits', async () => w.exitCode !== undefined, { timeoutMs: 30_000 });
    expect(w.exitCode).to.equal(1);
    expect(await readFile(w.logFile, 'utf8')).to.match(/config\.storage\.topic/);
  });

  it('spreads 6 tasks over 3 workers, 2 each, and every worker serves the same REST view', async () => {
    await startWorker();
    await startWorker();
    const [w1, w2, w3] = live();
    const topicA = randomName('gen-a');
    const topicB = randomName('gen-b');
    let res = await write(w1!, 'POST', '/connectors', { name: 'gen-a', config: datagen(topicA, 3) });
    expect(res.status).to.equal(201);
    res = await write(w2!, 'PUT', '/connectors/gen-b/config', datagen(topicB, 3));
    expect(res.status).to.equal(201);
    await allRunning(w3!, { 'gen-a': 3, 'gen-b': 3 });
    await eventually('2 tasks per worker', async () => (await taskCounts(live())).every((n) => n === 2));
    const status = (await w3!.rest('GET', '/connectors/gen-a/status')).body;
    const owners = new Set(status.tasks.map((t: { worker_id: string }) => t.worker_id));
    expect(owners.size).to.be.greaterThan(1);
    for (const id of owners) expect(live().map((w) => `127.0.0.1:${w.opts.port}`)).to.include(id);
    for (const w of live()) {
      expect((await w.rest('GET', '/connectors')).body).to.have.members(['gen-a', 'gen-b']);
      expect((await w.rest('GET', '/connectors/gen-b/tasks')).body).to.have.length(3);
    }
  });

  it('moves only what must move when a 4th worker joins (2/2/1/1); the others are not restarted', async () => {
    const before = await Promise.all(live().map(held));
    await startWorker();
    await eventually('tasks spread 2/2/1/1', async () => {
      const counts = await taskCounts(live());
      return JSON.stringify([...counts].sort()) === JSON.stringify([1, 1, 2, 2]);
    });
    const after = await Promise.all(live().map(held));
    let stayed = 0;
    for (let i = 0; i < before.length; i++) {
      for (const t of after[i]!.tasks) {
        const key = `${t.connector}-${t.task}`; // taskKey: ConnectorTaskId.toString()
        // Still on the same worker, and started exactly as often as before the join.
        expect(before[i]!.tasks.some((b) => b.connector === t.connector && b.task === t.task)).to.equal(true);
        expect(after[i]!.taskStarts[key]).to.equal(before[i]!.taskStarts[key]);
        stayed++;
      }
    }
    expect(stayed).to.equal(5);
    expect(after[3]!.tasks).to.have.length(1);
    await allRunning(live()[0]!, { 'gen-a': 3, 'gen-b': 3 });
  });

  it('runs a SIGKILLed worker’s source tasks elsewhere; every record arrives', async () => {
    const topic = randomName('kill-src');
    const perTask = 2_000;
    const w = live()[0]!;
    await write(w, 'POST', '/connectors', {
      name: 'kill-src',
      config: datagen(topic, 4, { 'max.records': String(perTask), 'records.per.second': '400' }),
    });
    await allRunning(w, { 'kill-src': 4 });
    // Kill a worker that runs at least one of its tasks, mid-load.
    const statuses = (await w.rest('GET', '/connectors/kill-src/status')).body.tasks as Array<{ worker_id: string }>;
    const victim = live().find((x) => statuses.some((t) => t.worker_id === `127.0.0.1:${x.opts.port}`))!;
    await new Promise((r) => setTimeout(r, 1_500));
    await victim.kill();
    const survivor = live()[0]!;
    await eventually(
      'the killed worker’s tasks run elsewhere',
      async () => {
        const s = (await survivor.rest('GET', '/connectors/kill-src/status')).body;
        return s.tasks.every(
          (t: { state: string; worker_id: string }) =>
            t.state === 'RUNNING' && t.worker_id !== `127.0.0.1:${victim.opts.port}`,
        );
      },
      { timeoutMs: 60_000 },
    );
    const result = await checkDataGen(topic, 4 * perTask);
    console.log(`      SIGKILL (source): ${result.total} records, ${result.duplicates} duplicates`);
    expect(result.missing).to.deep.equal([]);
    await allRunning(survivor, { 'gen-a': 3, 'gen-b': 3 });
  });

  it('runs a SIGKILLed worker’s sink tasks elsewhere; every record arrives', async () => {
    const topic = randomName('kill-sink-in');
    await createTopic(kafka, topic, 3);
    const n = 3_000;
    const file = path.join(dir, `${topic}.txt`);
    const w = live()[0]!;
    await write(w, 'POST', '/connectors', {
      name: randomName('sink'),
      config: { 'connector.class': 'FileStreamSink', 'tasks.max': '3', topics: topic, file },
    });
    await produce(
      kafka,
      topic,
      Array.from({ length: n / 2 }, (_, i) => ({ value: String(i) })),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const victim = live()[live().length - 1]!;
    await victim.kill();
    await produce(
      kafka,
      topic,
      Array.from({ length: n / 2 }, (_, i) => ({ value: String(n / 2 + i) })),
    );
    const lines = await eventually(
      'every record in the file',
      async () => {
        const text = await readFile(file, 'utf8').catch(() => '');
        const got = text.split('\n').filter(Boolean);
        return new Set(got).size >= n ? got : undefined;
      },
      { timeoutMs: 90_000 },
    );
    console.log(`      SIGKILL (sink): ${lines.length} lines, ${lines.length - new Set(lines).size} duplicates`);
    expect(new Set(lines).size).to.equal(n);
  });

  it('drains a worker while records flow: its tasks move, nothing is lost', async () => {
    const topic = randomName('drain');
    const perTask = 3_000;
    // Back to 3 live workers plus one more, so the drained one leaves 3.
    await startWorker();
    const w = live()[0]!;
    await write(w, 'POST', '/connectors', {
      name: 'drain-src',
      config: datagen(topic, 3, { 'max.records': String(perTask), 'records.per.second': '500' }),
    });
    await allRunning(w, { 'drain-src': 3 });
    const target = (await Promise.all(live().map(async (x) => ({ x, h: await held(x) })))).find(
      ({ h }) => h.tasks.length > 0,
    )!.x;
    const res = await write(target, 'POST', '/admin/drain');
    expect(res.status).to.equal(202);
    expect(res.body.draining).to.equal(true);
    await eventually('drained', async () => (await target.rest('GET', '/admin/drain')).body.drained === true, {
      timeoutMs: 30_000,
    });
    const others = live().filter((x) => x !== target);
    await allRunning(others[0]!, { 'drain-src': 3, 'gen-a': 3, 'gen-b': 3 });
    expect((await held(target)).tasks).to.deep.equal([]);
    await target.stop();
    const result = await checkDataGen(topic, 3 * perTask);
    console.log(`      drain: ${result.total} records, ${result.duplicates} duplicates`);
    expect(result.missing).to.deep.equal([]);
  });

  it('brings connectors, tasks, target states and offsets back after all workers restart', async () => {
    const w = live()[0]!;
    expect((await write(w, 'PUT', '/connectors/gen-a/pause')).status).to.equal(202);
    expect((await write(w, 'PUT', '/connectors/gen-b/stop')).status).to.equal(204);
    await eventually('paused and stopped', async () => {
      const a = (await w.rest('GET', '/connectors/gen-a/status')).body;
      const b = (await w.rest('GET', '/connectors/gen-b/status')).body;
      return a.connector.state === 'PAUSED' && b.connector.state === 'STOPPED' && b.tasks.length === 0;
    });
    const offsetsBefore = (await w.rest('GET', '/connectors/gen-a/offsets')).body.offsets as Array<{
      offset: { seq: number };
    }>;
    expect(offsetsBefore).to.have.length(3);
    const ports = live().map((x) => x.opts.port);
    await Promise.all(live().map((x) => x.stop()));
    for (const p of ports) await startWorker(p);
    const w2 = live()[0]!;
    await eventually('states back', async () => {
      const a = (await w2.rest('GET', '/connectors/gen-a/status')).body;
      const b = (await w2.rest('GET', '/connectors/gen-b/status')).body;
      return (
        a.connector?.state === 'PAUSED' &&
        a.tasks.length === 3 &&
        a.tasks.every((t: { state: string }) => t.state === 'PAUSED') &&
        b.connector?.state === 'STOPPED'
      );
    });
    expect((await w2.rest('GET', '/connectors')).body).to.include.members(['gen-a', 'gen-b', 'drain-src']);
    const offsetsAfter = (await w2.rest('GET', '/connectors/gen-a/offsets')).body.offsets as Array<{
      offset: { seq: number };
    }>;
    expect(offsetsAfter.map((o) => o.offset.seq).sort()).to.deep.equal(offsetsBefore.map((o) => o.offset.seq).sort());
    // Resumed, the tasks continue from their offsets: the topic does not start over.
    expect((await write(w2, 'PUT', '/connectors/gen-a/resume')).status).to.equal(202);
    await allRunning(w2, { 'gen-a': 3 });
  });

  it('keeps a 6-task sink running while its consumer group rebalances over a backlog', async () => {
    const topic = randomName('backlog');
    await createTopic(kafka, topic, 6);
    const n = 100_000;
    for (let i = 0; i < n; i += 50_000)
      await produce(
        kafka,
        topic,
        Array.from({ length: 50_000 }, (_, j) => ({ value: String(i + j) })),
      );
    const file = path.join(dir, `${topic}.txt`);
    const w = live()[0] ?? (await startWorker());
    const name = randomName('backlog-sink');
    await write(w, 'POST', '/connectors', {
      name,
      config: {
        'connector.class': 'FileStreamSink',
        'tasks.max': '6',
        topics: topic,
        file,
        // Frequent heartbeats: each batch's heartbeat then meets the rebalances.
        'consumer.override.heartbeat.interval.ms': '200',
      },
    });
    // The six consumers join the group one after another: each join is a rebalance
    // that their heartbeats and commits meet. None of that may fail a task.
    const failed = new Set<string>();
    const lines = await eventually(
      'every record in the file',
      async () => {
        const s = (await w.rest('GET', `/connectors/${name}/status`)).body;
        for (const t of s.tasks ?? []) if (t.state === 'FAILED') failed.add(`${t.id}: ${t.trace ?? ''}`.slice(0, 300));
        const text = await readFile(file, 'utf8').catch(() => '');
        const got = text.split('\n').filter(Boolean);
        return new Set(got).size >= n ? got : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect([...failed]).to.deep.equal([]);
    expect(new Set(lines).size).to.equal(n);
  });
});

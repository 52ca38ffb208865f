// Exactly-once source delivery (KIP-618) in distributed mode against the real
// broker: each source task writes its records and its source offsets in one
// transaction, and a task instance started elsewhere fences the old one.
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { readTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import { STRING_CONVERTER, WorkerGroup, distributedProps, restWrite, tempDir } from '../src/runtime-process.js';
import { builtinPlugins } from '../../runtime/src/app/plugins.js';
import { ConfigProviders } from '../../runtime/src/config/config-providers.js';
import { TASK_COUNT_CONFIG, TASK_ID_CONFIG } from '../../runtime/src/connectors/datagen-config.js';
import { createKafka } from '../../runtime/src/kafka/client.js';
import { KafkaOffsetStore } from '../../runtime/src/storage/kafka-offset-store.js';
import type { Status } from '../../runtime/src/storage/status-store.js';
import { LogRegistry, type Logger } from '../../runtime/src/util/logging.js';
import { Worker } from '../../runtime/src/worker/worker.js';

const silent: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silent,
};

/** Ids written by a DataGen connector with key.type=sequence: counts what is missing and what came twice. */
async function checkIds(kafka: Kafka, topic: string, expected: number, isolation?: 'read_committed') {
  const first = await readTopic(kafka, topic, expected, 90_000, isolation);
  // readTopic stops at `expected`: read again with time for duplicates to show up.
  const all =
    first.length >= expected ? await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 5_000, isolation) : first;
  const ids = new Set(all.map((r) => Number(r.key)));
  const missing: number[] = [];
  for (let i = 0; i < expected; i++) if (!ids.has(i)) missing.push(i);
  // Where every copy of a duplicated id is (partition@offset), to tell a re-sent record from one read twice.
  const copies = new Map<string, string[]>();
  for (const r of all) {
    const list = copies.get(r.key ?? 'null') ?? [];
    list.push(`${r.partition}@${r.offset}`);
    copies.set(r.key ?? 'null', list);
  }
  const duplicated = [...copies].filter(([, at]) => at.length > 1).map(([id, at]) => `${id}: ${at.join(', ')}`);
  return { total: all.length, unique: ids.size, missing, duplicates: all.length - ids.size, duplicated };
}

describe('runtime: exactly-once source delivery @env', function () {
  this.timeout(300_000);
  const env = withEnv();

  let dir: string;
  let kafka: Kafka;
  const group = randomName('eos');
  const cluster = new WorkerGroup(
    () => dir,
    (port) => ({
      ...distributedProps(env().kafka.bootstrapServers, group, port),
      'exactly.once.source.support': 'enabled',
    }),
  );
  const startWorker = (port?: number) => cluster.start(port);
  const write = restWrite;
  const live = () => cluster.live();

  before(async () => {
    dir = await tempDir('sluice-eos');
    kafka = testKafka(env().kafka.bootstrapServers);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') cluster.printLogs();
  });

  after(async () => {
    await cluster.stopAll();
  });

  it('the offset store applies offsets of committed transactions only, and an open one does not hold it up', async () => {
    const bootstrap = env().kafka.bootstrapServers;
    const offsetsTopic = randomName('eos-offsets');
    const storeKafka = createKafka({
      clientId: 'eos-store',
      props: { 'bootstrap.servers': bootstrap },
      logger: silent,
    });
    const newStore = () =>
      new KafkaOffsetStore({
        kafka: storeKafka,
        topic: offsetsTopic,
        partitions: 2,
        replicationFactor: 1,
        logger: silent,
      });
    const first = newStore();
    await first.start(); // creates the topic
    await first.stop();
    const producer = testKafka(bootstrap).producer({
      transactionalId: randomName('eos-offsets-writer'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const key = JSON.stringify(['c', { p: 1 }]);
    const write = async (pos: number, end: 'commit' | 'abort' | 'open') => {
      const txn = await producer.transaction();
      await txn.send({ topic: offsetsTopic, acks: -1, messages: [{ key, value: JSON.stringify({ pos }) }] });
      if (end === 'commit') await txn.commit();
      if (end === 'abort') await txn.abort();
      return txn;
    };
    const store = newStore();
    try {
      await write(1, 'commit');
      await write(2, 'abort');
      const open = await write(3, 'open');
      await store.start();
      expect(await store.get('c', [{ p: 1 }])).to.deep.equal([{ pos: 1 }]);
      await open.commit();
      // The coordinator writes the COMMIT markers after it answered the commit: the offset shows up soon after.
      await eventually('the committed offset', async () => {
        await store.refresh();
        return JSON.stringify(await store.get('c', [{ p: 1 }])) === JSON.stringify([{ pos: 3 }]);
      });
    } finally {
      await store.stop();
      await producer.disconnect();
    }
  });

  it('refuses exactly.once.support=required for a connector that cannot give it, and transaction.boundary=connector', async () => {
    const w = await startWorker();
    const base = { 'connector.class': 'FileStreamSource', topic: 't', 'exactly.once.support': 'required' };
    // FileStreamSource supports exactly-once only when reading a file (not stdin).
    let res = await w.rest('PUT', '/connector-plugins/FileStreamSource/config/validate', base);
    const errorsOf = (body: { configs: Array<{ value: { name: string; errors: string[] } }> }, name: string) =>
      body.configs.find((c) => c.value.name === name)!.value.errors;
    expect(errorsOf(res.body, 'exactly.once.support')).to.deep.equal([
      'The connector does not support exactly-once semantics with the provided configuration.',
    ]);
    res = await w.rest('PUT', '/connector-plugins/FileStreamSource/config/validate', { ...base, file: '/tmp/x' });
    expect(errorsOf(res.body, 'exactly.once.support')).to.deep.equal([]);
    res = await write(w, 'POST', '/connectors', {
      name: randomName('no-eos'),
      config: { ...base, 'transaction.boundary': 'connector', file: '/tmp/x' },
    });
    expect(res.status).to.equal(400);
    expect(res.body.message).to.match(/connector-defined transaction boundaries/);
  });

  it('delivers every record exactly once (read_committed) when a worker running tasks is SIGKILLed mid-load', async () => {
    await startWorker();
    await startWorker();
    const w = live()[0]!;
    const tasks = 4;
    const perTask = 2_000;
    // The default boundary (a transaction per poll), and 1.5 s transactions, which a kill almost
    // always interrupts: their records must be aborted and produced again.
    const connectors = [
      { name: 'eos-kill', topic: randomName('eos-kill'), extra: {} },
      {
        name: 'eos-kill-interval',
        topic: randomName('eos-kill-interval'),
        extra: { 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '1500' },
      },
    ];
    for (const c of connectors) {
      const res = await write(w, 'POST', '/connectors', {
        name: c.name,
        config: {
          'connector.class': 'DataGen',
          'tasks.max': String(tasks),
          topic: c.topic,
          'key.type': 'sequence',
          'records.per.second': '400',
          'max.records': String(perTask),
          'exactly.once.support': 'required',
          ...c.extra,
        },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    const taskStatuses = async () => {
      const all: Array<{ state: string; worker_id: string }> = [];
      for (const c of connectors) {
        const s = await w.rest('GET', `/connectors/${c.name}/status`);
        if (s.status !== 200 || s.body.tasks.length !== tasks) return undefined;
        all.push(...s.body.tasks);
      }
      return all;
    };
    await eventually('all tasks running', async () => (await taskStatuses())?.every((t) => t.state === 'RUNNING'), {
      timeoutMs: 60_000,
    });
    const statuses = (await taskStatuses())!;
    // A worker other than the one we talk to, running at least one task.
    const victim = live().find((x) => x !== w && statuses.some((t) => t.worker_id === `127.0.0.1:${x.opts.port}`))!;
    expect(victim, 'a worker other than the first runs a task').to.not.equal(undefined);
    await new Promise((r) => setTimeout(r, 2_000));
    await victim.kill();
    await eventually(
      'the killed worker’s tasks run elsewhere',
      async () =>
        (await taskStatuses())?.every((t) => t.state === 'RUNNING' && t.worker_id !== `127.0.0.1:${victim.opts.port}`),
      { timeoutMs: 60_000 },
    );
    for (const c of connectors) {
      const committed = await checkIds(kafka, c.topic, tasks * perTask, 'read_committed');
      const uncommitted = await checkIds(kafka, c.topic, tasks * perTask);
      console.log(
        `      SIGKILL with exactly-once (${c.name}): read_committed ${committed.total} records, ` +
          `${committed.duplicates} duplicates, ${committed.missing.length} missing; read_uncommitted ` +
          `${uncommitted.total} records (${uncommitted.duplicates} of aborted transactions)`,
      );
      if (committed.duplicates > 0)
        console.log(
          `      duplicated ids (id: partition@offset, ...): ${committed.duplicated.slice(0, 20).join('; ')}`,
        );
      expect(committed.missing).to.deep.equal([]);
      expect(committed.duplicates).to.equal(0);
      expect(committed.total).to.equal(tasks * perTask);
      // The offsets the tasks committed (in their transactions) are what the workers serve.
      const offsets = await eventually(`final offsets of ${c.name}`, async () => {
        const o = (await w.rest('GET', `/connectors/${c.name}/offsets`)).body.offsets as Array<{
          offset: { seq: number };
        }>;
        return o.length === tasks && o.every((x) => x.offset.seq === perTask) ? o : undefined;
      });
      expect(offsets).to.have.length(tasks);
    }
  });

  it('fences the previous task generation before writing new task configs; the new tasks run (interval boundary)', async () => {
    const w = live()[0]!;
    const topic = randomName('eos-reconf');
    const config = (tasks: number, extra: Record<string, string> = {}) => ({
      'connector.class': 'DataGen',
      'tasks.max': String(tasks),
      topic,
      'key.type': 'sequence',
      'records.per.second': '300',
      'exactly.once.support': 'required',
      ...extra,
    });
    const running = (tasks: number) =>
      eventually(
        `${tasks} tasks running`,
        async () => {
          const s = await w.rest('GET', '/connectors/eos-reconf/status');
          return (
            s.status === 200 &&
            s.body.tasks.length === tasks &&
            s.body.tasks.every((t: { state: string }) => t.state === 'RUNNING')
          );
        },
        { timeoutMs: 60_000 },
      );
    expect((await write(w, 'POST', '/connectors', { name: 'eos-reconf', config: config(3) })).status).to.equal(201);
    await running(3);
    await new Promise((r) => setTimeout(r, 1_000));
    const res = await write(
      w,
      'PUT',
      '/connectors/eos-reconf/config',
      config(2, { 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '700' }),
    );
    expect(res.status).to.equal(200);
    await running(2);
    // The fenced tasks of the old generation were restarted with their new configs, not left failed.
    await new Promise((r) => setTimeout(r, 3_000));
    await running(2);
    const fencing = await eventually('the task count record', async () => {
      const records = await readTopic(kafka, `${group}-configs`, Number.MAX_SAFE_INTEGER, 3_000);
      return records.filter((r) => r.key === 'tasks-fencing-eos-reconf').map((r) => JSON.parse(r.value!));
    });
    expect(fencing).to.deep.include({ 'task-count': 2 });
    // Records keep coming, committed every 700 ms.
    const before = (await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 3_000, 'read_committed')).length;
    await new Promise((r) => setTimeout(r, 2_000));
    const after = (await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 3_000, 'read_committed')).length;
    expect(after).to.be.greaterThan(before);
    expect((await write(w, 'DELETE', '/connectors/eos-reconf')).status).to.equal(204);
  });

  it('fences a zombie: a second instance of a task takes over its transactional id, the first can no longer commit', async () => {
    const bootstrap = env().kafka.bootstrapServers;
    const zgroup = randomName('zombie');
    const offsetsTopic = `${zgroup}-offsets`;
    const topic = randomName('zombie-out');
    const total = 3_000;
    const statuses: Array<{ worker: string; status: Status }> = [];
    const logs = new LogRegistry('ERROR');
    const stops: Array<() => Promise<void>> = [];
    const mkWorker = async (name: string) => {
      const storeKafka = createKafka({
        clientId: `${name}-store`,
        props: { 'bootstrap.servers': bootstrap },
        logger: silent,
      });
      const offsets = new KafkaOffsetStore({
        kafka: storeKafka,
        topic: offsetsTopic,
        partitions: 3,
        replicationFactor: 1,
        logger: silent,
      });
      await offsets.start();
      const workerProps = {
        'bootstrap.servers': bootstrap,
        'key.converter': STRING_CONVERTER,
        'value.converter': STRING_CONVERTER,
      };
      const worker = new Worker({
        workerId: name,
        workerProps,
        plugins: builtinPlugins(),
        offsets,
        status: { connector: () => undefined, task: (_c, _t, status) => statuses.push({ worker: name, status }) },
        logs,
        providers: new ConfigProviders(workerProps),
        offsetFlushIntervalMs: 1000,
        gracefulShutdownMs: 5000,
        exactlyOnceSource: {
          support: 'enabled',
          groupId: zgroup,
          offsetsTopic,
          readOffsetsToEnd: () => offsets.refresh(),
        },
      });
      stops.push(async () => {
        await worker.stop();
        await offsets.stop();
      });
      return worker;
    };
    const connector = {
      name: 'zombie',
      'connector.class': 'DataGen',
      topic,
      'key.type': 'sequence',
      'records.per.second': '1000',
      'max.records': String(total),
      'exactly.once.support': 'required',
    };
    const taskConfig = { ...connector, [TASK_ID_CONFIG]: '0', [TASK_COUNT_CONFIG]: '1' };
    const id = { connector: 'zombie', task: 0 };
    try {
      const a = await mkWorker('worker-a');
      const b = await mkWorker('worker-b');
      await a.startTask(id, connector, taskConfig, 'STARTED');
      await eventually('worker-a commits records', async () => {
        const got = await readTopic(kafka, topic, 500, 2_000, 'read_committed');
        return got.length >= 500;
      });
      // The same task on another worker, while the first still runs: a zombie.
      await b.startTask(id, connector, taskConfig, 'STARTED');
      const fenced = await eventually(
        'worker-a is fenced and fails',
        async () =>
          statuses.find(
            (s) => s.worker === 'worker-a' && s.status.state === 'FAILED' && /fenced/.test(s.status.trace ?? ''),
          ),
        { timeoutMs: 30_000 },
      );
      expect(fenced.status.trace).to.match(/Task zombie-0 was fenced out/);
      expect(statuses.some((s) => s.worker === 'worker-b' && s.status.state === 'FAILED')).to.equal(false);
      const result = await checkIds(kafka, topic, total, 'read_committed');
      console.log(
        `      zombie: read_committed ${result.total} records, ${result.duplicates} duplicates, ${result.missing.length} missing`,
      );
      expect(result.missing).to.deep.equal([]);
      expect(result.duplicates).to.equal(0);
      // The raw producer level: a producer initialised with the task's id after the zombie's can commit; an
      // older one cannot.
      const raw = testKafka(bootstrap);
      const txId = `${zgroup}-zombie-0`;
      const older = raw.producer({ transactionalId: txId, idempotent: true, maxInFlightRequests: 1 });
      const newer = raw.producer({ transactionalId: txId, idempotent: true, maxInFlightRequests: 1 });
      await older.connect();
      await newer.connect();
      try {
        const t1 = await older.transaction();
        await t1.send({ topic, acks: -1, messages: [{ key: 'zombie', value: 'x' }] });
        const t2 = await newer.transaction();
        const err = await t1.commit().then(
          () => undefined,
          (e: unknown) => e as { type?: string },
        );
        expect(err?.type).to.equal('INVALID_PRODUCER_EPOCH');
        await t2.commit();
      } finally {
        await older.disconnect();
        await newer.disconnect();
      }
      const after = await readTopic(kafka, topic, Number.MAX_SAFE_INTEGER, 3_000, 'read_committed');
      expect(after.some((r) => r.key === 'zombie')).to.equal(false);
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    }
  });
});

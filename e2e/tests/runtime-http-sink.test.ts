// The HTTP sink through a real worker and the real broker, against a real
// HTTP server that fails on demand (500s, 429 + Retry-After, slow answers,
// dropped connections) and refuses bad records with 400: every good record
// arrives at least once and in order per partition; the bad ones land in the
// dead letter queue with the response's status and body.
import { expect } from 'chai';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { HttpTarget, type Behaviour } from '../src/http-target.js';
import { createTopic, readTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import { type RuntimeProcess, STRING_CONVERTER, standaloneWorker, tempDir } from '../src/runtime-process.js';

const PARTITIONS = 3;
const PER_PARTITION = 600;
const isBad = (v: unknown) => (v as { bad?: boolean }).bad === true;
/** Every 97th record is one the server refuses. */
const badAt = (seq: number) => seq % 97 === 13;

describe('runtime: HTTP sink against a failing server @env', function () {
  this.timeout(180_000);
  const env = withEnv();
  let worker: RuntimeProcess | undefined;
  let target: HttpTarget | undefined;

  after(async () => {
    await worker?.kill();
    await target?.stop();
  });

  it('delivers every good record at least once, in order per partition, and dead-letters the 4xx ones', async () => {
    let n = 0;
    // A fixed rotation, so every kind of failure happens in every run.
    const chaos = (): Behaviour => {
      const i = n++ % 20;
      if (i === 3) return { kind: 'status', status: 500 };
      if (i === 7) return { kind: 'status', status: 429, retryAfter: '1' };
      if (i === 11) return { kind: 'slow', delayMs: 1500 };
      if (i === 15) return { kind: 'drop' };
      if (i === 17) return { kind: 'status', status: 503, body: 'busy' };
      return { kind: 'ok' };
    };
    target = new HttpTarget({ chaos, isBad });
    const url = await target.start();

    const kafka = testKafka(env().kafka.bootstrapServers);
    const topic = randomName('http-in');
    const dlq = randomName('http-dlq');
    await createTopic(kafka, topic, PARTITIONS);
    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < PARTITIONS; p++) {
      const messages = Array.from({ length: PER_PARTITION }, (_, seq) => ({
        partition: p,
        value: JSON.stringify({ p, seq, ...(badAt(seq) ? { bad: true } : {}) }),
      }));
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const dir = await tempDir('http-sink');
    worker = await standaloneWorker({
      bootstrapServers: env().kafka.bootstrapServers,
      dir,
      converter: STRING_CONVERTER,
      flushIntervalMs: 1000,
    });
    await worker.start();
    const name = randomName('http-sink');
    const res = await worker.rest('PUT', `/connectors/${name}/config`, {
      'connector.class': 'HttpSink',
      'tasks.max': '2',
      topics: topic,
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'http.api.url': `${url}/events`,
      headers: 'X-Source:sluice-test',
      'batch.max.size': '40',
      // Every put sends all it got before it returns: a partition that moves to the other task mid-run
      // leaves nothing behind that could arrive after the other task's sends.
      'batch.linger.ms': '0',
      'request.timeout.ms': '1000',
      'retry.backoff.ms': '50',
      'retry.backoff.max.ms': '500',
      'max.retries': '-1',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);

    const key = (v: { p: number; seq: number }) => `${v.p}:${v.seq}`;
    const good = PARTITIONS * Array.from({ length: PER_PARTITION }, (_, s) => s).filter((s) => !badAt(s)).length;
    await eventually(
      `all ${good} good records at the server (log: ${worker.logFile})`,
      () => new Set(target!.values().map((v) => key(v as { p: number; seq: number }))).size === good,
      { timeoutMs: 150_000 },
    );
    const values = target.values() as Array<{ p: number; seq: number; bad?: boolean }>;
    expect(values.filter(isBad)).to.deep.equal([]);
    // In order per partition: the first arrival of each record comes after the first arrival of its predecessor.
    const seen = new Set<string>();
    const firstArrivals: number[][] = Array.from({ length: PARTITIONS }, () => []);
    for (const v of values) {
      if (seen.has(key(v))) continue;
      seen.add(key(v));
      firstArrivals[v.p]!.push(v.seq);
    }
    for (const seqs of firstArrivals) expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    expect(target.counts.status + target.counts.slow + target.counts.drop).to.be.greaterThan(4);
    expect(target.accepted.every((a) => a.headers['x-source'] === 'sluice-test')).to.equal(true);

    const bad = PARTITIONS * Array.from({ length: PER_PARTITION }, (_, s) => s).filter(badAt).length;
    const dead = await readTopic(kafka, dlq, bad, 60_000);
    expect(dead.map((d) => JSON.parse(d.value!)).every(isBad)).to.equal(true);
    expect(new Set(dead.map((d) => d.value)).size).to.equal(bad);
    for (const d of dead) {
      expect(d.headers['__connect.errors.http.response.status.code']?.toString()).to.equal('400');
      expect(d.headers['__connect.errors.http.response.body']?.toString()).to.equal('{"error":"bad record"}');
    }
    const status = (await worker.rest('GET', `/connectors/${name}/status`)).body;
    expect(status.tasks.map((t: { state: string }) => t.state)).to.deep.equal(['RUNNING', 'RUNNING']);
  });
});

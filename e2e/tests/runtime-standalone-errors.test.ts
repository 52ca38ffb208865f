// Bad input against the real worker and broker: a bad worker key stops the
// start with its name; a record that cannot be converted fails the task under
// errors.tolerance=none and goes to the dead letter queue under =all.
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { RuntimeProcess, freePort, standaloneWorker, tempDir } from '../src/runtime-process.js';
import { createTopic, produce, readTopic, testKafka } from '../src/kafka.js';

const STRING = 'org.apache.kafka.connect.storage.StringConverter';
const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

describe('standalone runtime: bad input @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  let worker: RuntimeProcess | undefined;
  let dir: string;
  let topic: string;
  // Fresh names per run: a sink's consumer group (connect-<name>) must not wait for a dead member of an earlier run.
  const strict = randomName('strict');
  const tolerant = randomName('tolerant');

  before(async () => {
    dir = await tempDir('sa-errors');
    topic = randomName('mixed');
    const kafka = testKafka(env().kafka.bootstrapServers);
    await createTopic(kafka, topic);
    await produce(kafka, topic, [{ value: '{"id":1}' }, { value: '{not json' }, { value: '{"id":3}' }]);
  });
  afterEach(async () => worker?.kill());

  const start = async () => {
    worker = await standaloneWorker({
      bootstrapServers: env().kafka.bootstrapServers,
      dir,
      converter: STRING,
      flushIntervalMs: 500,
      props: {
        'offset.storage.file.filename': path.join(dir, `data-${randomName('w')}/offsets.json`),
        'sluice.file.allowed.paths': dir,
      },
    });
    return worker.start();
  };
  const sinkConfig = (out: string, extra: Record<string, string> = {}) => ({
    'connector.class': 'FileStreamSink',
    file: out,
    topics: topic,
    'value.converter': JSON_CONVERTER,
    'value.converter.schemas.enable': 'false',
    ...extra,
  });

  it('refuses to start on an unknown worker key, naming it', async () => {
    const bad = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: {
        'bootstrap.server': env().kafka.bootstrapServers,
        'key.converter': STRING,
        'value.converter': STRING,
        'offset.storage.file.filename': path.join(dir, 'x.json'),
      },
    });
    await bad.start({ waitHealthy: false });
    await eventually('the worker to exit', () => bad.exitCode !== undefined);
    expect(bad.exitCode).to.equal(1);
    expect(await readFile(bad.logFile, 'utf8')).to.include('Unknown worker configuration key "bootstrap.server"');
  });

  it('fails the task with a trace under errors.tolerance=none, and the worker keeps serving', async () => {
    const w = await start();
    const out = path.join(dir, 'none.txt');
    expect((await w.rest('PUT', `/connectors/${strict}/config`, sinkConfig(out))).status).to.equal(201);
    const status = await eventually('the task to fail', async () => {
      const s = (await w.rest('GET', `/connectors/${strict}/status`)).body;
      return s.tasks?.[0]?.state === 'FAILED' ? s : undefined;
    });
    expect(status.connector.state).to.equal('RUNNING');
    expect(status.tasks[0].trace).to.include('Tolerance exceeded');
    expect(status.tasks[0].trace).to.include('Converting byte[] to Kafka Connect data failed');
    expect((await w.rest('GET', '/health')).status).to.equal(200);
    // The record after the bad one was never written.
    const written = await readFile(out, 'utf8').catch(() => '');
    expect(written).to.not.include('3');
  });

  it('skips the bad record under errors.tolerance=all and sends its bytes with context headers to the DLQ', async () => {
    const w = await start();
    const out = path.join(dir, 'all.txt');
    const dlq = randomName('dlq');
    const res = await w.rest(
      'PUT',
      `/connectors/${tolerant}/config`,
      sinkConfig(out, {
        'errors.tolerance': 'all',
        'errors.log.enable': 'true',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }),
    );
    expect(res.status).to.equal(201);
    await eventually(
      'both good records in the file',
      async () => (await readFile(out, 'utf8').catch(() => '')).split('\n').length >= 3,
    );
    expect((await readFile(out, 'utf8')).split('\n').filter(Boolean)).to.deep.equal(['{id=1}', '{id=3}']);
    const [dead] = await readTopic(testKafka(env().kafka.bootstrapServers), dlq, 1, 60_000);
    expect(dead?.value).to.equal('{not json');
    const header = (k: string) => dead?.headers[`__connect.errors.${k}`]?.toString();
    expect(header('topic')).to.equal(topic);
    expect(header('partition')).to.equal('0');
    expect(header('offset')).to.equal('1');
    expect(header('connector.name')).to.equal(tolerant);
    expect(header('task.id')).to.equal('0');
    expect(header('stage')).to.equal('VALUE_CONVERTER');
    expect(header('exception.message')).to.include('Converting byte[] to Kafka Connect data failed');
    const status = (await w.rest('GET', `/connectors/${tolerant}/status`)).body;
    expect(status.tasks[0].state).to.equal('RUNNING');
    const metrics = await (await fetch(`${w.url}/metrics`)).text();
    expect(metrics).to.include(`kafka_connect_task_error_total_records_skipped{connector="${tolerant}",task="0"} 1\n`);
    expect(metrics).to.include(
      `kafka_connect_task_error_deadletterqueue_produce_requests{connector="${tolerant}",task="0"} 1\n`,
    );
  });
});

// Interop with Apache Kafka Connect 4.3.1, side by side on the real broker:
// one Apache distributed worker and one of ours (each its own Connect group)
// run the same FileStreamSource over the same file, and what each writes to
// Kafka and answers over REST is compared. These are the gaps that showed
// when both runtimes share a cluster's topics (issue 15): task configs carry
// `task.class`, status records carry `version`, a worker that shuts down
// writes UNASSIGNED for what it ran, the plugin config endpoint lists every
// key, and JsonConverter escapes characters outside the BMP.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { repoRoot, withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { readTopic, testKafka, type ReadRecord } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import {
  RuntimeProcess,
  distributedProps,
  freePort,
  restWrite,
  tempDir,
  toProperties,
} from '../src/runtime-process.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
// Emoji (outside the BMP), a control character, U+2028, a non-ASCII BMP letter, a quote and a backslash.
const LINES = ['plain ascii', 'smile \u{1F600} and \u{1F680}', 'ctl \u0001 sep \u2028 é "q" \\ end', '\u{10FFFF}'];

/** Every record of a topic up to its current end. */
async function readAll(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const count = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  return count === 0 ? [] : readTopic(kafka, topic, count, 30_000);
}

/** The last value per key of a status or config topic. */
async function lastByKey(kafka: Kafka, topic: string): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const r of await readAll(kafka, topic)) if (r.key !== null) out.set(r.key, r.value);
  return out;
}

describe('interop with Apache Kafka Connect 4.3.1 @env', function () {
  this.timeout(300_000);
  const env = withEnv();
  let dir: string;
  let kafka: Kafka;
  let apache: ChildProcess | undefined;
  let apacheUrl: string;
  let ours: RuntimeProcess;
  const apacheGroup = randomName('interop-apache');
  const ourGroup = randomName('interop-sluice');
  const apacheTopic = randomName('interop-apache-out');
  const ourTopic = randomName('interop-sluice-out');
  const connector = 'interop-source';

  const workerProps = (group: string, port: number) => ({
    ...distributedProps(env().kafka.bootstrapServers, group, port),
    'value.converter': JSON_CONVERTER,
    'value.converter.schemas.enable': true,
  });
  const sourceConfig = (topic: string) => ({
    'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    'tasks.max': '1',
    file: path.join(dir, 'input.txt'),
    topic,
  });
  const apacheRest = async (method: string, urlPath: string, body?: unknown) => {
    const res = await fetch(`${apacheUrl}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as any) : undefined };
  };

  before(async function () {
    dir = await tempDir('interop');
    kafka = testKafka(env().kafka.bootstrapServers);
    await writeFile(path.join(dir, 'input.txt'), LINES.join('\n') + '\n');
    const apachePort = await freePort();
    apacheUrl = `http://127.0.0.1:${apachePort}`;
    const props = path.join(dir, 'apache.properties');
    await writeFile(props, toProperties({ listeners: apacheUrl, ...workerProps(apacheGroup, apachePort) }));
    apache = spawn('bash', [path.join(repoRoot, 'e2e/env/apache-connect.sh'), 'distributed', props], {
      stdio: 'ignore',
      env: { ...process.env, SLUICE_CONNECT_LOG: path.join(dir, 'apache.log'), KAFKA_HEAP_OPTS: '-Xmx512M' },
    });
    const ourPort = await freePort();
    ours = new RuntimeProcess({ mode: 'distributed', dir, port: ourPort, workerProps: workerProps(ourGroup, ourPort) });
    await ours.start();
    await eventually(
      `Apache Kafka Connect to answer (log: ${dir}/apache.log)`,
      async () => (await apacheRest('GET', '/connectors')).status === 200,
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    await eventually('Apache to create the connector', async () => {
      const res = await apacheRest('PUT', `/connectors/${connector}/config`, sourceConfig(apacheTopic));
      return res.status === 201 || res.status === 200;
    });
    const created = await restWrite(ours, 'PUT', `/connectors/${connector}/config`, sourceConfig(ourTopic));
    expect(created.status).to.equal(201);
  });

  after(async () => {
    apache?.kill('SIGKILL');
    await ours?.kill();
  });

  it('lists the same keys for a plugin as Apache, byte for byte but for the plugin version', async () => {
    for (const plugin of ['FileStreamSource', 'FileStreamSink']) {
      const theirs = (await apacheRest('GET', `/connector-plugins/${plugin}/config`)).text;
      const res = await fetch(`${ours.url}/connector-plugins/${plugin}/config`);
      const mine = await res.text();
      const plugins = (await ours.rest('GET', '/connector-plugins')).body as Array<{ class: string; version: string }>;
      const version = plugins.find((p) => p.class.endsWith(`${plugin}Connector`))!.version;
      expect(mine.replace(`"default_value":"${version}"`, '"default_value":"4.3.1"')).to.equal(theirs);
    }
  });

  it('writes the same record bytes through JsonConverter (surrogates escaped as Jackson does)', async () => {
    const [theirs, mine] = await Promise.all([
      readTopic(kafka, apacheTopic, LINES.length),
      readTopic(kafka, ourTopic, LINES.length),
    ]);
    expect(mine.map((r) => r.value)).to.deep.equal(theirs.map((r) => r.value));
    expect(mine[1]!.value).to.include('\\uD83D\\uDE00');
  });

  it('writes task configs with task.class, as Apache does', async () => {
    const [theirs, mine] = await Promise.all([
      apacheRest('GET', `/connectors/${connector}/tasks`),
      eventually('our task configs', async () => {
        const res = await ours.rest('GET', `/connectors/${connector}/tasks`);
        return res.status === 200 && res.body.length === 1 ? res : undefined;
      }),
    ]);
    expect(theirs.body[0].config['task.class']).to.equal('org.apache.kafka.connect.file.FileStreamSourceTask');
    expect(mine.body[0].config['task.class']).to.equal(theirs.body[0].config['task.class']);
    const configs = await lastByKey(kafka, `${ourGroup}-configs`);
    expect(JSON.parse(configs.get(`task-${connector}-0`)!).properties['task.class']).to.equal(
      'org.apache.kafka.connect.file.FileStreamSourceTask',
    );
  });

  it('writes status records with the version field and reports it over REST, as Apache does', async () => {
    const statusOf = async (get: () => Promise<any>) =>
      eventually('connector and task RUNNING', async () => {
        const s = await get();
        return s?.connector?.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING' ? s : undefined;
      });
    const theirs = await statusOf(async () => (await apacheRest('GET', `/connectors/${connector}/status`)).body);
    const mine = await statusOf(async () => (await ours.rest('GET', `/connectors/${connector}/status`)).body);
    expect(Object.keys(mine.connector)).to.deep.equal(Object.keys(theirs.connector));
    expect(Object.keys(mine.tasks[0])).to.deep.equal(Object.keys(theirs.tasks[0]));
    expect(mine.tasks[0].version).to.be.a('string');

    const fields = (value: string | null | undefined) => Object.keys(JSON.parse(value!));
    const [theirRecords, myRecords] = await Promise.all([
      lastByKey(kafka, `${apacheGroup}-status`),
      lastByKey(kafka, `${ourGroup}-status`),
    ]);
    const key = `status-task-${connector}-0`;
    expect(fields(myRecords.get(key))).to.deep.equal(fields(theirRecords.get(key)));
    expect(JSON.parse(myRecords.get(key)!).version).to.equal(mine.tasks[0].version);
  });

  it('writes UNASSIGNED for its connector and tasks when it shuts down, as Apache does', async () => {
    await ours.stop();
    apache!.kill('SIGTERM');
    await new Promise((r) => apache!.once('exit', r));
    apache = undefined;
    for (const group of [apacheGroup, ourGroup]) {
      const records = await lastByKey(kafka, `${group}-status`);
      const state = (key: string) => JSON.parse(records.get(key) ?? '{}').state;
      expect(state(`status-connector-${connector}`), group).to.equal('UNASSIGNED');
      expect(state(`status-task-${connector}-0`), group).to.equal('UNASSIGNED');
    }
  });
});

// No request and no stored config takes a worker down, against the real
// worker and broker: bad names, converter classes, regexes, file paths and a
// tasks.max beyond the worker's ceiling are refused at create/update with
// Kafka Connect's error JSON and nothing is stored; a config stored earlier
// with tasks.max=1000000000 (the standalone connectors file, the config
// topic) leaves that connector FAILED while the worker serves the others.
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { createTopic, seedConfigTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import {
  RuntimeProcess,
  distributedProps,
  freePort,
  restWrite,
  standaloneProps,
  tempDir,
} from '../src/runtime-process.js';

describe('runtime: limits and validation @env', function () {
  this.timeout(180_000);
  const env = withEnv();
  let dir: string;
  let topic: string;
  const workers: RuntimeProcess[] = [];

  before(async () => {
    dir = await tempDir('limits');
    topic = randomName('limits');
    await createTopic(testKafka(env().kafka.bootstrapServers), topic);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
  });

  const sink = (extra: Record<string, string> = {}) => ({
    'connector.class': 'FileStreamSink',
    topics: topic,
    file: path.join(dir, `${randomName('out')}.txt`),
    ...extra,
  });
  const huge = () => sink({ 'tasks.max': '1000000000' });

  /** Every bad request answers 400 with Kafka Connect's error body, and stores nothing. */
  async function refusesBadConfigs(w: RuntimeProcess, write: typeof restWrite): Promise<void> {
    const before = (await w.rest('GET', '/connectors')).body as string[];
    const bad: Array<[string, Record<string, string>]> = [
      ['tasks.max beyond the ceiling', huge()],
      ['an unknown converter', sink({ 'value.converter': 'com.example.NoSuchConverter' })],
      [
        'an invalid RegexRouter regex',
        sink({
          transforms: 'r',
          'transforms.r.type': 'org.apache.kafka.connect.transforms.RegexRouter',
          'transforms.r.regex': '(unclosed',
          'transforms.r.replacement': 'x',
        }),
      ],
      ['an invalid topics.regex', { ...sink(), topics: '', 'topics.regex': 'a(' }],
      ['a file outside the allowed paths', sink({ file: '/etc/passwd' })],
    ];
    for (const [what, config] of bad) {
      const res = await write(w, 'POST', '/connectors', { name: randomName('bad'), config });
      expect(res.status, what).to.equal(400);
      expect(res.body.error_code, what).to.equal(400);
      expect(res.body.message, what).to.match(/Connector configuration is invalid/);
    }
    for (const name of ['a/b', '..', 'line\nbreak', 'x'.repeat(10_000)]) {
      const res = await write(w, 'POST', '/connectors', { name, config: sink() });
      expect(res.status, JSON.stringify(name.slice(0, 20))).to.equal(400);
      expect(res.body).to.have.keys('error_code', 'message');
    }
    // Also through PUT .../config (the name in the URL).
    const put = await write(w, 'PUT', `/connectors/${encodeURIComponent('a..b')}/config`, sink());
    expect(put.status).to.equal(400);
    expect((await w.rest('GET', '/connectors')).body).to.have.members(before);
  }

  it('standalone: refuses bad configs; a stored tasks.max=1000000000 fails only its connector', async () => {
    const wdir = path.join(dir, 'standalone');
    const hugeName = randomName('huge');
    // A connectors file written before the limit existed (or by hand).
    await mkdir(path.join(wdir, 'data'), { recursive: true });
    await writeFile(
      path.join(wdir, 'data', 'connectors.json'),
      JSON.stringify({
        version: 1,
        connectors: {
          [hugeName]: { config: { ...huge(), name: hugeName }, targetState: 'STARTED', taskConfigs: [] },
          broken: {
            config: { name: 'broken', 'connector.class': 'com.example.Gone' },
            targetState: 'STARTED',
            taskConfigs: [],
          },
        },
      }),
    );
    const w = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: standaloneProps(env().kafka.bootstrapServers, wdir, 500),
    });
    workers.push(w);
    await w.start();
    const status = (await w.rest('GET', `/connectors/${hugeName}/status`)).body;
    expect(status.connector.state).to.equal('FAILED');
    expect(status.connector.trace).to.include('sluice.tasks.max.limit');
    expect(status.tasks).to.deep.equal([]);
    expect((await w.rest('GET', '/connectors/broken/status')).body.connector.state).to.equal('FAILED');
    await refusesBadConfigs(w, (x, m, p, b) => x.rest(m, p, b));
    // The worker still runs good connectors.
    const good = randomName('good');
    expect((await w.rest('PUT', `/connectors/${good}/config`, sink())).status).to.equal(201);
    await eventually('the good sink to run', async () => {
      const s = (await w.rest('GET', `/connectors/${good}/status`)).body;
      return s?.tasks?.[0]?.state === 'RUNNING';
    });
    expect(w.exitCode).to.equal(undefined);
  });

  it('distributed: a config-topic record with tasks.max=1000000000 fails only its connector', async () => {
    const group = randomName('limits');
    const hugeName = randomName('huge');
    // The record Apache's and Sluice's workers read, written before any worker of the group starts.
    await seedConfigTopic(testKafka(env().kafka.bootstrapServers), group, [
      { key: `connector-${hugeName}`, value: JSON.stringify({ properties: { ...huge(), name: hugeName } }) },
    ]);
    const port = await freePort();
    const w = new RuntimeProcess({
      mode: 'distributed',
      dir,
      port,
      workerProps: distributedProps(env().kafka.bootstrapServers, group, port),
    });
    workers.push(w);
    await w.start();
    const status = await eventually('the huge connector to fail', async () => {
      const s = (await w.rest('GET', `/connectors/${hugeName}/status`)).body;
      return s?.connector?.state === 'FAILED' ? s : undefined;
    });
    expect(status.connector.trace).to.include('sluice.tasks.max.limit');
    await refusesBadConfigs(w, restWrite);
    const good = randomName('good');
    expect((await restWrite(w, 'PUT', `/connectors/${good}/config`, sink())).status).to.equal(201);
    await eventually('the good sink to run', async () => {
      const s = (await w.rest('GET', `/connectors/${good}/status`)).body;
      return s?.tasks?.[0]?.state === 'RUNNING';
    });
    expect(w.exitCode).to.equal(undefined);
  });

  it('override policy None: overrides refused at create, and a stored one never reaches the other broker', async () => {
    // A "broker" that counts who connects: the worker must never send it anything.
    let connections = 0;
    const evil: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilAddress = `127.0.0.1:${(evil.address() as { port: number }).port}`;
    try {
      const wdir = path.join(dir, 'policy');
      const stored = randomName('stored');
      const source = (name: string) => ({
        name,
        'connector.class': 'DataGen',
        topic: randomName('policy'),
        'producer.override.bootstrap.servers': evilAddress,
        'producer.override.security.protocol': 'SASL_PLAINTEXT',
        'producer.override.sasl.mechanism': 'PLAIN',
        'producer.override.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
      });
      await mkdir(path.join(wdir, 'data'), { recursive: true });
      await writeFile(
        path.join(wdir, 'data', 'connectors.json'),
        JSON.stringify({
          version: 1,
          connectors: {
            [stored]: { config: source(stored), targetState: 'STARTED', taskConfigs: [{ topic: 'x' }] },
          },
        }),
      );
      const w = new RuntimeProcess({
        mode: 'standalone',
        dir,
        port: await freePort(),
        workerProps: {
          ...standaloneProps(env().kafka.bootstrapServers, wdir, 500),
          'connector.client.config.override.policy': 'None',
        },
      });
      workers.push(w);
      await w.start();
      const name = randomName('override');
      const res = await w.rest('POST', '/connectors', { name, config: source(name) });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.include(
        "The 'None' policy does not allow 'bootstrap.servers' to be overridden in the connector configuration.",
      );
      expect(res.body.message).not.to.include('password="p"');
      expect((await w.rest('GET', '/connectors')).body).not.to.include(name);
      const status = await eventually('the stored connector’s task to fail', async () => {
        const s = (await w.rest('GET', `/connectors/${stored}/status`)).body;
        return s?.tasks?.[0]?.state === 'FAILED' ? s : undefined;
      });
      expect(status.tasks[0].trace).to.include('Client Config Overrides not allowed');
      expect(connections).to.equal(0);
    } finally {
      evil.close();
    }
  });

  it('override policy None, distributed: a config-topic record with overrides fails its task and reaches nobody', async () => {
    let connections = 0;
    const evil: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilAddress = `127.0.0.1:${(evil.address() as { port: number }).port}`;
    try {
      const group = randomName('policy');
      const stored = randomName('stored');
      const config = (name: string) => ({
        name,
        'connector.class': 'DataGen',
        topic: randomName('policy'),
        'producer.override.bootstrap.servers': evilAddress,
      });
      await seedConfigTopic(testKafka(env().kafka.bootstrapServers), group, [
        { key: `connector-${stored}`, value: JSON.stringify({ properties: config(stored) }) },
      ]);
      const port = await freePort();
      const w = new RuntimeProcess({
        mode: 'distributed',
        dir,
        port,
        workerProps: {
          ...distributedProps(env().kafka.bootstrapServers, group, port),
          'connector.client.config.override.policy': 'None',
        },
      });
      workers.push(w);
      await w.start();
      const status = await eventually('the stored connector’s task to fail', async () => {
        const s = (await w.rest('GET', `/connectors/${stored}/status`)).body;
        return s?.tasks?.[0]?.state === 'FAILED' ? s : undefined;
      });
      expect(status.tasks[0].trace).to.include('Client Config Overrides not allowed');
      const name = randomName('override');
      const res = await restWrite(w, 'POST', '/connectors', { name, config: config(name) });
      expect(res.status).to.equal(400);
      expect(res.body.message).to.include("The 'None' policy does not allow 'bootstrap.servers' to be overridden");
      expect(connections).to.equal(0);
    } finally {
      evil.close();
    }
  });
});

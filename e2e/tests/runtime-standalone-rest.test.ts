// Kafka Connect's REST API on a real standalone worker and broker: shapes,
// status codes, lifecycle, offsets, persistence across restarts, bad input.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { randomName } from '../src/names.js';
import { eventually } from '../src/eventually.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir } from '../src/runtime-process.js';

describe('standalone runtime: REST API @env', function () {
  this.timeout(120_000);
  const env = withEnv();
  let worker: RuntimeProcess;
  let dir: string;
  let port: number;

  const props = () => standaloneProps(env().kafka.bootstrapServers, dir, 500);
  const sourceConfig = (file: string, topic: string) => ({
    'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    file,
    topic,
  });
  const state = async (name: string) => (await worker.rest('GET', `/connectors/${name}/status`)).body;
  const waitState = (name: string, connector: string, task?: string) =>
    eventually(`${name} to be ${connector}/${task ?? '-'}`, async () => {
      const s = await state(name);
      return s?.connector?.state === connector && (task === undefined || s.tasks?.[0]?.state === task) ? s : undefined;
    });

  before(async () => {
    dir = await tempDir('sa-rest');
    port = await freePort();
    worker = await new RuntimeProcess({ mode: 'standalone', dir, port, workerProps: props() }).start();
  });
  after(async () => worker?.kill());

  it('answers GET / with version and the Kafka cluster id, and /health healthy', async () => {
    const root = await worker.rest('GET', '/');
    expect(root.status).to.equal(200);
    expect(root.body).to.have.keys('version', 'commit', 'kafka_cluster_id');
    expect(root.body.kafka_cluster_id).to.be.a('string').with.length.greaterThan(0);
    const health = await worker.rest('GET', '/health');
    expect(health).to.deep.include({ status: 200 });
    expect(health.body.status).to.equal('healthy');
  });

  it('creates a connector with POST (201, Location), rejects a duplicate with 409', async () => {
    const file = path.join(dir, 'a.txt');
    await writeFile(file, 'one\ntwo\n');
    const created = await worker.rest('POST', '/connectors', {
      name: 'a',
      config: sourceConfig(file, randomName('a')),
    });
    expect(created.status).to.equal(201);
    expect(created.body).to.deep.include({ name: 'a', type: 'source' });
    expect(created.body.config).to.include({ name: 'a', file });
    const again = await worker.rest('POST', '/connectors', { name: 'a', config: sourceConfig(file, 'x') });
    expect(again.status).to.equal(409);
    expect(again.body).to.deep.equal({ error_code: 409, message: 'Connector a already exists' });
    const s = await waitState('a', 'RUNNING', 'RUNNING');
    expect(s.tasks[0].worker_id).to.equal(s.connector.worker_id);
    expect((await worker.rest('GET', '/connectors/a/tasks')).body).to.deep.equal([
      { id: { connector: 'a', task: 0 }, config: (await worker.rest('GET', '/connectors/a/tasks')).body[0].config },
    ]);
  });

  it("rejects an invalid config with 400 and Kafka Connect's validation message", async () => {
    const res = await worker.rest('POST', '/connectors', {
      name: 'bad',
      config: { 'connector.class': 'FileStreamSource' },
    });
    expect(res.status).to.equal(400);
    expect(res.body.error_code).to.equal(400);
    expect(res.body.message).to.match(/^Connector configuration is invalid and contains the following 1 error\(s\):/);
    expect(res.body.message).to.include('topic');
    const validate = await worker.rest('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      'connector.class': 'FileStreamSource',
      'tasks.max': 'zero',
    });
    expect(validate.status).to.equal(200);
    const withErrors = validate.body.configs
      .filter((c: any) => c.value.errors.length > 0)
      .map((c: any) => c.value.name);
    expect(withErrors).to.have.members(['name', 'tasks.max', 'topic']);
    expect(validate.body.error_count).to.equal(3);
    const tasksMax = validate.body.configs.find((c: any) => c.value.name === 'tasks.max');
    expect(tasksMax.value.errors[0]).to.include('not a number');
    const unknownClass = await worker.rest('POST', '/connectors', {
      name: 'nope',
      config: { 'connector.class': 'com.example.Missing' },
    });
    expect(unknownClass.status).to.equal(400);
    expect((await worker.rest('GET', '/connectors')).body).to.not.include('bad');
  });

  it('returns 404 with an error body for unknown connectors and paths', async () => {
    for (const p of ['/connectors/ghost', '/connectors/ghost/status', '/connectors/ghost/config', '/nope']) {
      const res = await worker.rest('GET', p);
      expect(res.status, p).to.equal(404);
      expect(res.body.error_code, p).to.equal(404);
    }
  });

  it('rejects malformed and hostile bodies with 4xx and keeps serving', async () => {
    expect((await worker.rest('POST', '/connectors', '{"name":')).status).to.equal(400);
    expect((await worker.rest('POST', '/connectors', { name: 'x', config: { nested: { a: 1 } } })).status).to.equal(
      400,
    );
    expect(
      (await worker.rest('POST', '/connectors', { name: 'x', config: {}, initial_state: 'SLEEPING' })).status,
    ).to.equal(400);
    expect(
      (await worker.rest('PUT', '/connectors/a/config', { name: 'other', 'connector.class': 'FileStreamSource' }))
        .status,
    ).to.equal(400);
    const huge = await fetch(`${worker.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(5 * 1024 * 1024),
    }).catch(() => undefined);
    if (huge) expect(huge.status).to.equal(413);
    expect((await worker.rest('GET', '/health')).status).to.equal(200);
  });

  it('creates paused with initial_state, then resumes, pauses, stops and resumes', async () => {
    const file = path.join(dir, 'b.txt');
    await writeFile(file, 'x\n');
    const created = await worker.rest('POST', '/connectors', {
      name: 'b',
      config: sourceConfig(file, randomName('b')),
      initial_state: 'PAUSED',
    });
    expect(created.status).to.equal(201);
    await waitState('b', 'PAUSED');
    expect((await worker.rest('PUT', '/connectors/b/resume')).status).to.equal(202);
    await waitState('b', 'RUNNING', 'RUNNING');
    expect((await worker.rest('PUT', '/connectors/b/pause')).status).to.equal(202);
    await waitState('b', 'PAUSED', 'PAUSED');
    expect((await worker.rest('PUT', '/connectors/b/stop')).status).to.equal(204);
    const stopped = await waitState('b', 'STOPPED');
    expect(stopped.tasks).to.deep.equal([]);
    expect((await worker.rest('GET', '/connectors/b')).body.tasks).to.deep.equal([]);
    expect((await worker.rest('PUT', '/connectors/b/resume')).status).to.equal(202);
    await waitState('b', 'RUNNING', 'RUNNING');
  });

  it('updates config with PUT (200) and PATCH, restarting the connector', async () => {
    const cfg = (await worker.rest('GET', '/connectors/a/config')).body;
    const put = await worker.rest('PUT', '/connectors/a/config', { ...cfg, 'batch.size': '10' });
    expect(put.status).to.equal(200);
    expect(put.body.config['batch.size']).to.equal('10');
    const patch = await worker.rest('PATCH', '/connectors/a/config', { 'batch.size': null, 'tasks.max': '1' });
    expect(patch.status).to.equal(200);
    expect(patch.body.config).to.not.have.property('batch.size');
    const created = await worker.rest(
      'PUT',
      '/connectors/c/config',
      sourceConfig(path.join(dir, 'c.txt'), randomName('c')),
    );
    expect(created.status).to.equal(201);
    await waitState('a', 'RUNNING', 'RUNNING');
  });

  it('lists connectors with expand=status and expand=info', async () => {
    const res = await worker.rest('GET', '/connectors?expand=status&expand=info');
    expect(res.status).to.equal(200);
    expect(res.body.a).to.have.keys('status', 'info');
    expect(res.body.a.info.name).to.equal('a');
    expect(res.body.a.status.connector.state).to.be.oneOf(['RUNNING', 'UNASSIGNED']);
  });

  it('restarts a connector (204) and with includeTasks (202 with RESTARTING)', async () => {
    expect((await worker.rest('POST', '/connectors/a/restart')).status).to.equal(204);
    const res = await worker.rest('POST', '/connectors/a/restart?includeTasks=true');
    expect(res.status).to.equal(202);
    expect(res.body.connector.state).to.equal('RESTARTING');
    expect(res.body.tasks[0].state).to.equal('RESTARTING');
    expect((await worker.rest('POST', '/connectors/a/tasks/0/restart')).status).to.equal(204);
    expect((await worker.rest('POST', '/connectors/a/tasks/7/restart')).status).to.equal(404);
    await waitState('a', 'RUNNING', 'RUNNING');
  });

  it('reads offsets, and alters or resets them only while stopped', async () => {
    const file = (await worker.rest('GET', '/connectors/a/config')).body.file;
    const offsets = await eventually('committed offsets for a', async () => {
      const res = await worker.rest('GET', '/connectors/a/offsets');
      return res.body.offsets.length === 1 ? res.body : undefined;
    });
    expect(offsets.offsets[0]).to.deep.equal({ partition: { filename: file }, offset: { position: 8 } });
    const patch = { offsets: [{ partition: { filename: file }, offset: { position: 4 } }] };
    const running = await worker.rest('PATCH', '/connectors/a/offsets', patch);
    expect(running.status).to.equal(400);
    expect(running.body.message).to.include('STOPPED');
    await worker.rest('PUT', '/connectors/a/stop');
    await waitState('a', 'STOPPED');
    const bad = await worker.rest('PATCH', '/connectors/a/offsets', {
      offsets: [{ partition: { filename: file }, offset: { position: -1 } }],
    });
    expect(bad.status).to.equal(400);
    const altered = await worker.rest('PATCH', '/connectors/a/offsets', patch);
    expect(altered).to.deep.equal({
      status: 200,
      body: { message: 'The offsets for this connector have been altered successfully' },
    });
    expect((await worker.rest('GET', '/connectors/a/offsets')).body.offsets[0].offset).to.deep.equal({ position: 4 });
    const reset = await worker.rest('DELETE', '/connectors/a/offsets');
    expect(reset.body.message).to.equal('The offsets for this connector have been reset successfully');
    expect((await worker.rest('GET', '/connectors/a/offsets')).body.offsets).to.deep.equal([]);
  });

  it('lists plugins and their config definitions', async () => {
    const connectors = (await worker.rest('GET', '/connector-plugins')).body;
    expect(connectors.map((p: any) => p.class)).to.include.members([
      'org.apache.kafka.connect.file.FileStreamSourceConnector',
      'org.apache.kafka.connect.file.FileStreamSinkConnector',
    ]);
    expect(connectors.every((p: any) => p.type === 'source' || p.type === 'sink')).to.equal(true);
    const all = (await worker.rest('GET', '/connector-plugins?connectorsOnly=false')).body;
    expect(all.map((p: any) => p.type)).to.include.members(['transformation', 'predicate', 'converter']);
    const defs = (await worker.rest('GET', '/connector-plugins/FileStreamSource/config')).body;
    expect(defs.map((d: any) => d.name)).to.include('topic');
  });

  it('changes log levels at run time through /admin/loggers', async () => {
    const set = await worker.rest('PUT', '/admin/loggers/sluice.worker?scope=worker', { level: 'DEBUG' });
    expect(set.status).to.equal(200);
    expect(set.body).to.include('sluice.worker');
    expect((await worker.rest('GET', '/admin/loggers/sluice.worker')).body.level).to.equal('DEBUG');
    expect((await worker.rest('GET', '/admin/loggers/no.such.logger')).status).to.equal(404);
  });

  it('tracks the topics a connector used', async () => {
    const topic = (await worker.rest('GET', '/connectors/b/config')).body.topic;
    const res = await eventually('b to report its topic', async () => {
      const r = await worker.rest('GET', '/connectors/b/topics');
      return r.body.b.topics.length ? r : undefined;
    });
    expect(res.body).to.deep.equal({ b: { topics: [topic] } });
  });

  it('keeps REST-created connectors and their target states across a restart', async () => {
    await worker.stop();
    worker = await new RuntimeProcess({ mode: 'standalone', dir, port, workerProps: props() }).start();
    const names = (await worker.rest('GET', '/connectors')).body;
    expect(names).to.include.members(['a', 'b', 'c']);
    await waitState('a', 'STOPPED');
    await waitState('b', 'RUNNING', 'RUNNING');
  });

  it('deletes a connector (204) and then it is gone', async () => {
    expect((await worker.rest('DELETE', '/connectors/c')).status).to.equal(204);
    expect((await worker.rest('GET', '/connectors/c')).status).to.equal(404);
    expect((await worker.rest('DELETE', '/connectors/c')).status).to.equal(404);
  });
});

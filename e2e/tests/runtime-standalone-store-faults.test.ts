// A standalone worker whose directory turns read-only for a while (issue 11):
// writes that fail leave memory and disk as they were, REST answers 503 with
// the reason, offsets are committed again once the directory is writable,
// and a create that returned an error never shows up, before or after a
// restart.
import { expect } from 'chai';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { randomName } from '../src/names.js';
import { makeReadOnly, makeWritable } from '../src/read-only-dir.js';
import { RuntimeProcess, freePort, standaloneProps, tempDir } from '../src/runtime-process.js';

describe('standalone runtime: a read-only data directory @env', function () {
  this.timeout(240_000);
  const env = withEnv();
  let dir: string;
  let data: string;
  let readOnly = false;
  let worker: RuntimeProcess | undefined;

  before(async () => {
    dir = await tempDir('sa-store');
    data = path.join(dir, 'data');
    await mkdir(data, { recursive: true });
  });
  afterEach(async () => {
    if (readOnly) await makeWritable(data).catch(() => undefined);
    await worker?.kill();
  });

  const startWorker = async () => {
    worker = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: standaloneProps(env().kafka.bootstrapServers, dir, 300),
    });
    return worker.start();
  };
  const source = (file: string, topic: string) => ({ 'connector.class': 'FileStreamSource', file, topic });
  const storedOffset = async (): Promise<number | undefined> => {
    const text = await readFile(path.join(data, 'offsets.json'), 'utf8').catch(() => '');
    if (!text) return undefined;
    const values = Object.values((JSON.parse(text) as { offsets: Record<string, string> }).offsets);
    return values.length ? (JSON.parse(values[0]!) as { position: number }).position : undefined;
  };

  it('answers 503 with the reason, lists no phantom, and commits again once writable', async () => {
    const w = await startWorker();
    const input = path.join(dir, 'in.txt');
    await appendFile(input, 'one\ntwo\n');
    const a = randomName('ro-a');
    const topic = randomName('ro');
    expect((await w.rest('PUT', `/connectors/${a}/config`, source(input, topic))).status).to.equal(201);
    const before = await eventually('the first offsets on disk', async () => ((await storedOffset()) ?? 0) > 0);
    expect(before).to.equal(true);
    const committed = (await storedOffset())!;

    await makeReadOnly(data);
    readOnly = true;
    const phantom = randomName('ro-phantom');
    const created = await w.rest('PUT', `/connectors/${phantom}/config`, source(input, topic));
    expect(created.status).to.equal(503);
    expect(created.body.message).to.match(/read-only file system|permission denied/i);
    expect(created.body.message).to.include('connectors.json');
    const replaced = await w.rest('PUT', `/connectors/${a}/config`, { ...source(input, topic), 'batch.size': '10' });
    expect(replaced.status).to.equal(503);
    expect((await w.rest('PUT', `/connectors/${a}/stop`)).status).to.equal(503);
    expect((await w.rest('DELETE', `/connectors/${a}`)).status).to.equal(503);
    expect((await w.rest('GET', '/connectors')).body).to.deep.equal([a]);
    expect((await w.rest('GET', `/connectors/${phantom}`)).status).to.equal(404);
    // The connector kept its config and keeps running; its new offsets cannot be stored yet.
    expect((await w.rest('GET', `/connectors/${a}/config`)).body['batch.size']).to.equal(undefined);
    await appendFile(input, 'three\nfour\n');
    await eventually('the worker to read the new lines', async () => {
      const log = await readFile(w.logFile, 'utf8');
      return /Failed to commit source offsets/.test(log);
    });
    const status = (await w.rest('GET', `/connectors/${a}/status`)).body;
    expect(status.connector.state).to.equal('RUNNING');
    expect(status.tasks[0].state).to.equal('RUNNING');
    expect(await storedOffset()).to.equal(committed);

    await makeWritable(data);
    readOnly = false;
    const all = (await readFile(input, 'utf8')).length;
    await eventually('the retried offset commit', async () => (await storedOffset()) === all);
    expect((await w.rest('PUT', `/connectors/${phantom}/config`, source(input, topic))).status).to.equal(201);
    expect((await w.rest('GET', '/connectors')).body.sort()).to.deep.equal([a, phantom].sort());

    // After a restart: what the worker listed, and nothing else.
    await w.kill();
    const again = await startWorker();
    expect((await again.rest('GET', '/connectors')).body.sort()).to.deep.equal([a, phantom].sort());
  });

  it('a create refused while read-only is not there after a restart', async () => {
    const w = await startWorker();
    const before = (await w.rest('GET', '/connectors')).body as string[];
    await makeReadOnly(data);
    readOnly = true;
    const name = randomName('ro-gone');
    const res = await w.rest('POST', '/connectors', {
      name,
      config: source(path.join(dir, 'in.txt'), randomName('ro')),
    });
    expect(res.status).to.equal(503);
    await w.kill();
    await makeWritable(data);
    readOnly = false;
    const again = await startWorker();
    const after = (await again.rest('GET', '/connectors')).body as string[];
    expect(after.sort()).to.deep.equal(before.sort());
    expect(after).to.not.include(name);
  });
});

// Secrets stay sealed, against the real worker and broker, in both modes:
// `${dir:...}`/`${env:...}` placeholders are stored and returned as written
// (REST, the standalone connectors file, the config topic), resolved only in
// a starting connector or task, and a resolved value that ends up in a
// failing task's trace is masked in the status (REST, status topic) and the
// worker's log. The providers read nothing outside their allow-lists.
import { expect } from 'chai';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withEnv } from '../src/env.js';
import { eventually } from '../src/eventually.js';
import { createTopic, produce, readTopic, testKafka } from '../src/kafka.js';
import { randomName } from '../src/names.js';
import {
  RuntimeProcess,
  distributedProps,
  freePort,
  restWrite,
  standaloneProps,
  tempDir,
} from '../src/runtime-process.js';

const P = 'org.apache.kafka.common.config.provider.';

describe('runtime: secrets stay sealed @env', function () {
  this.timeout(180_000);
  const env = withEnv();
  let dir: string;
  let secrets: string;
  let topic: string;
  // Values that must never show up anywhere but in the files that hold them.
  const secret = `pw-${randomName('s')}`;
  const pathSecret = `ps-${randomName('p')}`;
  const envSecret = `ev-${randomName('e')}`;
  const outsideSecret = `os-${randomName('o')}`;
  const envName = `SLUICE_E2E_TOKEN_${randomName('t').replace(/-/g, '_').toUpperCase()}`;
  const forbiddenEnv = `SLUICE_FORBIDDEN_${randomName('f').replace(/-/g, '_').toUpperCase()}`;
  const workers: RuntimeProcess[] = [];

  const providerProps = () => ({
    'config.providers': 'dir,env',
    'config.providers.dir.class': `${P}DirectoryConfigProvider`,
    'config.providers.dir.param.allowed.paths': secrets,
    'config.providers.env.class': `${P}EnvVarConfigProvider`,
    'config.providers.env.param.allowlist.pattern': '^SLUICE_E2E_',
  });

  before(async () => {
    dir = await tempDir('secrets');
    secrets = path.join(dir, 'secrets');
    await mkdir(secrets);
    await mkdir(path.join(dir, 'outside'));
    await mkdir(path.join(dir, `out-${pathSecret}`));
    await writeFile(path.join(secrets, 'password'), secret);
    // The sink's file: a path whose directory name is a secret (it shows in any I/O error).
    await writeFile(path.join(secrets, 'goodpath'), path.join(dir, `out-${pathSecret}`, 'out.txt'));
    await writeFile(path.join(secrets, 'badpath'), path.join(dir, `missing-${pathSecret}`, 'out.txt'));
    await writeFile(path.join(dir, 'outside', 'password'), outsideSecret);
    // Passed on to the worker processes, which inherit this process's environment.
    process.env[envName] = envSecret;
    process.env[forbiddenEnv] = outsideSecret;
    topic = randomName('secrets-in');
    const kafka = testKafka(env().kafka.bootstrapServers);
    await createTopic(kafka, topic);
    await produce(kafka, topic, [{ value: 'one' }, { value: 'two' }]);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    delete process.env[envName];
    delete process.env[forbiddenEnv];
  });

  const sink = (file: string) => ({
    'connector.class': 'FileStreamSink',
    topics: topic,
    file,
    'tasks.max': '1',
    'db.password': `\${dir:${secrets}:password}`,
    'api.token': `\${env:${envName}}`,
    'stolen.file': `\${dir:${path.join(dir, 'outside')}:password}`,
    'stolen.env': `\${env:${forbiddenEnv}}`,
  });
  const good = () => sink(`\${dir:${secrets}:goodpath}`);
  const bad = () => sink(`\${dir:${secrets}:badpath}`);

  /** Every REST response about the connector, as text. */
  async function restViews(w: RuntimeProcess, name: string): Promise<string> {
    const paths = ['', '/config', '/status', '/tasks', '/tasks-config', '/tasks/0/status', '/offsets'];
    const out: string[] = [JSON.stringify((await w.rest('GET', '/connectors?expand=info&expand=status')).body)];
    for (const p of paths) out.push(JSON.stringify((await w.rest('GET', `/connectors/${name}${p}`)).body));
    return out.join('\n');
  }

  const leaks = (text: string) =>
    [secret, pathSecret, envSecret, outsideSecret].filter((s) => text.includes(s)).map((s) => s.slice(0, 2));

  async function checkSealed(w: RuntimeProcess, goodName: string, badName: string): Promise<string> {
    // The good sink resolved its path: the records arrive in the file named by the secret.
    const outFile = path.join(dir, `out-${pathSecret}`, 'out.txt');
    await eventually('records in the sink file at the resolved path', async () => {
      const text = await readFile(outFile, 'utf8').catch(() => '');
      return text.includes('one') && text.includes('two');
    });
    // The bad sink's task failed on its resolved path, and its trace says so without the path.
    const trace = await eventually('the bad sink task to fail', async () => {
      const s = (await w.rest('GET', `/connectors/${badName}/status`)).body;
      return s?.tasks?.[0]?.state === 'FAILED' ? String(s.tasks[0].trace) : undefined;
    });
    expect(trace).to.include('[hidden]');
    const views = (await restViews(w, goodName)) + (await restViews(w, badName));
    expect(leaks(views), 'secrets in REST responses').to.deep.equal([]);
    // Task configs keep the placeholders as written.
    const tasks = (await w.rest('GET', `/connectors/${goodName}/tasks`)).body;
    expect(tasks[0].config.file).to.equal(good().file);
    await eventually('the log to mention the failure', async () =>
      (await readFile(w.logFile, 'utf8')).includes(badName),
    );
    expect(leaks(await readFile(w.logFile, 'utf8')), 'secrets in the worker log').to.deep.equal([]);
    return views;
  }

  it('standalone: the connectors file, REST, status and log hold placeholders, never values', async () => {
    const wdir = path.join(dir, 'standalone');
    const w = new RuntimeProcess({
      mode: 'standalone',
      dir,
      port: await freePort(),
      workerProps: { ...standaloneProps(env().kafka.bootstrapServers, wdir, 500), ...providerProps() },
    });
    workers.push(w);
    await w.start();
    const goodName = randomName('good');
    const badName = randomName('bad');
    expect((await w.rest('PUT', `/connectors/${goodName}/config`, good())).status).to.equal(201);
    expect((await w.rest('PUT', `/connectors/${badName}/config`, bad())).status).to.equal(201);
    await checkSealed(w, goodName, badName);
    const files = await readdir(path.join(wdir, 'data'));
    expect(files).to.include('connectors.json');
    const stored = await readFile(path.join(wdir, 'data', 'connectors.json'), 'utf8');
    expect(stored).to.include(`\${dir:${secrets}:goodpath}`);
    expect(leaks(stored), 'secrets in connectors.json').to.deep.equal([]);
    // After a restart the stored configs start again and still hold no value.
    await w.stop();
    await w.start();
    await eventually('the good sink to run again', async () => {
      const s = (await w.rest('GET', `/connectors/${goodName}/status`)).body;
      return s?.tasks?.[0]?.state === 'RUNNING';
    });
    expect(leaks(await readFile(path.join(wdir, 'data', 'connectors.json'), 'utf8'))).to.deep.equal([]);
  });

  it('distributed: the config and status topics, REST and log hold placeholders, never values', async () => {
    const group = randomName('secrets');
    const port = await freePort();
    const w = new RuntimeProcess({
      mode: 'distributed',
      dir,
      port,
      workerProps: { ...distributedProps(env().kafka.bootstrapServers, group, port), ...providerProps() },
    });
    workers.push(w);
    await w.start();
    const goodName = randomName('good');
    const badName = randomName('bad');
    expect((await restWrite(w, 'PUT', `/connectors/${goodName}/config`, good())).status).to.equal(201);
    expect((await restWrite(w, 'PUT', `/connectors/${badName}/config`, bad())).status).to.equal(201);
    await checkSealed(w, goodName, badName);
    const kafka = testKafka(env().kafka.bootstrapServers);
    const configs = await readTopic(kafka, `${group}-configs`, 1_000_000, 5_000);
    const statuses = await readTopic(kafka, `${group}-status`, 1_000_000, 5_000);
    const configText = configs.map((r) => r.value ?? '').join('\n');
    expect(configText).to.include(`\${dir:${secrets}:goodpath}`);
    expect(configs.some((r) => r.key?.startsWith(`task-${goodName}-`))).to.equal(true); // task configs are there
    expect(leaks(configText), 'secrets in the config topic').to.deep.equal([]);
    const statusText = statuses.map((r) => r.value ?? '').join('\n');
    expect(statusText).to.include('[hidden]');
    expect(leaks(statusText), 'secrets in the status topic').to.deep.equal([]);
  });
});

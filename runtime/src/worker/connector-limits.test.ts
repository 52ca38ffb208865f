import { expect } from 'chai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { builtinPlugins } from '../app/plugins.js';
import { AllowedPaths } from '../config/allowed-paths.js';
import { ConfigProviders } from '../config/config-providers.js';
import { validateConnectorConfig } from '../herder/validation.js';
import { ConfigDef, type SinkConnector } from '../sdk/index.js';
import { MemoryOffsetStore } from '../storage/offset-store.js';
import type { Status } from '../storage/status-store.js';
import { LogRegistry } from '../util/logging.js';
import { connectorNameError, type ConnectorLimits } from './connector-limits.js';
import { parseOverridePolicy, type OverridePolicy } from '../config/client-override-policy.js';
import { Worker } from './worker.js';

/** A worker with in-memory offsets, no log output, and its status reports collected in `statuses`. */
function testWorker(
  workerProps: Record<string, string>,
  plugins: ReturnType<typeof builtinPlugins>,
  workerLimits: ConstructorParameters<typeof Worker>[0]['limits'],
  statuses: Array<{ name: string; status: Status }>,
): Worker {
  return new Worker({
    workerId: 'w1',
    workerProps,
    plugins,
    offsets: new MemoryOffsetStore(),
    status: {
      connector: (name, status) => statuses.push({ name, status }),
      task: (c, t, status) => statuses.push({ name: `${c}-${t}`, status }),
    },
    logs: new LogRegistry('OFF', new Writable({ write: (_c, _e, done) => done() })),
    providers: new ConfigProviders(workerProps),
    offsetFlushIntervalMs: 1000,
    gracefulShutdownMs: 1000,
    limits: workerLimits,
  });
}

const limits = (dir: string, tasksMaxLimit = 8, overridePolicy: OverridePolicy = 'All'): ConnectorLimits => ({
  tasksMaxLimit,
  fileAllowedPaths: AllowedPaths.parse('sluice.file.allowed.paths', [dir]),
  overridePolicy,
});

const errorsOf = (infos: ReturnType<typeof validateConnectorConfig>) =>
  infos.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`));

describe('connector limits', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'limits-'));
  });

  it('refuses names with /, .., control characters or over 253 characters, as Kafka Connect would', () => {
    for (const bad of ['a/b', '..', 'a..b', 'line\nbreak', 'tab\there', '\u0000', 'x'.repeat(10_000), '  '])
      expect(connectorNameError(bad), JSON.stringify(bad.slice(0, 20))).to.be.a('string');
    expect(connectorNameError('a\nb')).to.include('following ASCII chars: 10');
    for (const ok of ['orders-sink', 'a.b_c', 'x'.repeat(253), 'ümlaut name'])
      expect(connectorNameError(ok)).to.equal(undefined);
  });

  describe('validation at create/update', () => {
    const sink = (extra: Record<string, string> = {}) => ({
      name: 'c',
      'connector.class': 'FileStreamSink',
      topics: 't',
      file: path.join(dir, 'out.txt'),
      ...extra,
    });
    const validate = (config: Record<string, string>) =>
      errorsOf(validateConnectorConfig(config, builtinPlugins(), limits(dir)));

    it('accepts a config within every limit', () => {
      expect(validate(sink())).to.deep.equal([]);
    });

    it('refuses tasks.max above the worker ceiling (tasks.max=1000000000 never reaches the connector)', () => {
      expect(validate(sink({ 'tasks.max': '1000000000' }))).to.deep.equal([
        "tasks.max: Invalid value 1000000000 for configuration tasks.max: Value must be at most 8 (the worker's sluice.tasks.max.limit)",
      ]);
    });

    it('refuses file paths outside sluice.file.allowed.paths, relative ones and .. escapes', () => {
      for (const file of ['/etc/passwd', 'relative.txt', path.join(dir, '..', 'escape.txt')])
        expect(validate(sink({ file })).join()).to.include('sluice.file.allowed.paths');
      expect(
        validate({ ...sink(), 'connector.class': 'FileStreamSource', topic: 't', file: '/etc/passwd' }),
      ).to.have.length(1);
    });

    it('refuses converter classes that are not loadable converters', () => {
      expect(validate(sink({ 'value.converter': 'com.example.NoSuchConverter' }))).to.deep.equal([
        'value.converter: Invalid value com.example.NoSuchConverter for configuration value.converter: Class com.example.NoSuchConverter could not be found.',
      ]);
      expect(validate(sink({ 'key.converter': 'FileStreamSink' }))).to.have.length(1); // a connector is no converter
      expect(validate(sink({ 'header.converter': 'com.example.NoHeaderConverter' }))).to.have.length(1);
    });

    it('refuses invalid regexes: RegexRouter, TopicNameMatches and topics.regex', () => {
      const router = validate(
        sink({
          transforms: 'r',
          'transforms.r.type': 'org.apache.kafka.connect.transforms.RegexRouter',
          'transforms.r.regex': '(unclosed',
          'transforms.r.replacement': 'x',
        }),
      );
      expect(router).to.have.length(1);
      expect(router[0]).to.match(/^transforms\.r\.regex: .*[Ii]nvalid/);
      const predicate = validate(
        sink({
          predicates: 'p',
          'predicates.p.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
          'predicates.p.pattern': '[z-a]',
        }),
      );
      expect(predicate).to.have.length(1);
      const { topics: _t, ...noTopics } = sink();
      expect(validate({ ...noTopics, 'topics.regex': 'a(' }).join()).to.match(/topics\.regex/);
    });

    it('refuses unknown transform and predicate classes', () => {
      expect(validate(sink({ transforms: 'x', 'transforms.x.type': 'com.example.Nope' }))).to.have.length(1);
      expect(validate(sink({ predicates: 'x', 'predicates.x.type': 'com.example.Nope' }))).to.have.length(1);
    });

    it('refuses DataGen sizes that would run the worker out of memory', () => {
      const gen = (extra: Record<string, string>) => ({
        name: 'g',
        'connector.class': 'DataGen',
        topic: 't',
        ...extra,
      });
      expect(validate(gen({ 'value.size': '1000000000' }))).to.have.length(1);
      expect(validate(gen({ 'batch.size': '1000000000' }))).to.have.length(1);
      expect(validate(gen({ 'value.size': '1048576', 'batch.size': '100000' }))).to.deep.equal([]);
    });

    it('shows PASSWORD values as [hidden] in validation results, as Kafka does', () => {
      const infos = validateConnectorConfig(
        {
          name: 'h',
          'connector.class': 'HttpSink',
          topics: 't',
          'http.url': 'http://127.0.0.1:1/x',
          'connection.password': 'inline-pw-xyz',
        },
        builtinPlugins(),
        limits(dir),
      );
      const pw = infos.configs.find((c) => c.value.name === 'connection.password');
      expect(pw?.value.value).to.equal('[hidden]');
      expect(JSON.stringify(infos)).not.to.include('inline-pw-xyz');
    });

    it('refuses a bad name in the config', () => {
      expect(validate(sink({ name: 'a\nb' })).join()).to.include('control sequences');
    });
  });

  describe('at start (configs stored earlier)', () => {
    const statuses: Array<{ name: string; status: Status }> = [];
    class ThrowingConnector implements SinkConnector {
      readonly type = 'sink' as const;
      version = () => '1';
      config = () => new ConfigDef();
      start(): void {
        throw new Error('boom in start');
      }
      taskConfigs = () => [];
      taskClass = (): never => {
        throw new Error('no tasks');
      };
      stop(): void {}
    }
    class CountingConnector implements SinkConnector {
      static asked = 0;
      readonly type = 'sink' as const;
      version = () => '1';
      config = () => new ConfigDef();
      start(): void {}
      taskConfigs(max: number) {
        CountingConnector.asked = max;
        return Array.from({ length: max }, () => ({}));
      }
      taskClass = (): never => {
        throw new Error('no tasks');
      };
      stop(): void {}
    }
    const worker = () => {
      const plugins = builtinPlugins();
      plugins.add({ type: 'sink', class: 'test.Throwing', version: '1', create: ThrowingConnector });
      plugins.add({ type: 'sink', class: 'test.Counting', version: '1', create: CountingConnector });
      const workerProps = { 'key.converter': 'StringConverter', 'value.converter': 'StringConverter' };
      return testWorker(workerProps, plugins, limits(dir), statuses);
    };
    const last = (name: string) => statuses.filter((s) => s.name === name).at(-1)?.status;

    it('a connector that throws in start is FAILED; the worker carries on', async () => {
      const w = worker();
      await w.startConnector('t', { 'connector.class': 'test.Throwing' }, 'STARTED', () => undefined);
      expect(last('t')?.state).to.equal('FAILED');
      expect(last('t')?.trace).to.include('boom in start');
      expect(await w.connectorTaskConfigs('t', { 'connector.class': 'test.Throwing' })).to.deep.equal([]);
    });

    it('a stored tasks.max above the ceiling fails the connector instead of starting it', async () => {
      const w = worker();
      const config = {
        'connector.class': 'FileStreamSink',
        topics: 't',
        file: path.join(dir, 'o.txt'),
        'tasks.max': '1000000000',
      };
      await w.startConnector('big', config, 'STARTED', () => undefined);
      expect(last('big')?.state).to.equal('FAILED');
      expect(last('big')?.trace).to.include('sluice.tasks.max.limit');
      expect(w.isConnectorRunning('big')).to.equal(false);
    });

    it('never asks a connector for more task configs than the ceiling', async () => {
      const w = worker();
      // A config that bypassed validation: its tasks.max is only capped.
      await w.startConnector('count', { 'connector.class': 'test.Counting' }, 'STARTED', () => undefined);
      const configs = await w.connectorTaskConfigs('count', {
        'connector.class': 'test.Counting',
        'tasks.max': '1000000000',
      });
      expect(CountingConnector.asked).to.equal(8);
      expect(configs).to.have.length(8);
    });

    it('a file path that resolves outside the allowed paths fails the connector and its task', async () => {
      const secrets = await mkdtemp(path.join(tmpdir(), 'limits-secret-'));
      // Outside the allowed directory (a unique value: resolved values are masked process-wide).
      await writeFile(path.join(secrets, 'path'), path.join(secrets, 'outside.txt'));
      const workerProps = {
        'key.converter': 'StringConverter',
        'value.converter': 'StringConverter',
        'config.providers': 'dir',
        'config.providers.dir.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
      };
      const w = testWorker(workerProps, builtinPlugins(), limits(dir), statuses);
      const config = { 'connector.class': 'FileStreamSink', topics: 't', file: `\${dir:${secrets}:path}` };
      await w.startConnector('f', config, 'STARTED', () => undefined);
      expect(last('f')?.state).to.equal('FAILED');
      expect(last('f')?.trace).to.include('sluice.file.allowed.paths');
      await w.startTask({ connector: 'f', task: 0 }, config, { file: config.file }, 'STARTED');
      expect(last('f-0')?.state).to.equal('FAILED');
      expect(w.taskIds('f')).to.deep.equal([]);
    });
  });

  describe('connector.client.config.override.policy', () => {
    const validateWith = (policy: OverridePolicy, config: Record<string, string>) =>
      errorsOf(validateConnectorConfig(config, builtinPlugins(), limits(dir, 8, policy)));
    const source = (extra: Record<string, string>) => ({
      name: 'c',
      'connector.class': 'FileStreamSource',
      topic: 't',
      ...extra,
    });
    const redirect = {
      'producer.override.bootstrap.servers': 'evil:9092',
      'producer.override.security.protocol': 'SASL_PLAINTEXT',
    };

    it('None refuses every override of a client the connector uses, with Apache message', () => {
      expect(validateWith('None', source(redirect))).to.deep.equal([
        "producer.override.bootstrap.servers: The 'None' policy does not allow 'bootstrap.servers' to be overridden in the connector configuration.",
        "producer.override.security.protocol: The 'None' policy does not allow 'security.protocol' to be overridden in the connector configuration.",
      ]);
    });

    it('Principal allows only sasl.jaas.config, sasl.mechanism and security.protocol', () => {
      expect(validateWith('Principal', source(redirect))).to.deep.equal([
        "producer.override.bootstrap.servers: The 'Principal' policy does not allow 'bootstrap.servers' to be overridden in the connector configuration.",
      ]);
      expect(
        validateWith(
          'Principal',
          source({ 'producer.override.sasl.mechanism': 'PLAIN', 'producer.override.sasl.jaas.config': 'x' }),
        ),
      ).to.deep.equal([]);
    });

    it('All allows everything (the Apache 4.x default)', () => {
      expect(validateWith('All', source(redirect))).to.deep.equal([]);
      expect(parseOverridePolicy(undefined)).to.equal('All');
    });

    it('checks the clients Apache checks: a sink’s consumer, and its producer only with a dead letter queue', () => {
      const sink = {
        name: 'c',
        'connector.class': 'FileStreamSink',
        topics: 't',
        file: path.join(dir, 'o.txt'),
        'consumer.override.bootstrap.servers': 'evil:9092',
        'producer.override.bootstrap.servers': 'evil:9092',
      };
      expect(validateWith('None', sink)).to.deep.equal([
        "consumer.override.bootstrap.servers: The 'None' policy does not allow 'bootstrap.servers' to be overridden in the connector configuration.",
      ]);
      expect(validateWith('None', { ...sink, 'errors.deadletterqueue.topic.name': 'dlq' })).to.have.length(2);
    });

    it('accepts aliases in any case and Apache class names; refuses anything else', () => {
      expect(parseOverridePolicy('none')).to.equal('None');
      expect(
        parseOverridePolicy('org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy'),
      ).to.equal('Principal');
      expect(() => parseOverridePolicy('Some')).to.throw(/connector\.client\.config\.override\.policy/);
    });

    it('a stored config whose overrides the policy refuses fails its task when the client is built', async () => {
      const statuses: Array<{ name: string; status: Status }> = [];
      const workerProps = { 'key.converter': 'StringConverter', 'value.converter': 'StringConverter' };
      const w = testWorker(workerProps, builtinPlugins(), limits(dir, 8, 'None'), statuses);
      const config = { name: 'o', 'connector.class': 'FileStreamSource', topic: 't', ...redirect };
      await w.startTask({ connector: 'o', task: 0 }, config, { topic: 't' }, 'STARTED');
      const status = statuses.filter((s) => s.name === 'o-0').at(-1)?.status;
      expect(status?.state).to.equal('FAILED');
      expect(status?.trace).to.include('Client Config Overrides not allowed');
      expect(w.taskIds('o')).to.deep.equal([]);
    });
  });
});

// Exactly-once source (KIP-618) without a broker: the connector keys'
// validation, the worker's refusal of `required` when it offers no
// exactly-once delivery, transactional ids, and fenced-producer detection.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { builtinPlugins } from '../app/plugins.js';
import { ConfigProviders } from '../config/config-providers.js';
import { invalidConfigMessage, validateConnectorConfig } from '../herder/validation.js';
import { ConfigDef, type SourceConnector, type SourceTask } from '../sdk/index.js';
import { MemoryOffsetStore } from '../storage/offset-store.js';
import type { Status } from '../storage/status-store.js';
import { LogRegistry } from '../util/logging.js';
import { isFencedError, taskTransactionalId } from './transactional-delivery.js';
import { EXACTLY_ONCE_NOT_ENABLED, Worker, type ExactlyOnceSourceOptions } from './worker.js';

/** A source connector that predates KIP-618: it does not say whether it supports exactly-once. */
class LegacySource implements SourceConnector {
  readonly type = 'source';
  version(): string {
    return '1';
  }
  config(): ConfigDef {
    return new ConfigDef();
  }
  start(): void {}
  taskConfigs(): Array<Record<string, string>> {
    return [{}];
  }
  stop(): void {}
  taskClass(): new () => SourceTask {
    throw new Error('not used');
  }
}

function plugins() {
  const registry = builtinPlugins();
  registry.add({ type: 'source', class: 'com.example.LegacySource', version: '1', create: LegacySource });
  return registry;
}

const errorsOf = (config: Record<string, string>, key: string): string[] => {
  const infos = validateConnectorConfig({ name: 'c', ...config }, plugins());
  return infos.configs.find((c) => c.value.name === key)?.value.errors ?? [];
};

describe('exactly-once source: connector config validation', () => {
  it('accepts exactly.once.support=required from a connector that supports it (DataGen)', () => {
    const infos = validateConnectorConfig(
      { name: 'c', 'connector.class': 'DataGen', topic: 't', 'exactly.once.support': 'required' },
      plugins(),
    );
    expect(infos.error_count).to.equal(0);
  });

  it('refuses required when the connector says UNSUPPORTED for this config, with a clear message', () => {
    // FileStreamSource supports exactly-once only when it reads a file (stdin cannot be re-read).
    const base = { 'connector.class': 'FileStreamSource', topic: 't', 'exactly.once.support': 'required' };
    expect(errorsOf(base, 'exactly.once.support')).to.deep.equal([
      'The connector does not support exactly-once semantics with the provided configuration.',
    ]);
    expect(errorsOf({ ...base, file: '/in.txt' }, 'exactly.once.support')).to.deep.equal([]);
    // requested (the default) never fails the check.
    expect(errorsOf({ ...base, 'exactly.once.support': 'requested' }, 'exactly.once.support')).to.deep.equal([]);
  });

  it('refuses required when the connector cannot tell, suggesting requested', () => {
    const errors = errorsOf(
      { 'connector.class': 'com.example.LegacySource', 'exactly.once.support': 'REQUIRED' },
      'exactly.once.support',
    );
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/does not implement the API required for preflight validation.*"requested"/);
  });

  it('rejects unknown values, transaction.boundary=connector and a negative interval', () => {
    const base = { 'connector.class': 'DataGen', topic: 't' };
    expect(errorsOf({ ...base, 'exactly.once.support': 'always' }, 'exactly.once.support')[0]).to.match(
      /must be one of: requested, required/,
    );
    expect(errorsOf({ ...base, 'transaction.boundary': 'connector' }, 'transaction.boundary')).to.deep.equal([
      'The connector does not support connector-defined transaction boundaries with the given configuration ' +
        '(this runtime has no transaction context for tasks yet). Please reconfigure it to use a different ' +
        'transaction boundary definition (poll or interval).',
    ]);
    expect(errorsOf({ ...base, 'transaction.boundary': 'interval' }, 'transaction.boundary')).to.deep.equal([]);
    expect(
      errorsOf({ ...base, 'transaction.boundary.interval.ms': '-1' }, 'transaction.boundary.interval.ms'),
    ).to.deep.equal(['Invalid value for configuration transaction.boundary.interval.ms: Value must be at least 0']);
  });

  it('puts the errors in the 400 message a create or update answers', () => {
    const infos = validateConnectorConfig(
      { name: 'c', 'connector.class': 'FileStreamSource', topic: 't', 'exactly.once.support': 'required' },
      plugins(),
    );
    expect(invalidConfigMessage(infos)).to.match(
      /contains the following 1 error\(s\):\nThe connector does not support exactly-once semantics/,
    );
  });

  it('does not check the exactly-once keys of sink connectors (they have none)', () => {
    const infos = validateConnectorConfig(
      { name: 'c', 'connector.class': 'FileStreamSink', topics: 't', 'exactly.once.support': 'required' },
      plugins(),
    );
    expect(infos.error_count).to.equal(0);
  });
});

describe('exactly-once source: worker', () => {
  const statuses: Array<{ name: string; status: Status }> = [];
  const worker = (support?: ExactlyOnceSourceOptions['support']) => {
    const workerProps = { 'key.converter': 'StringConverter', 'value.converter': 'StringConverter' };
    return new Worker({
      workerId: 'w1',
      workerProps,
      plugins: plugins(),
      offsets: new MemoryOffsetStore(),
      status: {
        connector: (name, status) => statuses.push({ name, status }),
        task: (c, t, status) => statuses.push({ name: `${c}-${t}`, status }),
      },
      logs: new LogRegistry('ERROR', new Writable({ write: (_chunk, _encoding, done) => done() })),
      providers: new ConfigProviders(workerProps),
      offsetFlushIntervalMs: 1000,
      gracefulShutdownMs: 1000,
      ...(support
        ? {
            exactlyOnceSource: {
              support,
              groupId: 'g',
              offsetsTopic: 'offsets',
              readOffsetsToEnd: async () => undefined,
            },
          }
        : {}),
    });
  };
  const required = { name: 'c', 'connector.class': 'DataGen', topic: 't', 'exactly.once.support': 'required' };

  beforeEach(() => statuses.splice(0));

  it('names each task producer <group.id>-<connector>-<task>, as Apache does', () => {
    expect(taskTransactionalId('connect-cluster', 'orders', 3)).to.equal('connect-cluster-orders-3');
  });

  for (const support of ['disabled', 'preparing'] as const) {
    it(`fails a connector requiring exactly-once on a distributed worker with support=${support}, and its tasks`, async () => {
      const w = worker(support);
      await w.startConnector('c', required, 'STARTED', () => undefined);
      expect(statuses).to.have.length(1);
      expect(statuses[0]!.status.state).to.equal('FAILED');
      expect(statuses[0]!.status.trace).to.contain(EXACTLY_ONCE_NOT_ENABLED);
      await w.startTask({ connector: 'c', task: 0 }, required, required, 'STARTED');
      expect(statuses[1]!.status.state).to.equal('FAILED');
      expect(statuses[1]!.status.trace).to.contain(EXACTLY_ONCE_NOT_ENABLED);
      expect(w.exactlyOnceSourceEnabled).to.equal(false);
      await w.stop();
    });
  }

  it('runs it on a worker with support=enabled, and in standalone mode (which ignores the key)', async () => {
    for (const w of [worker('enabled'), worker()]) {
      await w.startConnector('c', required, 'STARTED', () => undefined);
      expect(w.isConnectorRunning('c')).to.equal(true);
      await w.stop();
    }
    expect(statuses.filter((s) => s.status.state === 'FAILED')).to.deep.equal([]);
  });

  it('fences nothing when exactly-once is off, for sinks, or when no task config changes', async () => {
    const enabled = worker('enabled');
    const tasks = [{ a: '1' }, { a: '2' }];
    expect(await worker('preparing').fenceSourceTasks('c', required, tasks, [])).to.equal(false);
    expect(await enabled.fenceSourceTasks('c', { 'connector.class': 'FileStreamSink' }, tasks, [])).to.equal(false);
    // Unchanged task configs (one with its keys in another order) and one task added: nothing to fence.
    expect(
      await enabled.fenceSourceTasks(
        'c',
        required,
        [{ a: '1', b: '2' }, { a: '2' }],
        [{ b: '2', a: '1' }, { a: '2' }, { a: '3' }],
      ),
    ).to.equal(false);
  });
});

describe('exactly-once source: fenced producers', () => {
  it("recognises Kafka's fencing errors (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED) and nothing else", () => {
    expect(isFencedError({ type: 'INVALID_PRODUCER_EPOCH', code: 47 })).to.equal(true);
    expect(isFencedError({ type: 'KAFKA_UNKNOWN', code: 90 })).to.equal(true);
    expect(isFencedError({ type: 'CONCURRENT_TRANSACTIONS', code: 51 })).to.equal(false);
    expect(isFencedError(new Error('boom'))).to.equal(false);
    expect(isFencedError(undefined)).to.equal(false);
  });
});

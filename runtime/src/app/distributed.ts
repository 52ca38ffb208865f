// Assembles a distributed worker from worker.properties: the three Kafka-backed
// stores, the worker, group membership, the herder, the REST API (with the
// drain endpoints); and stops it gracefully.
import { DistributedHerder } from '../herder/distributed-herder.js';
import { GroupMembership } from '../distributed/group-membership.js';
import { kafkaJsGroupClusters } from '../distributed/kafkajs-internals.js';
import { createKafka, clientProps } from '../kafka/client.js';
import { KafkaConfigStore } from '../storage/kafka-config-store.js';
import { KafkaOffsetStore } from '../storage/kafka-offset-store.js';
import { KafkaStatusStore } from '../storage/kafka-status-store.js';
import { LogRegistry, type LogLevel } from '../util/logging.js';
import { Worker } from '../worker/worker.js';
import type { RunningWorker } from './standalone.js';
import { workerToWorkerFetch } from './rest-listeners.js';
import { commonWorkerOptions, stopOnce, topicTracking, workerRest, workerSetup } from './worker-setup.js';

export async function startDistributed(
  workerProps: Record<string, string>,
  logs: LogRegistry = new LogRegistry((workerProps['log.level'] ?? 'INFO').toUpperCase() as LogLevel),
  options: { onFatalError?: (err: unknown) => void } = {},
): Promise<RunningWorker<DistributedHerder>> {
  const startedAt = Date.now();
  const log = logs.logger('sluice.runtime.Distributed');
  const setup = await workerSetup('distributed', workerProps, log);
  const { v, config, advertisedHost, advertisedPort, advertisedScheme } = setup;
  const groupId = String(v['group.id']);
  // The stores and the membership share one client (each builds its own connections).
  const kafka = createKafka({
    clientId: `sluice-${groupId}-${advertisedHost}`,
    props: clientProps(config.raw, 'admin'),
    logger: logs.logger('sluice.kafka.Worker'),
  });
  const storeLog = logs.logger('sluice.storage');
  const configs = new KafkaConfigStore({
    kafka,
    topic: String(v['config.storage.topic']),
    replicationFactor: Number(v['config.storage.replication.factor']),
    logger: storeLog,
  });
  const offsets = new KafkaOffsetStore({
    kafka,
    topic: String(v['offset.storage.topic']),
    partitions: Number(v['offset.storage.partitions']),
    replicationFactor: Number(v['offset.storage.replication.factor']),
    logger: storeLog,
  });
  const statuses = new KafkaStatusStore({
    kafka,
    topic: String(v['status.storage.topic']),
    partitions: Number(v['status.storage.partitions']),
    replicationFactor: Number(v['status.storage.replication.factor']),
    logger: storeLog,
  });
  // Each creates or checks its topic (a clear error when one is misconfigured) and reads it to the end.
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    for (const store of [configs, offsets, statuses]) {
      await store.start();
      started.push(store);
    }
  } catch (err) {
    for (const store of started) await store.stop().catch(() => undefined);
    throw err;
  }

  const common = commonWorkerOptions(setup, logs);
  const worker = new Worker({
    ...common.options,
    offsets,
    status: statuses,
    exactlyOnceSource: {
      support: String(v['exactly.once.source.support']).toLowerCase() as 'disabled' | 'preparing' | 'enabled',
      groupId,
      offsetsTopic: String(v['offset.storage.topic']),
      readOffsetsToEnd: () => offsets.refresh(),
    },
  });
  // Task restarts sent to another worker go over https with this worker's certificate.
  const peerFetch = workerToWorkerFetch(config.raw, advertisedScheme);
  const admin = kafka.admin();
  const membershipLog = logs.logger('sluice.distributed.GroupMembership');
  const herder = new DistributedHerder(
    { worker, plugins: setup.plugins, offsets, statuses, logs, admin, topicTracking: topicTracking(setup) },
    {
      configs,
      offsets,
      url: `${advertisedScheme}://${advertisedHost}:${advertisedPort}`,
      restScheme: advertisedScheme,
      ...(peerFetch ? { fetch: peerFetch } : {}),
      scheduledRebalanceMaxDelayMs: Number(v['scheduled.rebalance.max.delay.ms']),
      ...(options.onFatalError ? { onFatalError: options.onFatalError } : {}),
      membership: (callbacks) =>
        new GroupMembership({
          clusters: kafkaJsGroupClusters(kafka),
          groupId,
          sessionTimeoutMs: Number(v['session.timeout.ms']),
          rebalanceTimeoutMs: Number(v['rebalance.timeout.ms']),
          heartbeatIntervalMs: Number(v['heartbeat.interval.ms']),
          logger: membershipLog,
          ...callbacks,
        }),
    },
  );
  common.topics.record = (connector, topic) => herder.recordActiveTopic(connector, topic);
  const rest = workerRest(setup, herder, worker, statuses, logs, {
    rebalance: () => herder.rebalanceMetrics(),
    // Apache's group member client.id: the configured one, else connect-<advertised host:port>.
    clientId: String(setup.config.raw['client.id'] ?? '') || `connect-${worker.workerId}`,
  });
  // Sluice extension: drain this worker (hand its work to the others) before it is removed.
  rest.addRoute('GET', '/admin/drain', () => ({ status: 200, body: herder.drainStatus() }));
  rest.addRoute('POST', '/admin/drain', () => ({ status: 202, body: herder.drain() }));
  rest.addRoute('DELETE', '/admin/drain', () => ({ status: 200, body: herder.undrain() }));
  rest.addRoute('GET', '/admin/assignment', () => ({ status: 200, body: herder.heldWork() }));
  const { port } = await rest.start();
  try {
    await herder.start();
  } catch (err) {
    await rest.stop();
    for (const store of started) await store.stop().catch(() => undefined);
    throw err;
  }
  log.info('Kafka Connect distributed worker started', {
    port,
    workerId: worker.workerId,
    groupId,
    startupMs: Date.now() - startedAt,
  });

  return {
    herder,
    rest,
    worker,
    stop: stopOnce(log, [
      () => herder.stop(),
      () => rest.stop(),
      () => admin.disconnect().catch(() => undefined),
      () => statuses.stop(),
      () => offsets.stop(),
      () => configs.stop(),
    ]),
  };
}

// Builds a sink task: its consumer in the connector's group (never the
// worker's own group), the topics or pattern it subscribes to, its dead
// letter queue (task-errors.ts), and the WorkerSinkTask around the plugin's
// task.
import type { SinkTask } from '../sdk/index.js';
import { sinkGroupId } from '../vocabulary/connector.js';
import { createKafka } from '../kafka/client.js';
import { removeGroupMembers } from '../kafka/group-members.js';
import { instrumentClient } from './client-instrumentation.js';
import { safeVersion } from './plugin-version.js';
import type { BuiltTask, TaskBase, TaskBuildContext } from './task-base.js';
import { buildTaskErrorHandling } from './task-errors.js';
import { listOf } from './transformation-chain.js';
import { WorkerSinkTask } from './worker-sink-task.js';

export function buildSinkTask(ctx: TaskBuildContext, base: TaskBase): BuiltTask {
  const { id, config } = ctx;
  const consumerProps = ctx.clientProps('consumer');
  const kafka = createKafka({ clientId: base.clientId, props: consumerProps, logger: ctx.log });
  const errorHandling = buildTaskErrorHandling(ctx, base);
  const regex = String(base.parsed['topics.regex'] ?? '');
  const topics = regex ? new RegExp(`^(?:${regex})$`) : listOf(config['topics']);
  const task = new (ctx.connector.taskClass())() as SinkTask;
  const groupId = sinkGroupId(id.connector, config);
  const consumer = kafka.consumer({
    // Never the worker's own group.id (the Connect cluster's group): as
    // sinkGroupId() says, the connector's override or connect-<name>.
    groupId,
    sessionTimeout: Number(consumerProps['session.timeout.ms'] ?? 45000),
    heartbeatInterval: Number(consumerProps['heartbeat.interval.ms'] ?? 3000),
    // Kafka's fetch.max.wait.ms default; kafkajs's own 5 s also delays every stop by up to 5 s.
    maxWaitTimeInMs: Number(consumerProps['fetch.max.wait.ms'] ?? 500),
    // Kafka's default is 1 MiB, but kafkajs decodes a whole fetch into JS objects (~5x its
    // size) that live until the batch is put: 256 KiB cut the sink's peak RSS by ~80 MB, and was
    // no slower.
    maxBytesPerPartition: Number(consumerProps['max.partition.fetch.bytes'] ?? 262144),
    allowAutoTopicCreation: false,
  });
  instrumentClient(consumer, base.metrics);
  const wt = new WorkerSinkTask({
    ...base.deps,
    task,
    topics,
    errors: errorHandling.errors,
    consumer,
    removeGroupMembers: (memberIds) =>
      removeGroupMembers(kafka, groupId, (m) =>
        memberIds ? memberIds.includes(m.memberId) : m.clientId === base.clientId,
      ),
  });
  return { task: wt, metrics: base.metrics, cleanup: errorHandling.close, version: safeVersion(task) };
}

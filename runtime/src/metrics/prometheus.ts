// GET /metrics: Prometheus text with the names the JMX exporter gives Kafka
// Connect's metrics (kafka_connect_<group>_<metric>), so existing dashboards
// keep working.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskMetrics } from './task-metrics.js';

export interface WorkerMetricsSource {
  connectorCount(): number;
  taskCount(): number;
  tasks(): Iterable<TaskMetrics>;
  /** connector name -> counts of its tasks by state */
  connectorTaskStates(): Iterable<{ connector: string; states: Record<string, number> }>;
  rebalance?(): { completed: number; epoch: number; rebalancing: boolean; leader: string };
}

type Read = (m: TaskMetrics) => number;

export function createMetricsRegistry(source: WorkerMetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });

  const simple = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  simple('kafka_connect_connect_worker_metrics_connector_count', 'Connectors run by this worker', () =>
    source.connectorCount(),
  );
  simple('kafka_connect_connect_worker_metrics_task_count', 'Tasks run by this worker', () => source.taskCount());

  const perTask = (group: string, metric: string, kind: 'source' | 'sink' | 'any', read: Read) =>
    new Gauge({
      name: `kafka_connect_${group}_${metric}`,
      help: `${group} ${metric.replace(/_/g, '-')}`,
      labelNames: ['connector', 'task'],
      registers: [registry],
      collect() {
        this.reset();
        for (const m of source.tasks()) {
          if (kind !== 'any' && m.kind !== kind) continue;
          this.set({ connector: m.connector, task: String(m.task) }, read(m));
        }
      },
    });
  const src = 'source_task_metrics';
  perTask(src, 'source_record_poll_total', 'source', (m) => m.pollTotal);
  perTask(src, 'source_record_poll_rate', 'source', (m) => m.pollRate.perSecond());
  perTask(src, 'source_record_write_total', 'source', (m) => m.writeTotal);
  perTask(src, 'source_record_write_rate', 'source', (m) => m.writeRate.perSecond());
  const sink = 'sink_task_metrics';
  perTask(sink, 'sink_record_read_total', 'sink', (m) => m.readTotal);
  perTask(sink, 'sink_record_read_rate', 'sink', (m) => m.readRate.perSecond());
  perTask(sink, 'sink_record_send_total', 'sink', (m) => m.sendTotal);
  perTask(sink, 'sink_record_send_rate', 'sink', (m) => m.sendRate.perSecond());
  perTask(sink, 'partition_count', 'sink', (m) => m.partitionCount);
  perTask(sink, 'offset_commit_seq_no', 'sink', (m) => m.offsetCommitSeqNo);
  perTask(sink, 'offset_commit_completion_total', 'sink', (m) => m.offsetCommitCompletionTotal);
  perTask(sink, 'offset_commit_skip_total', 'sink', (m) => m.offsetCommitSkipTotal);
  const task = 'connector_task_metrics';
  perTask(task, 'batch_size_avg', 'any', (m) => m.batchSizeAvg);
  perTask(task, 'batch_size_max', 'any', (m) => m.batchSizeMax);
  perTask(task, 'offset_commit_avg_time_ms', 'any', (m) => m.offsetCommitAvgMs);
  perTask(task, 'offset_commit_max_time_ms', 'any', (m) => m.offsetCommitMaxMs);
  perTask(task, 'offset_commit_success_percentage', 'any', (m) => m.offsetCommitSuccessPercentage);
  const err = 'task_error_metrics';
  perTask(err, 'total_record_errors', 'any', (m) => m.recordErrors);
  perTask(err, 'total_record_failures', 'any', (m) => m.recordFailures);
  perTask(err, 'total_records_skipped', 'any', (m) => m.recordsSkipped);
  perTask(err, 'total_retries', 'any', (m) => m.retries);
  perTask(err, 'total_errors_logged', 'any', (m) => m.errorsLogged);
  perTask(err, 'deadletterqueue_produce_requests', 'any', (m) => m.dlqRequests);
  perTask(err, 'deadletterqueue_produce_failures', 'any', (m) => m.dlqFailures);
  perTask(err, 'last_error_timestamp', 'any', (m) => m.lastErrorTimestamp);

  for (const state of ['running', 'paused', 'failed', 'unassigned', 'restarting', 'total']) {
    new Gauge({
      name: `kafka_connect_connect_worker_metrics_connector_${state}_task_count`,
      help: `Tasks of the connector in state ${state}`,
      labelNames: ['connector'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { connector, states } of source.connectorTaskStates()) {
          const n =
            state === 'total' ? Object.values(states).reduce((a, b) => a + b, 0) : (states[state.toUpperCase()] ?? 0);
          this.set({ connector }, n);
        }
      },
    });
  }
  if (source.rebalance) {
    const rb = source.rebalance.bind(source);
    simple(
      'kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total',
      'Completed rebalances',
      () => rb().completed,
    );
    simple('kafka_connect_connect_worker_rebalance_metrics_epoch', 'Group generation', () => rb().epoch);
    simple('kafka_connect_connect_worker_rebalance_metrics_rebalancing', 'Whether a rebalance is in progress', () =>
      rb().rebalancing ? 1 : 0,
    );
  }
  return registry;
}

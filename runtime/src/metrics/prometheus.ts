// GET /metrics: Prometheus text with the names and labels Strimzi's JMX
// exporter rules give Kafka Connect's metrics (Strimzi's
// kafka-connect-metrics.yaml: kafka_connect_worker_*, kafka_connect_connector_*,
// kafka_connect_source_task_*, ...), so Strimzi's Kafka Connect dashboard and
// alerts show a Sluice worker as they show an Apache one (docs/metrics.md).
// Values are read from plain counters at scrape time.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskMetrics } from './task-metrics.js';
import { addJvmAliases } from './jvm-aliases.js';

export interface RebalanceMetrics {
  completed: number;
  epoch: number;
  rebalancing: boolean;
  leaderName: string;
  protocol: string;
  avgMs: number;
  maxMs: number;
  /** -1 before the first rebalance ended */
  sinceLastMs: number;
  assignedConnectors: number;
  assignedTasks: number;
}

export interface ConnectorMetricsInfo {
  name: string;
  class: string;
  type: string;
  version: string;
  state: string;
}

export interface StartupCounts {
  attempts: number;
  success: number;
  failure: number;
}

export interface WorkerMetricsSource {
  connectorCount(): number;
  taskCount(): number;
  tasks(): Iterable<TaskMetrics>;
  /** connector name -> counts of its tasks by state (UPPER case keys) */
  connectorTaskStates(): Iterable<{ connector: string; states: Record<string, number> }>;
  /** the connectors this worker runs: their class, type, version and state (connector-metrics) */
  connectors?(): Iterable<ConnectorMetricsInfo>;
  /** the state of a task this worker runs (connector-task-metrics status) */
  taskState?(connector: string, task: number): string;
  startups?(): { connector: StartupCounts; task: StartupCounts };
  /** distributed mode only, as in Kafka */
  rebalance?(): RebalanceMetrics;
  /** client.id of the worker's group member (connect-coordinator-metrics) */
  coordinatorClientId?: string;
}

type Read = (m: TaskMetrics) => number;
type Kind = 'source' | 'sink' | 'any';

export function createMetricsRegistry(source: WorkerMetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  addJvmAliases(registry);
  const registers = [registry];

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers, collect: collectOne(read) });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers, collect: collectCounter(read) });

  // connect-worker-metrics (kafka_connect_worker_*)
  gauge('kafka_connect_worker_connector_count', 'Connectors run by this worker', () => source.connectorCount());
  gauge('kafka_connect_worker_task_count', 'Tasks run by this worker', () => source.taskCount());
  if (source.startups) {
    const startups = source.startups.bind(source);
    for (const what of ['connector', 'task'] as const) {
      for (const outcome of ['attempts', 'success', 'failure'] as const)
        counter(`kafka_connect_worker_${what}_startup_${outcome}_total`, `${what} startups: ${outcome}`, () =>
          Number(startups()[what][outcome]),
        );
      for (const outcome of ['success', 'failure'] as const)
        gauge(
          `kafka_connect_worker_${what}_startup_${outcome}_percentage`,
          `${what} startups: ${outcome} share`,
          () => {
            const s = startups()[what];
            return s.attempts ? s[outcome] / s.attempts : 0;
          },
        );
    }
  }
  for (const state of ['total', 'running', 'paused', 'failed', 'unassigned', 'destroyed', 'restarting']) {
    new Gauge({
      name: `kafka_connect_worker_connector_${state}_task_count`,
      help: `Tasks of the connector in state ${state}`,
      labelNames: ['connector'],
      registers,
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

  // connector-metrics: one series per connector with the value in a label, 1 as the sample
  if (source.connectors) {
    const connectors = source.connectors.bind(source);
    const info = (attr: string, label: string, read: (c: ConnectorMetricsInfo) => string) =>
      new Gauge({
        name: `kafka_connect_connector_${attr}`,
        help: `Kafka Connect connector-metrics ${attr.replace(/_/g, '-')}`,
        labelNames: ['connector', label],
        registers,
        collect() {
          this.reset();
          for (const c of connectors()) this.set({ connector: c.name, [label]: read(c) }, 1);
        },
      });
    info('status', 'status', (c) => c.state.toLowerCase());
    info('connector_class', 'connector_class', (c) => c.class);
    info('connector_type', 'connector_type', (c) => c.type);
    info('connector_version', 'connector_version', (c) => c.version);
  }

  // connector-task-metrics, source-task-metrics, sink-task-metrics, task-error-metrics
  const perTask = (group: string, metric: string, kind: Kind, read: Read, type: 'gauge' | 'counter' = 'gauge') => {
    const config = {
      name: `kafka_connect_${group}_${metric}`,
      help: `Kafka Connect ${group.replace(/_/g, '-')}-metrics ${metric.replace(/_/g, '-')}`,
      labelNames: ['connector', 'task'],
      registers,
    };
    const each = (set: (labels: { connector: string; task: string }, v: number) => void) => {
      for (const m of source.tasks()) {
        if (kind !== 'any' && m.kind !== kind) continue;
        set({ connector: m.connector, task: String(m.task) }, read(m));
      }
    };
    return type === 'counter'
      ? new Counter({
          ...config,
          collect() {
            this.reset();
            each((labels, v) => this.inc(labels, v));
          },
        })
      : new Gauge({
          ...config,
          collect() {
            this.reset();
            each((labels, v) => this.set(labels, v));
          },
        });
  };
  if (source.taskState) {
    const taskState = source.taskState.bind(source);
    new Gauge({
      name: 'kafka_connect_connector_task_status',
      help: 'Kafka Connect connector-task-metrics status',
      labelNames: ['connector', 'task', 'status'],
      registers,
      collect() {
        this.reset();
        for (const m of source.tasks())
          this.set(
            { connector: m.connector, task: String(m.task), status: taskState(m.connector, m.task).toLowerCase() },
            1,
          );
      },
    });
  }
  const task = 'connector_task';
  perTask(task, 'batch_size_avg', 'any', (m) => m.batchSizeAvg);
  perTask(task, 'batch_size_max', 'any', (m) => m.batchSizeMax);
  perTask(task, 'offset_commit_avg_time_ms', 'any', (m) => m.offsetCommitAvgMs);
  perTask(task, 'offset_commit_max_time_ms', 'any', (m) => m.offsetCommitMaxMs);
  perTask(task, 'running_ratio', 'any', (m) => m.runningRatio());
  perTask(task, 'pause_ratio', 'any', (m) => m.pauseRatio());
  const src = 'source_task';
  perTask(src, 'source_record_poll_total', 'source', (m) => m.pollTotal, 'counter');
  perTask(src, 'source_record_poll_rate', 'source', (m) => m.pollRate.perSecond());
  perTask(src, 'source_record_write_total', 'source', (m) => m.writeTotal, 'counter');
  perTask(src, 'source_record_write_rate', 'source', (m) => m.writeRate.perSecond());
  const sink = 'sink_task';
  perTask(sink, 'sink_record_read_total', 'sink', (m) => m.readTotal, 'counter');
  perTask(sink, 'sink_record_read_rate', 'sink', (m) => m.readRate.perSecond());
  perTask(sink, 'sink_record_send_total', 'sink', (m) => m.sendTotal, 'counter');
  perTask(sink, 'sink_record_send_rate', 'sink', (m) => m.sendRate.perSecond());
  perTask(sink, 'partition_count', 'sink', (m) => m.partitionCount);
  perTask(sink, 'offset_commit_seq_no', 'sink', (m) => m.offsetCommitSeqNo);
  perTask(sink, 'offset_commit_completion_total', 'sink', (m) => m.offsetCommitCompletionTotal, 'counter');
  perTask(sink, 'offset_commit_skip_total', 'sink', (m) => m.offsetCommitSkipTotal, 'counter');
  const err = 'task_error';
  perTask(err, 'total_record_errors', 'any', (m) => m.recordErrors);
  perTask(err, 'total_record_failures', 'any', (m) => m.recordFailures);
  perTask(err, 'total_records_skipped', 'any', (m) => m.recordsSkipped);
  perTask(err, 'total_retries', 'any', (m) => m.retries);
  perTask(err, 'total_errors_logged', 'any', (m) => m.errorsLogged);
  perTask(err, 'deadletterqueue_produce_requests', 'any', (m) => m.dlqRequests);
  perTask(err, 'deadletterqueue_produce_failures', 'any', (m) => m.dlqFailures);
  perTask(err, 'last_error_timestamp', 'any', (m) => m.lastErrorTimestamp);

  // Kafka clients (the generic client rule: kafka_<type>_<attr>{clientid}): the tasks' producers and consumers.
  const perClient = (name: string, kind: 'source' | 'sink', read: Read, type: 'gauge' | 'counter') => {
    const config = { name, help: `Kafka client ${name}`, labelNames: ['clientid'], registers };
    const each = (set: (labels: { clientid: string }, v: number) => void) => {
      for (const m of source.tasks()) if (m.kind === kind) set({ clientid: m.clientId }, read(m));
    };
    return type === 'counter'
      ? new Counter({
          ...config,
          collect() {
            this.reset();
            each((l, v) => this.inc(l, v));
          },
        })
      : new Gauge({
          ...config,
          collect() {
            this.reset();
            each((l, v) => this.set(l, v));
          },
        });
  };
  perClient('kafka_producer_outgoing_byte_total', 'source', (m) => m.clientBytes, 'counter');
  perClient('kafka_producer_connection_count', 'source', (m) => (m.clientConnected ? 1 : 0), 'gauge');
  perClient('kafka_consumer_incoming_byte_total', 'sink', (m) => m.clientBytes, 'counter');
  perClient('kafka_consumer_connection_count', 'sink', (m) => (m.clientConnected ? 1 : 0), 'gauge');

  // connect-worker-rebalance-metrics and connect-coordinator-metrics (distributed mode only, as in Kafka)
  if (source.rebalance) {
    const rb = source.rebalance.bind(source);
    counter('kafka_connect_worker_rebalance_completed_rebalances_total', 'Completed rebalances', () => rb().completed);
    gauge('kafka_connect_worker_rebalance_epoch', 'Group generation', () => rb().epoch);
    gauge('kafka_connect_worker_rebalance_rebalancing', 'Whether a rebalance is in progress', () =>
      rb().rebalancing ? 1 : 0,
    );
    gauge('kafka_connect_worker_rebalance_rebalance_avg_time_ms', 'Average rebalance time', () => rb().avgMs);
    gauge('kafka_connect_worker_rebalance_rebalance_max_time_ms', 'Longest rebalance time', () => rb().maxMs);
    gauge(
      'kafka_connect_worker_rebalance_time_since_last_rebalance_ms',
      'Time since the last rebalance',
      () => rb().sinceLastMs,
    );
    const labelled = (attr: string, read: (r: RebalanceMetrics) => string) =>
      new Gauge({
        name: `kafka_connect_worker_rebalance_${attr}`,
        help: `Kafka Connect connect-worker-rebalance-metrics ${attr.replace(/_/g, '-')}`,
        labelNames: [attr],
        registers,
        collect() {
          this.reset();
          const v = read(rb());
          if (v) this.set({ [attr]: v }, 1);
        },
      });
    labelled('leader_name', (r) => r.leaderName);
    labelled('connect_protocol', (r) => r.protocol);
    const clientid = source.coordinatorClientId ?? 'connect-1';
    const coordinator = (attr: string, read: (r: RebalanceMetrics) => number) =>
      new Gauge({
        name: `kafka_connect_coordinator_${attr}`,
        help: `Kafka Connect connect-coordinator-metrics ${attr.replace(/_/g, '-')}`,
        labelNames: ['clientid'],
        registers,
        collect() {
          this.set({ clientid }, read(rb()));
        },
      });
    coordinator('assigned_connectors', (r) => r.assignedConnectors);
    coordinator('assigned_tasks', (r) => r.assignedTasks);
  }
  return registry;
}

function collectOne(read: () => number) {
  return function (this: Gauge) {
    this.set(read());
  };
}

function collectCounter(read: () => number) {
  return function (this: Counter) {
    this.reset();
    this.inc(read());
  };
}

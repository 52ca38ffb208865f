// The data plane of one process (Kafka's Worker): it instantiates and runs
// the connectors and tasks the herder assigns to it, and nothing else.
import { ConfigError, traceOf, type AnyConnector, type SinkTask, type SourceTask } from '../sdk/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { StatusListener } from '../storage/status-store.js';
import type { Consumer, Producer } from 'kafkajs';
import type { ConnectorConfig, TargetState } from '../herder/types.js';
import type { LogRegistry, Logger } from '../util/logging.js';
import { sealTaskConfigs, type ConfigProviders } from '../config/config-providers.js';
import { maskSecrets } from '../config/secret-mask.js';
import { clientProps, createKafka } from '../kafka/client.js';
import { removeGroupMembers } from '../kafka/group-members.js';
import { TaskMetrics } from '../metrics/task-metrics.js';
import { buildConverters } from './converters.js';
import { ErrorHandler, type ErrorReporter } from './error-handler.js';
import { DeadLetterQueueReporter } from './dead-letter-queue.js';
import { buildTransformationChain, listOf } from './transformation-chain.js';
import { WorkerConnector } from './worker-connector.js';
import { WorkerSinkTask } from './worker-sink-task.js';
import { WorkerSourceTask, type SourceTaskTransactions } from './worker-source-task.js';
import type { WorkerTask } from './worker-task.js';
import { taskKey, type TaskId } from './task-status.js';
import { connectorConfigDef, TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED } from './connector-config.js';
import { sinkGroupId } from '../herder/abstract-herder.js';
import { canonicalJson } from '../util/json.js';
import { DEFAULT_LIMITS, limitErrors, type ConnectorLimits } from './connector-limits.js';
import { requireAllowedOverrides } from './client-override-policy.js';

export interface WorkerOptions {
  readonly workerId: string;
  /** worker.properties as given */
  readonly workerProps: Readonly<Record<string, string>>;
  readonly plugins: PluginRegistry;
  readonly offsets: OffsetStore;
  readonly status: StatusListener;
  readonly logs: LogRegistry;
  readonly providers: ConfigProviders;
  readonly offsetFlushIntervalMs: number;
  readonly gracefulShutdownMs: number;
  /** consumer group settings for sink tasks (from worker consumer.* keys) */
  readonly onTopicUsed?: (connector: string, topic: string) => void;
  /**
   * Distributed mode's exactly.once.source.support (KIP-618). Absent in
   * standalone mode, which ignores the connectors' exactly-once keys as
   * Apache's standalone worker does.
   */
  readonly exactlyOnceSource?: ExactlyOnceSourceOptions;
  /** tasks.max ceiling and file paths (worker keys; DEFAULT_LIMITS when absent) */
  readonly limits?: ConnectorLimits;
}

export interface ExactlyOnceSourceOptions {
  /** `preparing` runs source tasks as `disabled` does: it only gets a cluster ready for `enabled` */
  readonly support: 'disabled' | 'preparing' | 'enabled';
  /** the worker's group.id: the prefix of every task's transactional id */
  readonly groupId: string;
  /** the worker's offset.storage.topic: exactly-once tasks write their offsets there, in their transactions */
  readonly offsetsTopic: string;
  /** reads the worker's offset store to the end of the offset topic (KafkaOffsetStore.refresh) */
  readonly readOffsetsToEnd: () => Promise<void>;
}

/** Apache's Worker.taskTransactionalId: the transactional.id of one source task's producer. */
export const taskTransactionalId = (groupId: string, connector: string, task: number): string =>
  `${groupId}-${connector}-${task}`;

/**
 * Feeds a task's client metrics from kafkajs's instrumentation events: a
 * producer's request bytes (kafka_producer_outgoing_byte_total) and whether
 * the client is connected (connection_count). A consumer's incoming bytes are
 * counted where records arrive (WorkerSinkTask).
 */
function instrumentClient(client: Producer | Consumer, metrics: TaskMetrics): void {
  type On = (event: string, listener: (e: { payload: { size?: number } }) => void) => unknown;
  const on = client.on.bind(client) as unknown as On;
  const events = client.events as unknown as Record<string, string>;
  on(events['CONNECT']!, () => (metrics.clientConnected = true));
  on(events['DISCONNECT']!, () => (metrics.clientConnected = false));
  if (metrics.kind === 'source') on(events['REQUEST']!, (e) => (metrics.clientBytes += e.payload.size ?? 0));
}

/** A plugin's version(), or undefined when it throws or returns no string (a status must still be written). */
function safeVersion(plugin: { version(): string }): string | undefined {
  try {
    const v = plugin.version();
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `task.class` for a connector class: the declared one, else its name with Connector -> Task. */
export function taskClassOf(connectorClass: string, declared?: string): string {
  if (declared) return declared;
  return connectorClass.endsWith('Connector')
    ? `${connectorClass.slice(0, -'Connector'.length)}Task`
    : `${connectorClass}Task`;
}

/**
 * A task config as Apache's Worker.connectorTaskConfigs writes it: the
 * connector's own keys plus `task.class`, and a sink connector's `topics` /
 * `topics.regex` copied from its config.
 */
export function withFrameworkTaskKeys(
  taskConfig: ConnectorConfig,
  connectorConfig: ConnectorConfig,
  taskClass: string,
): ConnectorConfig {
  const out: ConnectorConfig = { ...taskConfig, 'task.class': taskClass };
  for (const key of ['topics', 'topics.regex']) {
    const v = connectorConfig[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Apache's message when a connector requires exactly-once delivery from a worker that does not offer it. */
export const EXACTLY_ONCE_NOT_ENABLED = 'This worker does not have exactly-once source support enabled.';

interface RunningTask {
  readonly task: WorkerTask;
  readonly metrics: TaskMetrics;
  readonly done: Promise<void>;
  readonly cleanup: () => Promise<void>;
}

export class Worker {
  private readonly connectors = new Map<string, WorkerConnector>();
  private readonly tasks = new Map<string, RunningTask>();
  /** Per running connector: which placeholder of its config resolved to which value (to seal task configs). */
  private readonly resolvedValues = new Map<string, ReadonlyMap<string, string>>();
  private readonly log: Logger;
  private generation = 0;
  private readonly connectorClasses = new Map<string, string>();
  /** connect-worker-metrics' startup counters */
  readonly startups = {
    connector: { attempts: 0, success: 0, failure: 0 },
    task: { attempts: 0, success: 0, failure: 0 },
  };

  constructor(private readonly opts: WorkerOptions) {
    this.log = opts.logs.logger('sluice.worker.Worker');
  }

  get workerId(): string {
    return this.opts.workerId;
  }

  /** Instantiates the connector class a config names; ConfigError when unknown. */
  newConnector(config: ConnectorConfig): AnyConnector {
    const cls = config['connector.class'];
    if (!cls)
      throw new ConfigError(
        'connector.class',
        'Missing required configuration "connector.class" which has no default value.',
      );
    return new (this.opts.plugins.resolve(cls, ['source', 'sink'], 'connector.class').create)();
  }

  get limits(): ConnectorLimits {
    return this.opts.limits ?? DEFAULT_LIMITS;
  }

  /** Throws ConfigError for the first limit a (resolved) connector or task config breaks. */
  private checkLimits(config: ConnectorConfig, taskConfig?: ConnectorConfig): void {
    const cls = this.opts.plugins.find(config['connector.class'] ?? '')[0]?.class ?? '';
    const errors = [
      ...limitErrors(cls, config, this.limits, true),
      ...(taskConfig ? limitErrors(cls, { ...taskConfig, 'tasks.max': '1' }, this.limits, true) : []),
    ];
    if (errors.length > 0) throw new ConfigError(undefined, errors.map((e) => e.message).join('; '));
  }

  /** A client's settings for a connector; ConnectError when its overrides break the worker's policy. */
  private clientProps(kind: 'producer' | 'consumer', config: ConnectorConfig): Record<string, string> {
    requireAllowedOverrides(this.limits.overridePolicy, kind, config);
    return clientProps(this.opts.workerProps, kind, config);
  }

  connectorType(config: ConnectorConfig): 'source' | 'sink' | 'unknown' {
    const cls = config['connector.class'];
    const found = cls ? this.opts.plugins.find(cls).find((d) => d.type === 'source' || d.type === 'sink') : undefined;
    return (found?.type as 'source' | 'sink' | undefined) ?? 'unknown';
  }

  // ---- connectors -------------------------------------------------------

  async startConnector(
    name: string,
    config: ConnectorConfig,
    target: TargetState,
    onReconfigure: () => void,
  ): Promise<void> {
    await this.stopConnector(name);
    const log = this.opts.logs.logger('sluice.worker.WorkerConnector', { connector: name });
    this.startups.connector.attempts++;
    let version: string | undefined;
    const report = (state: 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'UNASSIGNED', trace?: string) =>
      this.opts.status.connector(name, {
        state,
        workerId: this.workerId,
        trace: trace === undefined ? undefined : maskSecrets(trace),
        generation: this.generation,
        version,
      });
    let connector: AnyConnector;
    let resolved: ReturnType<ConfigProviders['resolveTracked']>;
    try {
      connector = this.newConnector(config);
      version = safeVersion(connector);
      resolved = this.opts.providers.resolveTracked(config);
      this.checkLimits(resolved.config);
    } catch (err) {
      log.error('Failed to start connector', { error: (err as Error).message });
      report('FAILED', traceOf(err));
      this.startups.connector.failure++;
      return;
    }
    if (
      connector.type === 'source' &&
      !this.opts.exactlyOnceSource &&
      config['exactly.once.support']?.toLowerCase() === 'required'
    )
      log.warn('exactly.once.support=required is ignored in standalone mode: records are delivered at least once');
    if (connector.type === 'source' && this.requiresUnavailableExactlyOnce(config)) {
      report('FAILED', traceOf(new ConfigError('exactly.once.support', EXACTLY_ONCE_NOT_ENABLED)));
      this.startups.connector.failure++;
      return;
    }
    const wc = new WorkerConnector(
      name,
      connector,
      resolved.config,
      target,
      {
        running: () => report('RUNNING'),
        paused: () => report('PAUSED'),
        stopped: () => report('STOPPED'),
        failed: (err) => report('FAILED', traceOf(err)),
        unassigned: () => report('UNASSIGNED'),
      },
      onReconfigure,
      log,
    );
    this.connectors.set(name, wc);
    const cls = config['connector.class'] ?? '';
    this.connectorClasses.set(name, this.opts.plugins.find(cls).find((d) => d.type === connector.type)?.class ?? cls);
    this.resolvedValues.set(name, resolved.values);
    await wc.initialize();
    if (target !== 'STARTED' || wc.running) this.startups.connector.success++;
    else this.startups.connector.failure++;
  }

  /** Exactly-once delivery is available to this worker's source tasks. */
  get exactlyOnceSourceEnabled(): boolean {
    return this.opts.exactlyOnceSource?.support === 'enabled';
  }

  /** A distributed worker without exactly-once support cannot run a connector with exactly.once.support=required. */
  private requiresUnavailableExactlyOnce(config: ConnectorConfig): boolean {
    const eos = this.opts.exactlyOnceSource;
    return (
      eos !== undefined && eos.support !== 'enabled' && config['exactly.once.support']?.toLowerCase() === 'required'
    );
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.get(name)?.running ?? false;
  }

  connector(name: string): AnyConnector | undefined {
    return this.connectors.get(name)?.connector;
  }

  async connectorTaskConfigs(name: string, config: ConnectorConfig): Promise<ConnectorConfig[]> {
    const wc = this.connectors.get(name);
    if (!wc?.running) return [];
    // Never more than the worker's ceiling, whatever was stored: a connector allocates per task.
    const requested = Number(config['tasks.max'] ?? '1');
    const maxTasks = Number.isFinite(requested) ? Math.min(requested, this.limits.tasksMaxLimit) : 1;
    const configs = await wc.taskConfigs(maxTasks);
    if (configs.length > maxTasks && config['tasks.max.enforce'] !== 'false') {
      throw new Error(`Connector ${name} generated ${configs.length} tasks, more than tasks.max=${maxTasks}`);
    }
    // Stored and returned task configs keep the placeholders; tasks resolve them when they start.
    const sealed = sealTaskConfigs(config, configs, this.resolvedValues.get(name) ?? new Map());
    return sealed.map((c) => withFrameworkTaskKeys(c, config, this.taskClassName(config)));
  }

  /** The `task.class` of a connector's task configs (see PluginDescriptor.taskClass). */
  taskClassName(config: ConnectorConfig): string {
    const cls = config['connector.class'] ?? '';
    const found = this.opts.plugins.find(cls).find((d) => d.type === 'source' || d.type === 'sink');
    return taskClassOf(found?.class ?? cls, found && 'taskClass' in found ? found.taskClass : undefined);
  }

  async setConnectorTargetState(name: string, state: TargetState): Promise<void> {
    await this.connectors.get(name)?.transitionTo(state);
    for (const running of this.tasks.values()) {
      if (running.task.id.connector === name && state !== 'STOPPED') running.task.setTargetState(state);
    }
  }

  async stopConnector(name: string): Promise<void> {
    const wc = this.connectors.get(name);
    if (!wc) return;
    this.connectors.delete(name);
    this.resolvedValues.delete(name);
    await wc.shutdown();
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()];
  }

  /**
   * Zombie fencing of a source connector's previous task generation
   * (KIP-618), before its new task configs are written: initialises a
   * transactional producer for each task id whose config changes or goes
   * away, which bumps the id's epoch and aborts whatever transaction an old
   * instance left open, so no instance of the old generation can write or
   * commit any more; their workers restart them with the new configs. A task
   * whose config stays the same keeps running (its worker does not restart
   * it, so fencing it would leave it failed): an older instance of it was
   * already fenced when the current one started. Configs are compared
   * canonically, so a key order change alone never fences a task that is
   * not restarted. False when nothing was fenced (exactly-once off, a sink,
   * no changed task).
   */
  async fenceSourceTasks(
    connector: string,
    config: ConnectorConfig,
    previous: readonly ConnectorConfig[],
    next: readonly ConnectorConfig[],
  ): Promise<boolean> {
    const eos = this.opts.exactlyOnceSource;
    if (!eos || eos.support !== 'enabled' || this.connectorType(config) !== 'source') return false;
    const ids = previous
      .map((c, task) => ({ task, changed: next[task] === undefined || canonicalJson(c) !== canonicalJson(next[task]) }))
      .filter((t) => t.changed)
      .map((t) => t.task);
    if (ids.length === 0) return false;
    const log = this.opts.logs.logger('sluice.worker.Worker', { connector });
    const kafka = createKafka({
      clientId: `connector-fencing-${connector}`,
      // The stored config keeps its placeholders: resolve them for the fencing producer, as for a task's.
      props: this.clientProps('producer', this.opts.providers.resolve(config)),
      logger: log,
    });
    await Promise.all(
      ids.map(async (task) => {
        const producer = kafka.producer({
          transactionalId: taskTransactionalId(eos.groupId, connector, task),
          idempotent: true,
          maxInFlightRequests: 1,
        });
        await producer.connect();
        try {
          // transaction() sends InitProducerId for the id: that is the fencing. The transaction
          // itself is empty, and ending it sends nothing.
          const txn = await producer.transaction();
          await txn.abort();
        } finally {
          await producer.disconnect().catch(() => undefined);
        }
      }),
    );
    log.info('Fenced the previous generation of source tasks', { tasks: ids });
    return true;
  }

  // ---- tasks ------------------------------------------------------------

  /** Starts one task; failures to build it are reported as a FAILED task status. */
  async startTask(
    id: TaskId,
    connectorConfig: ConnectorConfig,
    taskConfig: ConnectorConfig,
    target: TargetState,
  ): Promise<void> {
    const key = taskKey(id);
    if (this.tasks.has(key)) await this.stopTasks([id]);
    this.startups.task.attempts++;
    const log = this.opts.logs.logger('sluice.worker.WorkerTask', { connector: id.connector, task: id.task });
    let version: string | undefined;
    const reportStatus = (state: 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED', trace?: string) =>
      this.opts.status.task(id.connector, id.task, {
        state,
        workerId: this.workerId,
        trace: trace === undefined ? undefined : maskSecrets(trace),
        generation: this.generation,
        version,
      });
    let metricsOf: TaskMetrics | undefined;
    const status = {
      running: () => (metricsOf?.setState('running'), reportStatus('RUNNING')),
      paused: () => (metricsOf?.setState('paused'), reportStatus('PAUSED')),
      resumed: () => (metricsOf?.setState('running'), reportStatus('RUNNING')),
      failed: (err: unknown) => (metricsOf?.setState('other'), reportStatus('FAILED', traceOf(err))),
      stopped: () => (metricsOf?.setState('other'), reportStatus('UNASSIGNED')),
    };
    const initialState = target === 'PAUSED' ? 'PAUSED' : 'STARTED';
    let built: { task: WorkerTask; metrics: TaskMetrics; cleanup: () => Promise<void>; version?: string };
    try {
      const conn = this.opts.providers.resolve(connectorConfig);
      const taskProps = this.opts.providers.resolve(taskConfig);
      this.checkLimits(conn, taskProps);
      built = this.buildTask(id, conn, taskProps, initialState, status, log);
      version = built.version;
      metricsOf = built.metrics;
    } catch (err) {
      log.error('Failed to build task', { error: (err as Error).message });
      status.failed(err);
      this.startups.task.failure++;
      return;
    }
    this.startups.task.success++;
    const done = built.task.run();
    this.tasks.set(key, { ...built, done });
  }

  private buildTask(
    id: TaskId,
    conn: ConnectorConfig,
    taskProps: ConnectorConfig,
    initialState: 'STARTED' | 'PAUSED',
    status: ConstructorParameters<typeof WorkerSourceTask>[0]['status'],
    log: Logger,
  ): { task: WorkerTask; metrics: TaskMetrics; cleanup: () => Promise<void>; version?: string } {
    const connector = this.newConnector(conn);
    const parsed = connectorConfigDef(connector.type).parse(conn);
    const converters = buildConverters(this.opts.workerProps, conn, this.opts.plugins);
    const transforms = buildTransformationChain(conn, this.opts.plugins);
    const clientId = `connector-${connector.type === 'source' ? 'producer' : 'consumer'}-${id.connector}-${id.task}`;
    const metrics = new TaskMetrics(id.connector, id.task, connector.type, clientId);
    const common = {
      offsetFlushIntervalMs: this.opts.offsetFlushIntervalMs,
      onTopicUsed: (t: string) => this.opts.onTopicUsed?.(id.connector, t),
    };
    if (connector.type === 'source') {
      if (this.requiresUnavailableExactlyOnce(conn))
        throw new ConfigError('exactly.once.support', EXACTLY_ONCE_NOT_ENABLED);
      const producerProps = this.clientProps('producer', conn);
      const kafka = createKafka({ clientId, props: producerProps, logger: log });
      const task = new (connector.taskClass())() as SourceTask;
      const errors = ErrorHandler.fromConfig(parsed, log, [], (k) => metrics.error(k));
      const eos = this.exactlyOnceSourceEnabled ? this.opts.exactlyOnceSource : undefined;
      const transactions = eos && this.sourceTransactions(eos, id, parsed);
      const producer = transactions
        ? kafka.producer({
            allowAutoTopicCreation: true,
            transactionalId: transactions.transactionalId,
            idempotent: true,
            maxInFlightRequests: 1,
            transactionTimeout: Number(producerProps['transaction.timeout.ms'] ?? 60000),
          })
        : kafka.producer({ allowAutoTopicCreation: true });
      instrumentClient(producer, metrics);
      const wt = new WorkerSourceTask({
        id,
        initialState,
        task,
        taskConfig: taskProps,
        // Exactly-once: Kafka Connect's task producer settings (idempotent, one request in flight)
        // with the task's own transactional id.
        producer,
        ...(transactions ? { transactions } : {}),
        offsets: this.opts.offsets,
        converters,
        transforms,
        errors,
        metrics,
        status,
        log,
        ...common,
      });
      return { task: wt, metrics, cleanup: async () => undefined, version: safeVersion(task) };
    }
    const consumerProps = this.clientProps('consumer', conn);
    const kafka = createKafka({ clientId, props: consumerProps, logger: log });
    const reporters: ErrorReporter[] = [];
    let dlq: DeadLetterQueueReporter | undefined;
    const dlqTopic = String(parsed['errors.deadletterqueue.topic.name'] ?? '').trim();
    if (dlqTopic) {
      const producerKafka = createKafka({
        clientId: `${clientId}-dlq`,
        props: this.clientProps('producer', conn),
        logger: log,
      });
      dlq = new DeadLetterQueueReporter({
        topic: dlqTopic,
        replicationFactor: Number(parsed['errors.deadletterqueue.topic.replication.factor']),
        contextHeaders: parsed['errors.deadletterqueue.context.headers.enable'] === true,
        producer: producerKafka.producer(),
        admin: producerKafka.admin(),
        id,
        metrics,
      });
      reporters.push(dlq);
    }
    const errors = ErrorHandler.fromConfig(parsed, log, reporters, (k) => metrics.error(k));
    const regex = String(parsed['topics.regex'] ?? '');
    const topics = regex ? new RegExp(`^(?:${regex})$`) : listOf(conn['topics']);
    const task = new (connector.taskClass())() as SinkTask;
    const groupId = sinkGroupId(id.connector, conn);
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
    instrumentClient(consumer, metrics);
    const wt = new WorkerSinkTask({
      id,
      removeGroupMembers: (memberIds) =>
        removeGroupMembers(kafka, groupId, (m) =>
          memberIds ? memberIds.includes(m.memberId) : m.clientId === clientId,
        ),
      initialState,
      task,
      taskConfig: taskProps,
      topics,
      converters,
      transforms,
      errors,
      metrics,
      status,
      log,
      ...common,
      consumer,
    });
    return { task: wt, metrics, cleanup: async () => dlq?.close(), version: safeVersion(task) };
  }

  /** How an exactly-once source task commits, from its connector's config. */
  private sourceTransactions(
    eos: ExactlyOnceSourceOptions,
    id: TaskId,
    parsed: Record<string, unknown>,
  ): SourceTaskTransactions {
    const boundary = String(parsed['transaction.boundary'] ?? 'poll').toLowerCase();
    if (boundary !== 'poll' && boundary !== 'interval')
      throw new ConfigError('transaction.boundary', TRANSACTION_BOUNDARY_CONNECTOR_UNSUPPORTED);
    const interval = parsed['transaction.boundary.interval.ms'];
    return {
      transactionalId: taskTransactionalId(eos.groupId, id.connector, id.task),
      offsetsTopic: eos.offsetsTopic,
      boundary,
      // Apache's default for the interval boundary is the worker's offset flush interval.
      intervalMs: interval === null || interval === undefined ? this.opts.offsetFlushIntervalMs : Number(interval),
      readOffsetsToEnd: eos.readOffsetsToEnd,
    };
  }

  setTaskTargetState(id: TaskId, state: TargetState): void {
    if (state !== 'STOPPED') this.tasks.get(taskKey(id))?.task.setTargetState(state);
  }

  /** Stops tasks, waiting up to task.shutdown.graceful.timeout.ms for them to flush and commit. */
  async stopTasks(ids: readonly TaskId[]): Promise<void> {
    const running = ids
      .map((id) => [taskKey(id), this.tasks.get(taskKey(id))] as const)
      .filter(([, r]) => r !== undefined);
    for (const [, r] of running) r!.task.stop();
    await Promise.all(
      running.map(async ([key, r]) => {
        const stopped = await r!.task.awaitStop(this.opts.gracefulShutdownMs);
        if (!stopped) this.log.warn('Graceful stop of task failed', { task: key });
        await r!.cleanup().catch(() => undefined);
        this.tasks.delete(key);
      }),
    );
  }

  taskIds(connector?: string): TaskId[] {
    return [...this.tasks.values()]
      .map((r) => r.task.id)
      .filter((id) => connector === undefined || id.connector === connector);
  }

  taskMetrics(): TaskMetrics[] {
    return [...this.tasks.values()].map((r) => r.metrics);
  }

  /** class, type and version of a connector this worker runs (connector-metrics) */
  connectorInfo(name: string): { class: string; type: 'source' | 'sink'; version: string } | undefined {
    const wc = this.connectors.get(name);
    if (!wc) return undefined;
    return {
      class: this.connectorClasses.get(name) ?? '',
      type: wc.type,
      version: safeVersion(wc.connector) ?? 'unknown',
    };
  }

  setGeneration(generation: number): void {
    this.generation = generation;
  }

  async stop(): Promise<void> {
    await this.stopTasks(this.taskIds());
    for (const name of this.connectorNames()) await this.stopConnector(name);
  }
}
